"""Test data factories. All names come from Faker and every record is marked synthetic."""

import datetime as dt

import factory

from sira.accounts.models import Organisation, User
from sira.cases import services
from sira.cases.models import Case


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation test {n}")
    acronym = factory.Sequence(lambda n: f"T{n}")
    org_type = "NGO"
    region_id = "ML09"
    is_synthetic = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = "case_manager"
    is_synthetic = True
    password = factory.PostGenerationMethodCall("set_password", "test-password-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CaseFactory(factory.Factory):
    """Registers a case through the service, as users do, so tests exercise the real path."""

    class Meta:
        model = Case

    by = factory.SubFactory(UserFactory)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    gender = "Feminine"
    estimated_age = 14
    citizenships = ("ML",)
    identification_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=10))
    region = "ML01"
    forms = ("DomesticServitude",)

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        by,
        first_name,
        last_name,
        gender,
        estimated_age,
        citizenships,
        identification_date,
        region,
        forms,
        share_with=(),
    ):
        return services.register_case(
            by=by,
            synthetic=True,
            person={
                "first_name": first_name,
                "last_name": last_name,
                "gender": gender,
                "estimated_age": estimated_age,
                "citizenships": list(citizenships),
            },
            case={
                "identification_date": identification_date,
                "identification_context": "Community",
                "identification_region_id": region,
            },
            exploitation={"forms": list(forms)},
            route=[{"kind": "Identification", "country": "ML", "region_id": region}],
            consents={"Registration": {"given": True}}
            | ({"Sharing": {"given": True, "organisations": list(share_with)}} if share_with else {}),
        )
