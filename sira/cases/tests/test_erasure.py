"""Issue 10, item 10: erasure of a person on request (loi n° 2013-015). Identity fields, name tokens,
blind indexes and narratives go; the anonymous facts stay (statistics still count the case); each case
gets an audit tombstone naming the fields and the ground, never their values. Only a case manager who
may change the case can do it, from the page or the command."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.cases import services
from sira.cases.models import IDENTITY_FIELDS, Case, Person, PersonNameToken
from sira.cases.search import search_cases
from sira.testing.factories import CaseFactory, UserFactory


@pytest.fixture
def case(awa):
    case = CaseFactory(by=awa, first_name="Oumou", last_name="Effacée")
    Person.objects.filter(pk=case.person_id).update()
    person = case.person
    person.phone, person.address, person.mother_name = "+22370000001", "Kati", "Nana"
    person.save()
    case.narrative = "Récit de vie"
    case.save()
    return case


def test_erasure_removes_identity_keeps_facts_and_leaves_a_tombstone(case, awa, client):
    facts = Case.objects.filter(pk=case.pk).values(
        "case_number",
        "age_at_identification",
        "identification_region",
        "identification_date",
        "person__gender",
    )[0]
    client.force_login(awa)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:erase", args=[case.pk]) in page
    wrong = client.post(reverse("cases:erase", args=[case.pk]), {"ground": "subject_request", "confirm": "X"})
    assert wrong.status_code == 200 and Person.objects.get(pk=case.person_id).last_name == "Effacée"
    response = client.post(
        reverse("cases:erase", args=[case.pk]),
        {"ground": "subject_request", "confirm": case.case_number.lower()},
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=case.person_id)
    assert all(getattr(person, f) in (None, "") for f in IDENTITY_FIELDS)
    assert (person.first_name_index, person.last_name_index) == ("", "")
    assert not PersonNameToken.objects.filter(person=person).exists()
    assert Case.objects.get(pk=case.pk).narrative is None
    assert Case.objects.filter(pk=case.pk).values(*facts)[0] == facts
    assert list(search_cases(Case.objects.all(), "Effacée")) == []
    tombstone = AuditEvent.objects.filter(object_id=str(case.pk), detail__erasure="subject_request").get()
    assert tombstone.actor == awa
    assert set(tombstone.detail["fields"]) == {
        "person.first_name",
        "person.last_name",
        "person.phone",
        "person.address",
        "person.mother_name",
        "narrative",
    }
    assert "Effac" not in str(tombstone.detail) and "Oumou" not in str(tombstone.detail)


def test_only_a_case_manager_who_may_change_the_case_can_erase(case, awa, bakary, org_a, client):
    worker = UserFactory(username="agent.a", organisation=org_a, role="frontline_worker")
    for user, expected in ((worker, {403, 404}), (bakary, {404})):
        client.force_login(user)
        response = client.post(
            reverse("cases:erase", args=[case.pk]), {"ground": "subject_request", "confirm": case.case_number}
        )
        assert response.status_code in expected
    assert Person.objects.get(pk=case.person_id).last_name == "Effacée"


def test_the_command_erases_and_refuses_the_unauthorised(case, awa, bakary):
    with pytest.raises(CommandError):
        call_command("erase_person", case.case_number, "--by", "bakary", "--ground", "subject_request")
    call_command("erase_person", case.case_number, "--by", "awa", "--ground", "legal_order")
    assert Person.objects.get(pk=case.person_id).last_name is None


def test_a_screening_justification_of_the_case_is_erased_too(case, awa):
    from sira.screening import services as screening_services
    from sira.screening.models import Screening

    screening = screening_services.start_screening(
        by=awa,
        profile={
            "screened_on": case.identification_date,
            "gender": "Feminine",
            "age": 14,
            "region_id": "ML01",
        },
    )
    Screening.objects.filter(pk=screening.pk).update(case=case)
    screening.refresh_from_db()
    screening.justification = "Oumou dit que…"
    screening.save()
    services.erase_person(case, by=awa, ground="retention_expired")
    assert Screening.objects.get(pk=screening.pk).justification is None


def test_an_unknown_ground_changes_nothing(case, awa):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.erase_person(case, by=awa, ground="because")
    assert Person.objects.get(pk=case.person_id).last_name == "Effacée"
