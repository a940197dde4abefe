"""One matrix over roles × endpoints × relation (own organisation / other organisation / granted).
A case outside a user's reach must not leak through any page or API endpoint, and must answer 404
exactly like a case that does not exist."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sira.accounts.models import Role
from sira.cases.models import Case
from sira.cases.services import grant_access
from sira.testing.factories import CaseFactory, UserFactory

EDITORS = {Role.FRONTLINE, Role.CASE_MANAGER, Role.INVESTIGATOR}


def _web(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# Each endpoint answers "does the case's data reach this user here?"
def page_detail(user, case):
    status = _web(user).get(reverse("cases:detail", args=[case.pk])).status_code
    assert status in (200, 404)
    return status == 200


def page_list(user, case):
    return case.case_number in _web(user).get(reverse("cases:list")).content.decode()


def page_search(user, case):
    response = _web(user).post(
        reverse("cases:list"), {"q": f"{case.person.first_name} {case.person.last_name}"}, follow=True
    )
    return case.case_number in response.content.decode()


def _streamed(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def page_export(user, case):
    return case.case_number in _streamed(_web(user).get(reverse("cases:export")))


def page_edit_form(user, case):
    status = _web(user).get(reverse("cases:edit", args=[case.pk])).status_code
    assert status in (200, 403, 404)
    return status != 404


def api_list(user, case):
    return case.case_number in _api(user).get("/api/v1/cases/").content.decode()


def api_search(user, case):
    response = _api(user).post("/api/v1/cases/search/", {"q": case.person.last_name}, format="json")
    return case.case_number in response.content.decode()


def api_detail(user, case):
    status = _api(user).get(f"/api/v1/cases/{case.pk}/").status_code
    assert status in (200, 404)
    return status == 200


def api_export(user, case):
    return case.case_number in _streamed(_api(user).get("/api/v1/cases/export/"))


def api_duplicate_matches(user, case):
    """The probable duplicates of a case (sira/duplicates): case-derived, so only for who sees it."""
    status = _api(user).get(f"/api/v1/duplicates/cases/{case.pk}/matches/").status_code
    assert status in (200, 404)
    return status == 200


VIEW_ENDPOINTS = [
    page_detail,
    page_list,
    page_search,
    page_export,
    page_edit_form,
    api_list,
    api_search,
    api_detail,
    api_export,
    api_duplicate_matches,
]


def edit_payload(case) -> dict:
    """The edit page's form as a browser would send it, unchanged: every field with its value."""
    from sira.cases.forms import CaseEditForm, PersonForm

    data = {}
    for form in (
        PersonForm(instance=case.person, prefix="person"),
        CaseEditForm(instance=case, prefix="case"),
    ):
        for field in form:
            value = field.value()
            if value in (None, ""):
                continue
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def page_edit_post(user, case):
    """A complete, valid edit that closes the case: it must be saved exactly when the user may change
    the case (an incomplete form that saves nothing once counted as "may change")."""
    data = edit_payload(case) | {"case-case_status": "Closed", "case-closure_reason": "Reintegrated"}
    return _web(user).post(reverse("cases:edit", args=[case.pk]), data).status_code


def api_patch(user, case):
    payload = {"case_status": "Closed", "closure_reason": "Reintegrated", "version": case.version}
    return _api(user).patch(f"/api/v1/cases/{case.pk}/", payload, format="json").status_code


@pytest.fixture
def setting(org_a, org_b):
    def build(role, relation):
        user = UserFactory(username=f"u-{role}", organisation=org_a, role=role)
        if relation == "own":
            registrar = user if role in EDITORS else UserFactory(username="colleague", organisation=org_a)
            case = CaseFactory(by=registrar)
        else:
            case = CaseFactory(by=UserFactory(username="outsider", organisation=org_b), share_with=[org_a])
            if relation == "granted":
                grant_access(case, by=case.owner, organisation=org_a, reason="test referral")
            elif relation == "limited":  # an accepted referral's grant: its packet only, never the case
                grant_access(
                    case, by=case.owner, organisation=org_a, reason="Referral R-1", fields=["first_name"]
                )
        return user, Case.objects.select_related("person").get(pk=case.pk)

    return build


RELATIONS = ["own", "other", "granted", "limited"]


