"""Issue 10, item 1: after a whole demo journey (register a person, search for them, import a file whose
columns carry identities, export, fail to log in typing a name and a password into the username box),
none of the identities typed is found in clear in any text column of any table, in the audit log, in the
captured log records or in the lines a web server's access log would write."""

import csv
import io
import json
import logging
import re
import unicodedata
from urllib.parse import unquote_plus

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.cases.models import Case
from sira.cases.tests.test_registration import valid_post
from sira.screening.models import QuarantinedRow
from sira.screening.tests.test_import import HEADERS, row
from sira.testing.factories import UserFactory

FIRST, LAST = "Zoumanakéré", "Kwaterbékélé"
PHONE = "+22376543219"
ADDRESS = "Rue Xyzzyplugh porte 9"
IDENTITY_NUMBER = "NINA-88QW77ZT"
IMPORTED = ("Fanta Qorblandine", "+22361234987", "Quartier Vrolimbaka")
PASSWORD_IN_USERNAME = "Pl0ughShare!Secret"
# What must not appear anywhere (searched case- and accent-insensitively; the phone by its digits).
SECRETS = [
    FIRST,
    LAST,
    "76543219",
    "Xyzzyplugh",
    "88QW77ZT",
    "Qorblandine",
    "61234987",
    "Vrolimbaka",
    PASSWORD_IN_USERNAME,
]


def fold(text: str) -> str:
    """Case and accents folded, JSON \\u escapes and URL encoding undone: a name stored as
    "Kwaterb\\u00e9k\\u00e9l\\u00e9" or sent as "Kwaterb%C3%A9k%C3%A9l%C3%A9" is still found."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = unquote_plus(text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class LoggedClient(Client):
    """The test client, writing for every request the line a web server's access log would hold
    (gunicorn's and runserver's formats both carry the path with its query string)."""

    access_log: list[str]

    def request(self, **request):
        response = super().request(**request)
        path, query = request.get("PATH_INFO", ""), request.get("QUERY_STRING", "")
        target = f"{path}?{query}" if query else path
        line = f'127.0.0.1 - - [-] "{request.get("REQUEST_METHOD")} {target} HTTP/1.1"'
        line += f' {response.status_code} - "{request.get("HTTP_REFERER", "-")}"'
        self.access_log.append(line)
        logging.getLogger("django.server").info(line)
        return response


def identity_csv() -> bytes:
    out = io.StringIO()
    headers = [*HEADERS, "identity-full_name", "identity-phone", "identity-address"]
    writer = csv.DictWriter(out, fieldnames=headers)
    writer.writeheader()
    name, phone, address = IMPORTED
    extra = {"identity-full_name": name, "identity-phone": phone, "identity-address": address}
    writer.writerow(row("scan-ok") | extra)
    writer.writerow(row("scan-bad", **{"profile-screened_on": "2026-13-45"}) | extra)  # quarantined
    writer.writerow(row("scan-wrong-column", **{"profile-gender": name}) | extra)  # a name in a coded column
    return out.getvalue().encode()


def database_text() -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-empty value of every table of the database."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the database
            names = [d[0] for d in cursor.description]
            for values in cursor.fetchall():
                for name, value in zip(names, values, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    found.append((table, name, str(value)))
    # Sessions are signed base64: read them as Django does.
    for session in Session.objects.all():
        found.append(("django_session", "decoded", json.dumps(session.get_decoded(), default=str)))
    return found


def leaks(texts) -> list:
    return [(where, secret) for where, text in texts for secret in SECRETS if fold(secret) in fold(text)]


@pytest.mark.django_db
def test_no_identity_in_clear_anywhere_after_a_demo_journey(org_a, caplog):
    caplog.set_level(logging.DEBUG)
    worker = UserFactory(username="agent.scan", organisation=org_a, role="case_manager")
    client = LoggedClient()
    client.access_log = []
    client.force_login(worker)

    # Register, with a distinctive name, phone, address and identity number.
    data = valid_post(
        **{
            "person-first_name": FIRST,
            "person-last_name": LAST,
            "person-phone": PHONE,
            "person-address": ADDRESS,
            "person-identity_number": IDENTITY_NUMBER,
        }
    )
    assert client.post(reverse("cases:create"), data).status_code == 302
    case = Case.objects.get()
    assert case.person.last_name == LAST and case.person.phone  # stored, encrypted

    # Search for them on the page, follow the pages and export what the search found.
    response = client.post(reverse("cases:list"), {"q": f"{LAST} {FIRST[:4]}"}, follow=True)
    assert case.case_number in response.content.decode()
    export_url = reverse("cases:export") + "?" + response.context["query"]
    exported = b"".join(client.get(export_url).streaming_content).decode("utf-8-sig")
    assert case.case_number in exported
    client.get(reverse("cases:detail", args=[case.pk]))
    # The same through the API: a POSTed search, then its token.
    api = client.post("/api/v1/cases/search/", {"q": LAST}, content_type="application/json").json()
    assert [r["id"] for r in api["results"]] == [case.pk]
    client.get("/api/v1/cases/export/", {"s": api["search_token"]})

    # Import a file whose extra columns carry identities; one row quarantined, one with a name in a
    # coded column.
    upload = SimpleUploadedFile("submissions.csv", identity_csv())
    batch_url = client.post("/screening/imports/new/", {"file": upload})["Location"]
    while not client.post(batch_url + "step/", HTTP_ACCEPT="application/json").json()["finished"]:
        pass
    assert QuarantinedRow.objects.count() == 2
    report = client.get(batch_url).content.decode()
    assert IMPORTED[0] in report  # the worker who imported sees the reason, with the cell quoted

    # Failed logins: a person's name and a password typed into the username box.
    anonymous = LoggedClient()
    anonymous.access_log = []
    for typed in (f"{FIRST} {LAST}", PASSWORD_IN_USERNAME):
        anonymous.post(reverse("accounts:login"), {"username": typed, "password": "wrong-password-1"})
    assert AuditEvent.objects.filter(action="login_failed").count() == 2

    texts = [((t, c), v) for t, c, v in database_text()]
    assert texts and any(t == "cases_person" for (t, _c), _v in texts)
    assert leaks(texts) == []
    audit = [(("audit", e.pk), json.dumps([e.actor_username, e.detail])) for e in AuditEvent.objects.all()]
    assert leaks(audit) == []
    logs = [(("log", r.name), r.getMessage()) for r in caplog.records]
    access = [(("access log", i), line) for i, line in enumerate(client.access_log + anonymous.access_log)]
    assert len(access) > 8
    assert leaks(logs) == [] and leaks(access) == []
