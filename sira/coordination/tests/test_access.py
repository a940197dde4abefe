"""Who reaches what in coordination, every page for every kind of user: no page shows a person of a
case (an inspection linked to a referral shows its number to its inspectorate and the secretariat
only); each write page answers 403 to those who may not write. 0 leaks."""

import pytest
from django.test import Client
from django.urls import reverse

from sira.coordination.models import Inspection
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
NAME = "Zeynabou"


@pytest.fixture
def world(db):
    from sira.demo import seed
    from sira.referrals import services as referral_services
    from sira.referrals.models import ServiceOffering

    users = seed.seed_organisations_and_users(seed.load_spec())
    seed.seed_coordination(users)
    inspector = users["agent.kayes"]
    shelter = users["prestataire"].organisation
    offering = ServiceOffering.objects.create(
        organisation=shelter, service="Shelter", name="H", region_id="ML09"
    )
    case = CaseFactory(by=inspector, first_name=NAME, share_with=[shelter], region="ML01")
    referral = referral_services.send_referral(
        case, by=inspector, offering=offering, service="Shelter", shared_fields=["gender"]
    )
    Inspection.objects.filter(pk=Inspection.objects.order_by("-date").first().pk).update(referral=referral)
    other = OrganisationFactory(name="IT Mopti", acronym="ITM", org_type="LabourInspection", region_id="ML05")
    return {
        "secretariat": users["statisticien"],
        "inspector": inspector,
        "officer": users["agent.ong"],
        "other_inspectorate": UserFactory(username="it.mopti", organisation=other, role="frontline_worker"),
        "partner_statistician": users["partenaire"],
        "investigator": users["enqueteur"],
    }, referral


READ_PAGES = [
    "home",
    "meetings",
    "directory",
    "map",
    "map_geojson",
    "inspections",
    "monitoring",
    "plan_template",
]
WRITE_PAGES = {
    "plan_import": {"secretariat"},
    "meeting_new": {"secretariat"},
    "actor_new": {"secretariat"},
    "inspection_new": {"inspector", "other_inspectorate"},
}
ROLES = ["secretariat", "inspector", "officer", "other_inspectorate", "partner_statistician", "investigator"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_user(world, role):
    users, referral = world
    client = Client()
    client.force_login(users[role])
    from sira.coordination.models import Activity, Meeting, Plan

    pages = [reverse(f"coordination:{name}") for name in READ_PAGES]
    pages += [
        reverse("coordination:plan", args=[Plan.objects.get().pk]),
        reverse("coordination:meeting", args=[Meeting.objects.first().pk]),
    ]
    pages += [reverse("coordination:activity", args=[a.pk]) for a in Activity.objects.all()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert NAME.encode() not in response.content, url
    inspections = client.get(reverse("coordination:inspections")).content.decode()
    assert (referral.reference in inspections) == (role in ("secretariat", "inspector"))
    for name, allowed in WRITE_PAGES.items():
        status = client.get(reverse(f"coordination:{name}")).status_code
        assert status == (200 if role in allowed else 403), (name, role)


def test_anonymous_users_are_sent_to_log_in(world):
    for name in READ_PAGES:
        response = Client().get(reverse(f"coordination:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