def expected_view(role, relation):
    return {"own": role in EDITORS, "other": False, "granted": True, "limited": False}[relation]


def expected_change(role, relation):
    return relation == "own" and role in EDITORS


@pytest.mark.parametrize("endpoint", VIEW_ENDPOINTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_who_sees_a_case(setting, role, relation, endpoint):
    user, case = setting(role, relation)
    assert endpoint(user, case) is expected_view(role, relation)


@pytest.mark.parametrize("endpoint", [page_edit_post, api_patch], ids=lambda f: f.__name__)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_who_changes_a_case(setting, role, relation, endpoint):
    user, case = setting(role, relation)
    status = endpoint(user, case)
    case.refresh_from_db()
    if expected_change(role, relation):
        assert status in (200, 302)
        assert (case.case_status, case.closure_reason) == ("Closed", "Reintegrated")
    elif expected_view(role, relation):
        assert status == 403
        assert case.case_status == "Active"
    else:
        assert status == 404
        assert case.case_status == "Active"


def test_missing_and_forbidden_answer_alike(setting):
    user, case = setting(Role.CASE_MANAGER, "other")
    missing = _web(user).get(reverse("cases:detail", args=[case.pk + 10_000]))
    forbidden = _web(user).get(reverse("cases:detail", args=[case.pk]))
    assert missing.status_code == forbidden.status_code == 404
    assert _page_text(missing) == _page_text(forbidden)


def _page_text(response) -> str:
    """The page without what differs by request anyway: the masked CSRF token and the path asked for
    (the 404 page has the menu, whose language switch returns to the current path)."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return body.replace(response.wsgi_request.path, "<path>")


def test_anonymous_is_sent_to_login(setting):
    _user, case = setting(Role.CASE_MANAGER, "own")
    from django.test import Client

    response = Client().get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert APIClient().get("/api/v1/cases/").status_code == 401


def test_revoked_grant_no_longer_gives_access(setting):
    user, case = setting(Role.SERVICE_PROVIDER, "granted")
    assert page_detail(user, case)
    case.grants.update(revoked_at="2026-01-01T00:00:00Z")
    assert not page_detail(user, case)


# Statistics outputs (issue 13): counts only, never a record. Whatever a user's role and relation to
# a case, no page, download or API figure of the statistics app names it, and the one case is never a
# visible count (1 is below the threshold) unless the user may read every record counted.
STATISTICS_OUTPUTS = [
    "/statistics/",
    "/statistics/region/ML01/",
    "/statistics/map/",
    "/statistics/map/?level=cercle",
    "/statistics/csv/region/",
    "/api/v1/statistics/region/",
    "/api/v1/statistics/?by=region,sex",
]


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_statistics_never_show_a_case(setting, role, relation):
    from sira.statistics import layer

    user, case = setting(role, relation)
    layer.refresh()
    for url in STATISTICS_OUTPUTS:
        client = _api(user) if url.startswith("/api/") else _web(user)
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        # Outside the filters' fixed choices: a generated surname ("Pires") can be a word of a label
        # ("Pires formes de travail des enfants").
        shown = re.sub(r"<select.*?</select>", "", body, flags=re.S)
        assert case.case_number not in body and case.person.last_name not in shown, url
        if url.startswith("/api/"):
            payload = response.json()
            assert payload["suppressed"] is not layer.has_record_access(user, layer.Query())
            assert all(row["value"] is None for row in payload["rows"]), url  # one case: hidden


@pytest.mark.parametrize("relation", ["own", "granted"])
@pytest.mark.parametrize("role", list(Role))
def test_annual_report_never_carries_a_case(setting, role, relation):
    """The annual report (a statistics output, issue 13): a PDF for the national aggregate roles, 403
    for every other role, and never a case's number or a person's name, whatever the relation."""
    import io

    import pypdf

    from sira.accounts.access import sees_aggregates
    from sira.statistics import layer

    user, case = setting(role, relation)
    layer.refresh()
    year = case.identification_date.year
    response = _web(user).get(reverse("annual_report_pdf"), {"year": year, "lang": "fr"})
    if not sees_aggregates(user):
        assert response.status_code == 403
        return
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert case.case_number not in text
    assert case.person.last_name not in text and case.person.first_name not in text
