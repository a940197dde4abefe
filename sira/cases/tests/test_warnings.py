"""Contradictory ages and dates are shown to the worker, who corrects or confirms: never saved
silently, never blocked when the worker is sure; the confirmation is kept in the audit log."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases import rules, services
from sira.cases.models import Case
from sira.cases.tests.test_api import payload
from sira.cases.tests.test_registration import post, valid_post
from sira.testing.factories import CaseFactory

TODAY = dt.date.today()
BORN_2011 = dt.date(2011, 3, 1)


@pytest.mark.parametrize(
    ("person", "exploitation", "codes"),
    [
        pytest.param(
            {"birth_date": BORN_2011, "estimated_age": 30},
            {},
            ["estimated_age_vs_birth_date"],
            id="age-vs-birth",
        ),
        pytest.param(
            {"estimated_age": 14},
            {"age_at_recruitment": 40},
            ["recruitment_age_after_identification.1"],
            id="recruited-older",
        ),
        pytest.param(
            {"birth_date": BORN_2011},
            {"start_date": dt.date(1990, 1, 1)},
            ["exploitation_before_birth.1"],
            id="before-birth",
        ),
        pytest.param(
            {"estimated_age": 14},
            {"start_date": dt.date(1990, 1, 1)},
            ["exploitation_before_birth.1"],
            id="before-estimated-birth",
        ),
        pytest.param(
            {"estimated_age": 14, "birth_date": None}, {"age_at_recruitment": 12}, [], id="consistent"
        ),
        pytest.param({"birth_date": BORN_2011, "estimated_age": 15}, {}, [], id="within-tolerance"),
    ],
)
def test_contradictions_are_found(person, exploitation, codes):
    warnings = rules.consistency_warnings(
        person=person, case={"identification_date": dt.date(2026, 11, 1)}, exploitations=[exploitation]
    )
    assert [w.code for w in warnings] == codes


def test_the_page_shows_contradictions_then_saves_once_confirmed(awa, client):
    data = valid_post(**{"person-birth_date": "2011-03-01", "person-estimated_age": "30"})
    response = post(client, awa, data)
    assert response.status_code == 200 and not Case.objects.exists()
    body = response.content.decode()
    assert 'name="confirm_warning" value="estimated_age_vs_birth_date"' in body
    response = post(client, awa, data | {"confirm_warning": "estimated_age_vs_birth_date"})
    assert response.status_code == 302
    case = Case.objects.get()
    event = AuditEvent.objects.get(action="create", object_id=str(case.pk))
    assert event.detail["confirmed_warnings"] == ["estimated_age_vs_birth_date"]


def test_the_api_answers_warnings_and_saves_once_confirmed(awa):
    api = APIClient()
    api.force_authenticate(awa)
    body = payload(person=payload()["person"] | {"estimated_age": 14})
    body["exploitations"][0]["age_at_recruitment"] = 40
    response = api.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert [w["code"] for w in response.json()["warnings"]] == ["recruitment_age_after_identification.1"]
    assert not Case.objects.exists()
    response = api.post(
        "/api/v1/cases/",
        body | {"confirm_warnings": ["recruitment_age_after_identification.1"]},
        format="json",
    )
    assert response.status_code == 201
    assert Case.objects.get().exploitations.get().age_at_recruitment == 40


def test_an_edit_that_creates_a_contradiction_needs_confirmation(awa):
    case = CaseFactory(by=awa, estimated_age=14)
    with pytest.raises(services.NeedsConfirmation):
        services.update_case(
            case, by=awa, person={"birth_date": BORN_2011 - dt.timedelta(days=365 * 20)}, case_fields={}
        )
    case.refresh_from_db()
    assert case.person.birth_date is None
    services.update_case(
        case,
        by=awa,
        person={"birth_date": BORN_2011 - dt.timedelta(days=365 * 20)},
        case_fields={},
        confirmed_warnings=["estimated_age_vs_birth_date"],
    )
    case.refresh_from_db()
    assert case.person.birth_date == BORN_2011 - dt.timedelta(days=365 * 20)
