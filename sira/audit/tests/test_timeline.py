"""The case history shown to people groups identity reads per user per day and names changed fields in
the user's language; the audit log underneath keeps every event and the field names as stored."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sira.audit.models import AuditEvent
from sira.audit.services import field_label, timeline
from sira.cases import services
from sira.cases.models import Case
from sira.testing.factories import CaseFactory


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=dt.UTC)


def read_at(case, user, moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        services.read_identity(case, by=user)


@pytest.fixture
def case(awa, bakary):
    case = CaseFactory(by=awa)
    for hour in (8, 9, 10, 16):
        read_at(case, awa, at(3, hour))
    read_at(case, awa, at(4, 9))
    read_at(case, bakary, at(3, 11))
    read_at(case, bakary, at(3, 12))
    return case


def texts(case):
    return [entry.text for entry in timeline(case)]


def test_identity_reads_are_counted_per_user_per_day_in_french(case):
    with translation.override("fr"):
        lines = texts(case)
    reads = [line for line in lines if "identité" in line]
    assert reads == [  # newest first, by each group's latest read
        "awa a consulté l'identité une fois le 04/11/2026",
        "awa a consulté l'identité 4 fois le 03/11/2026",
        "bakary a consulté l'identité 2 fois le 03/11/2026",
    ]
    assert "awa a créé" in lines


def test_identity_reads_are_counted_in_english(case):
    with translation.override("en"):
        reads = [line for line in texts(case) if "identity" in line]
    assert reads == [
        "awa viewed the identity once on 11/04/2026",
        "awa viewed the identity 4 times on 11/03/2026",
        "bakary viewed the identity 2 times on 11/03/2026",
    ]


def test_the_audit_log_keeps_every_read(case, awa):
    reads = AuditEvent.objects.filter(action="view_identity", object_id=str(case.pk))
    assert reads.count() == 7
    assert reads.filter(actor=awa).count() == 5
    assert sorted(e.at for e in reads.filter(actor=awa)) == [
        at(3, 8),
        at(3, 9),
        at(3, 10),
        at(3, 16),
        at(4, 9),
    ]


def test_case_page_shows_grouped_reads_and_changed_fields_in_words(client, case, awa):
    services.update_case(
        case, by=awa, person={"first_name": "Oumou"}, case_fields={"case_status": "FollowUp"}
    )
    client.force_login(awa)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert body.count("awa a consulté l&#x27;identité 4 fois le 03/11/2026") == 1
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"awa a consulté l&#x27;identité une fois le {today}" in body  # this very page view
    assert "awa a modifié : prénom, statut du dossier" in body
    assert "person.first_name" not in body and "case_status" not in body
    # The audit detail keeps the field names, not the labels.
    change = AuditEvent.objects.get(action="change", object_id=str(case.pk))
    assert change.detail["fields"] == ["person.first_name", "case_status"]


def test_changed_fields_are_named_in_english_too(case, awa):
    services.update_case(
        case, by=awa, person={"first_name": "Oumou"}, case_fields={"case_status": "FollowUp"}
    )
    with translation.override("en"):
        assert texts(case)[0] == "awa changed: first name, case status"


@pytest.mark.parametrize(
    ("name", "french"),
    [
        ("case_status", "statut du dossier"),
        ("person.first_name", "prénom"),
        ("person.gender", "sexe / genre"),
        ("screenings", "dépistages"),
        ("exploitation", "exploitations"),
        ("exploitations.form", "forme d'exploitation"),
    ],
)
def test_field_names_become_their_verbose_names(name, french):
    with translation.override("fr"):
        assert field_label(Case, name) == french
