"""A merge within an organisation loses nothing: every row related to either person or their cases
(found with Django's meta API, so an app added later is counted too) is there after, each field as it
was; the merged person's row is kept with its identity; the merge is audited and traceable."""

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.cases import services as case_services
from sira.cases.models import Case, Person, PersonNameToken
from sira.duplicates.models import PersonMerge
from sira.duplicates.services import person_relations
from sira.duplicates.tests.helpers import register
from sira.justice import services as justice_services
from sira.referrals import services as referral_services
from sira.referrals.models import ServiceOffering
from sira.screening import services as screening_services
from sira.testing.factories import OrganisationFactory, UserFactory

TODAY = dt.date.today()


def case_relations():
    return [r for r in Case._meta.get_fields() if r.is_relation and r.auto_created and not r.concrete]


def related_rows(cases) -> dict[str, list[dict]]:
    """Every row pointing to these cases, by relation, as field values (m2m: the links)."""
    out = {}
    for rel in case_relations():
        model = rel.related_model
        label = f"{model._meta.label_lower}.{rel.field.name}"
        rows = model._default_manager.filter(**{f"{rel.field.name}__in": cases}).distinct().order_by("pk")
        out[label] = [model_to_dict(r) | {"pk": r.pk} for r in rows]
    return out


@pytest.fixture
def rich_pair(awa, org_a):
    """Two records of one girl in organisation A, each case with a full history."""
    shelter = OrganisationFactory(name="Refuge Test", acronym="TSTR", org_type="ShelterServiceProvider")
    offering = ServiceOffering.objects.create(
        organisation=shelter,
        service="Shelter",
        name="Hébergement",
        sexes=["Feminine"],
        age_max=25,
        region_id="ML01",
        latitude=12.6,
        longitude=-8.0,
        capacity_total=10,
        capacity_in_use=0,
    )
    investigator = UserFactory(username="enq", organisation=org_a, role="investigator")
    cases = []
    for first, last in (("Awa", "Coulibaly"), ("Hawa", "Kulibali")):
        case = register(awa, first, last, age=13, share_with=[shelter])
        case_services.add_note(case, by=awa, text=f"note {first}")
        case_services.record_assistance(case, by=awa, service="Shelter", provider=shelter, given_on=TODAY)
        case_services.add_goal(case, by=awa, text="école", review_on=TODAY + dt.timedelta(days=30))
        case_services.add_route_stop(
            case, by=awa, data={"kind": "Transit", "country": "ML", "region_id": "ML02"}
        )
        case_services.grant_access(case, by=awa, organisation=shelter, reason="suivi")
        referral_services.send_referral(
            case, by=awa, offering=offering, service="Shelter", shared_fields=["first_name", "gender"]
        )
        screening = screening_services.start_screening(
            by=awa, profile={"screened_on": TODAY, "gender": "Feminine", "region_id": "ML01"}
        )
        screening_services.attach_to_case(screening, case, by=awa)
        justice_services.open_investigation(
            by=investigator,
            agency="BPMC",
            opened_on=TODAY - dt.timedelta(days=1),
            region_id="ML01",
            forms=["DomesticServitude"],
            operation_type="Complaint",
            cases=[case],
        )
        cases.append(Case.objects.select_related("person").get(pk=case.pk))
    return cases


