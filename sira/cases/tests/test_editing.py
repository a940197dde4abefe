"""Editing a case keeps what the user entered, on the page and through the API: each field group is
changed as a user would, then read back from the database with the audit entry it must leave."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases.models import Case
from sira.testing.factories import CaseFactory
from sira.testing.html_forms import form_data

TODAY = dt.date.today()

# (what the user changes on the edit page, how to read it back, expected, audited field names)
PAGE_EDITS = [
    pytest.param(
        {"case-narrative": "Recrutée à Kayes pour un travail domestique."},
        lambda c: c.narrative,
        "Recrutée à Kayes pour un travail domestique.",
        ["narrative"],
        id="narrative",
    ),
    pytest.param(
        {"person-phone": "+22370112233"},
        lambda c: c.person.phone,
        "+22370112233",
        ["person.phone"],
        id="phone",
    ),
    pytest.param(
        {"person-gender": "Masculine"}, lambda c: c.person.gender, "Masculine", ["person.gender"], id="gender"
    ),
    pytest.param(
        {"case-case_status": "Closed", "case-closure_reason": "Reintegrated"},
        lambda c: (c.case_status, c.closure_reason),
        ("Closed", "Reintegrated"),
        ["case_status", "closure_reason"],
        id="closure",
    ),
    pytest.param(
        {"case-trafficking_status": "ActualVictimOfTrafficking", "case-status_decider": "CourtOrProsecution"},
        lambda c: (c.trafficking_status, c.status_decider),
        ("ActualVictimOfTrafficking", "CourtOrProsecution"),
        ["trafficking_status", "status_decider", "status_decided_by", "status_decided_on"],
        id="trafficking-status",
    ),
    pytest.param(
        {"case-identification_region": "ML04", "case-identification_cercle": "ML0402"},
        lambda c: (c.identification_region_id, c.identification_cercle_id),
        ("ML04", "ML0402"),
        ["identification_region_id", "identification_cercle_id"],
        id="place",
    ),
    pytest.param(
        {
            "person-estimated_age": "",
            "person-birth_date": (TODAY - dt.timedelta(days=365 * 16 + 30)).isoformat(),
        },
        lambda c: (c.person.estimated_age, c.age_at_identification),
        (None, 15),
        ["person.birth_date", "person.estimated_age", "age_at_identification"],
        id="birth-date-recomputes-age",
    ),
    pytest.param(
        {"person-citizenships": ["ML", "BF"], "person-primary_language": "ful"},
        lambda c: (sorted(str(x) for x in c.person.citizenships), c.person.primary_language),
        (["BF", "ML"], "ful"),
        ["person.citizenships", "person.primary_language"],
        id="nationality-language",
    ),
]


@pytest.mark.parametrize(("change", "read", "expected", "audited"), PAGE_EDITS)
def test_an_edit_on_the_page_is_saved_and_audited(awa, client, change, read, expected, audited):
    case = CaseFactory(by=awa, identification_date=TODAY - dt.timedelta(days=30))
    client.force_login(awa)
    page = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    data = form_data(page) | change
    response = client.post(reverse("cases:edit", args=[case.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[case.pk])
    assert "Modifications enregistrées." in response.content.decode()  # the confirmation
    case = Case.objects.select_related("person").get(pk=case.pk)
    assert read(case) == expected
    event = AuditEvent.objects.filter(action="change", object_id=str(case.pk)).latest("id")
    assert sorted(event.detail["fields"]) == sorted(audited)
    assert event.actor == awa


def test_an_unchanged_form_changes_nothing_and_says_so(awa, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    data = form_data(client.get(reverse("cases:edit", args=[case.pk])).content.decode())
    response = client.post(reverse("cases:edit", args=[case.pk]), data, follow=True)
    assert "Rien n’a été modifié." in response.content.decode()
    assert not AuditEvent.objects.filter(action="change", object_id=str(case.pk)).exists()


def test_identifying_values_never_reach_the_audit_log(awa, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    data = form_data(client.get(reverse("cases:edit", args=[case.pk])).content.decode())
    client.post(reverse("cases:edit", args=[case.pk]), data | {"person-phone": "+22376543210"})
    event = AuditEvent.objects.get(action="change", object_id=str(case.pk))
    assert event.detail["fields"] == ["person.phone"]
    assert "76543210" not in str(event.detail)


API_EDITS = [
    pytest.param({"narrative": "Note API"}, lambda c: c.narrative, "Note API", ["narrative"], id="narrative"),
    pytest.param(
        {"case_status": "Closed", "closure_reason": "Repatriated"},
        lambda c: (c.case_status, c.closure_reason),
        ("Closed", "Repatriated"),
        ["case_status", "closure_reason"],
        id="closure",
    ),
    pytest.param(
        {"person": {"phone": "+22365000000", "gender": "Masculine"}},
        lambda c: (c.person.phone, c.person.gender),
        ("+22365000000", "Masculine"),
        ["person.gender", "person.phone"],
        id="person",
    ),
    pytest.param(
        {"identification_region": "ML04", "identification_cercle": "ML0402"},
        lambda c: c.identification_cercle_id,
        "ML0402",
        ["identification_region_id", "identification_cercle_id"],
        id="place",
    ),
]


@pytest.mark.parametrize(("change", "read", "expected", "audited"), API_EDITS)
def test_an_edit_through_the_api_is_saved_and_audited(awa, change, read, expected, audited):
    case = CaseFactory(by=awa)
    api = APIClient()
    api.force_authenticate(awa)
    response = api.patch(
        f"/api/v1/cases/{case.pk}/", change, format="json", HTTP_IF_MATCH=f'"{case.version}"'
    )
    assert response.status_code == 200, response.content
    case = Case.objects.select_related("person").get(pk=case.pk)
    assert read(case) == expected
    event = AuditEvent.objects.filter(action="change", object_id=str(case.pk)).latest("id")
    assert sorted(event.detail["fields"]) == sorted(audited)
