"""Structured request logs: one JSON line a request, no identity in any of them."""

import datetime as dt
import json
import logging

import pytest
from rest_framework.test import APIClient

from sira.cases.models import Case
from sira.core.logs import JsonFormatter

FIRST, LAST, PHONE = "Oumou", "Sidibé-Kanouté", "+22366554433"


def payload():
    return {
        "identification_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "identification_context": "Outreach",
        "identification_region": "ML09",
        "person": {
            "first_name": FIRST,
            "last_name": LAST,
            "phone": PHONE,
            "gender": "Feminine",
            "estimated_age": 13,
        },
        "exploitations": [{"form": "DomesticServitude"}],
        "route": [{"kind": "Origin", "country": "ML"}],
        "consents": [{"purpose": "Registration", "given": True}],
    }


@pytest.mark.django_db
def test_request_lines_are_json_without_names_or_phones(awa, caplog):
    api = APIClient()
    api.force_login(awa)
    formatter = JsonFormatter()
    with caplog.at_level(logging.INFO):
        response = api.post("/api/v1/cases/", payload(), format="json")
        assert response.status_code == 201, response.content
        case = Case.objects.get()
        assert case.person.last_name == LAST  # registered, read back
        api.get(f"/cases/{case.pk}/")
        api.get(f"/cases/?q={LAST}")  # an old link with the name in the query string
        api.post("/api/v1/cases/search/", {"q": LAST}, format="json")
    lines = [formatter.format(r) for r in caplog.records if r.name == "sira.request"]
    assert len(lines) == 4
    entries = [json.loads(line) for line in lines]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/api/v1/cases/", 201),
        ("GET", f"/cases/{case.pk}/", 200),
        ("GET", "/cases/", 303),  # redirected to a token; the query string is never logged
        ("POST", "/api/v1/cases/search/", 200),
    ]
    assert all(e["user"] == awa.pk and e["level"] == "INFO" and "ms" in e for e in entries)
    everything = "\n".join(formatter.format(r) for r in caplog.records).lower()
    for secret in (FIRST, LAST, "sidib", PHONE, "66554433", awa.username):
        assert secret.lower() not in everything


def test_formatter_keeps_only_its_fields(rf):
    """Django's error records carry the whole request: it never reaches the line."""
    request = rf.get("/cases/", {"q": "Konaté"}, HTTP_COOKIE="sessionid=secret")
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/cases/",), None
    )
    record.request = request
    record.status_code = 500
    line = JsonFormatter().format(record)
    assert json.loads(line)["message"] == "Internal Server Error: /cases/"
    assert "Konat" not in line and "secret" not in line and "request" not in json.loads(line)