def test_merge_loses_nothing(client, awa, rich_pair):
    kept_case, merged_case = rich_pair
    kept, merged = kept_case.person, merged_case.person
    before = related_rows(rich_pair)
    assert all(
        before[label]
        for label in (
            "cases.exploitation.case",
            "cases.casenote.case",
            "referrals.referral.case",
            "screening.screening.case",
            "justice.investigation.cases",
        )
    )
    persons_before = {p.pk: model_to_dict(p) for p in (kept, merged)}
    cases_before = {c.pk: model_to_dict(c, exclude=["person"]) for c in rich_pair}
    person_rows_before = {
        f"{r.related_model._meta.label_lower}.{r.field.name}": r.related_model._default_manager.filter(
            **{f"{r.field.name}__in": [kept, merged]}
        ).count()
        for r in person_relations()
    }

    client.force_login(awa)
    page = client.get(reverse("duplicates:merge", args=[kept_case.pk, merged_case.pk]))
    assert page.status_code == 200 and "Coulibaly" in page.content.decode()
    response = client.post(reverse("duplicates:merge", args=[kept_case.pk, merged_case.pk]))
    assert response.status_code == 303

    # Every row is still there, each field as it was: only the cases' person changed.
    assert related_rows(rich_pair) == before
    for case in Case.objects.filter(pk__in=[c.pk for c in rich_pair]):
        assert case.person_id == kept.pk
        assert model_to_dict(case, exclude=["person"]) == cases_before[case.pk]
    # Both persons' rows are kept, identity untouched (the merged one stays for the record).
    for person in Person.objects.filter(pk__in=[kept.pk, merged.pk]):
        assert model_to_dict(person) == persons_before[person.pk]
    # Every relation to a person: the rows of both now point to the kept one (tokens rebuilt).
    for r in person_relations():
        label = f"{r.related_model._meta.label_lower}.{r.field.name}"
        if label in (
            "cases.personnametoken.person",
            "duplicates.personmerge.kept",
            "duplicates.personmerge.merged",
        ):
            continue
        qs = r.related_model._default_manager
        assert qs.filter(**{r.field.name: kept}).count() == person_rows_before[label], label
        assert not qs.filter(**{r.field.name: merged}).exists(), label
    assert not PersonNameToken.objects.filter(person=merged).exists()
    assert PersonNameToken.objects.filter(person=kept).count() > 0
    record = PersonMerge.objects.get()
    assert (record.kept, record.merged, record.merged_by) == (kept, merged, awa)
    assert record.moved == {"cases.case.person": [merged_case.pk]}
    event = AuditEvent.objects.get(action="change", object_type="cases.person", object_id=str(kept.pk))
    assert event.detail["merged_person"] == merged.pk and event.detail["merge"] == record.pk
    assert "Awa" not in str(event.detail) and "Kulibali" not in str(event.detail)
    # The kept person no longer matches itself through the merged record.
    case_page = client.get(reverse("cases:detail", args=[kept_case.pk])).content.decode()
    assert "duplicates-panel" not in case_page


def test_the_warning_offers_the_merge_within_the_organisation(client, awa):
    first = register(awa, "Fatoumata", "Diarra", age=15)
    second = register(awa, "Fatimata", "Jara", age=15)
    client.force_login(awa)
    html = client.get(reverse("cases:detail", args=[second.pk])).content.decode()
    assert first.case_number in html
    assert reverse("duplicates:merge", args=[second.pk, first.pk]) in html


@pytest.mark.parametrize(
    "who,status",
    [
        ("other_org", 404),  # another organisation's case manager: the cases are not found
        ("prosecutor", 404),  # same organisation, no right to change cases
        ("own_scope", 404),  # a frontline worker who sees only their own cases
    ],
)
def test_only_same_organisation_editors_may_merge(client, awa, bakary, org_a, who, status):
    first = register(awa, "Fatoumata", "Diarra", age=15)
    second = register(awa, "Fatimata", "Jara", age=15)
    user = {
        "other_org": bakary,
        "prosecutor": UserFactory(username="proc", organisation=org_a, role="prosecutor"),
        "own_scope": UserFactory(username="fw", organisation=org_a, role="frontline_worker", scope="own"),
    }[who]
    client.force_login(user)
    assert client.post(reverse("duplicates:merge", args=[first.pk, second.pk])).status_code == status
    assert not PersonMerge.objects.exists()
    assert Case.objects.get(pk=second.pk).person_id != first.person_id


def test_a_national_editor_of_another_organisation_may_not_merge(client, awa, bakary, org_b):
    first = register(awa, "Fatoumata", "Diarra", age=15)
    second = register(awa, "Fatimata", "Jara", age=15)
    national = UserFactory(username="nat", organisation=org_b, role="case_manager", scope="national")
    client.force_login(national)
    assert client.post(reverse("duplicates:merge", args=[first.pk, second.pk])).status_code == 403
    assert not PersonMerge.objects.exists()


def test_a_third_record_merges_into_the_same_person(awa):
    from sira.duplicates import services

    first = register(awa, "Fatoumata", "Diarra", age=15)
    second = register(awa, "Fatimata", "Jara", age=15)
    third = register(awa, "Fatoumata", "Diara", age=15)
    services.merge(first, second, by=awa)
    services.merge(third, Case.objects.get(pk=second.pk), by=awa)
    people = set(
        Case.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("person_id", flat=True)
    )
    assert people == {third.person_id}
    chain = list(PersonMerge.objects.order_by("pk").values_list("merged_id", "kept_id"))
    assert chain == [(second.person_id, first.person_id), (first.person_id, third.person_id)]
