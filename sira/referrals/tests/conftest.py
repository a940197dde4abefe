import pytest
from django.test import Client
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.referrals import services
from sira.referrals.models import ServiceOffering
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory


@pytest.fixture
def shelter(db):
    """A receiving organisation (a shelter in Bamako)."""
    return OrganisationFactory(name="Centre Test Refuge", acronym="TSTR", org_type="ShelterServiceProvider")


@pytest.fixture
def kadi(shelter):
    """A service provider's worker at the shelter."""
    return UserFactory(username="kadi", organisation=shelter, role="service_provider")


@pytest.fixture
def offering(shelter):
    return ServiceOffering.objects.create(
        organisation=shelter,
        service="Shelter",
        name="Hébergement filles",
        sexes=["Feminine"],
        age_max=25,
        region_id="ML09",
        latitude=12.6,
        longitude=-8.0,
        capacity_total=10,
        capacity_in_use=3,
    )


@pytest.fixture
def case(awa, shelter):
    """A case of organisation A (awa's) whose person consented to sharing with the shelter."""
    return CaseFactory(by=awa, share_with=[shelter], region="ML09")


@pytest.fixture
def send(awa, offering):
    def _send(case, **kwargs):
        args = {
            "by": awa,
            "offering": offering,
            "service": "Shelter",
            "shared_fields": ["first_name", "last_name", "gender", "age"],
        } | kwargs
        return services.send_referral(case, **args)

    return _send


@pytest.fixture
def coordinator(secretariat):
    return secretariat


def web(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def last_event(obj, **detail):
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    for key, value in detail.items():
        events = events.filter(**{f"detail__{key}": value})
    return events.order_by("-id").first()
