"""The case list at scale: keyset pages that give every visible case exactly once (ties on the date
included, with filters and search), a capped count, bounded query counts, and registration numbers
from a locked counter that concurrent registrations never share."""

import datetime as dt
import threading
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from sira.accounts.models import Role, Scope
from sira.cases import access, api, paging, services, views
from sira.cases.models import Case, CaseNumberCounter
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory

DAYS = [dt.date(2025, 3, d) for d in (1, 2, 2, 2, 5, 5, 9)]  # ties on the sort's first key


@pytest.fixture
def world(org_a, org_b, awa, bakary):
    """Cases of two organisations in two regions, several on the same day, a few called Coulibaly, one
    of B's granted to A; and a user of each scope."""
    cases = []
    for i, day in enumerate(DAYS):
        for by, region in ((awa, "ML09"), (bakary, "ML01")):
            cases.append(
                CaseFactory(
                    by=by,
                    identification_date=day,
                    region=region,
                    last_name="Coulibaly" if i % 2 else "Diarra",
                    gender="Masculine" if i % 3 == 0 else "Feminine",
                    share_with=[org_a] if by == bakary and i == 3 else (),
                )
            )
    shared = cases[2 * 3 + 1]  # B's case of day 3, whose person consented to sharing with A
    services.grant_access(shared, by=bakary, reason="Référence", organisation=org_a)
    users = {
        "organisation": awa,
        "own": UserFactory(username="frontline", organisation=org_a, role=Role.FRONTLINE, scope=Scope.OWN),
        "region": UserFactory(
            username="enqueteur",
            organisation=OrganisationFactory(name="Brigade régionale", acronym="BRG", region_id="ML01"),
            role=Role.INVESTIGATOR,
            scope=Scope.REGION,
        ),
        "national": UserFactory(
            username="national",
            organisation=OrganisationFactory(name="Direction nationale", acronym="DN"),
            role=Role.CASE_MANAGER,
            scope=Scope.NATIONAL,
        ),
        "granted": UserFactory(
            username="partner", organisation=org_a, role=Role.PROSECUTOR, scope=Scope.GRANTED
        ),
    }
    return {"cases": cases, "users": users, "shared": shared}


def _walk_pages(client, params, size, monkeypatch):
    """Every page of the list from the first, following `next`; then back again following `previous`.
    Returns the pages' case ids, forwards and backwards."""
    monkeypatch.setattr(views, "PAGE_SIZE", size)
    if "q" in params:  # a search is POSTed; the pages carry its token, never the name
        from urllib.parse import parse_qsl, urlsplit

        location = client.post(reverse("cases:list"), params)["Location"]
        params = dict(parse_qsl(urlsplit(location).query))
        assert "s" in params and "q" not in params and "Coulibaly" not in location
    pages, cursor = [], None
    while True:
        response = client.get(reverse("cases:list"), params | ({"after": cursor} if cursor else {}))
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([c.pk for c in response.context["rows"]])
        assert len(pages[-1]) <= size
        if not page.has_next:
            break
        assert f"after={page.next_cursor}" in response.content.decode()
        cursor = page.next_cursor
        assert len(pages) < 100
    back, cursor = [pages[-1]], page.previous_cursor
    while cursor:
        response = client.get(reverse("cases:list"), params | {"before": cursor})
        back.insert(0, [c.pk for c in response.context["rows"]])
        cursor = response.context["page"].previous_cursor
    return pages, back


def _expected(user, **conditions):
    cases = access.visible_cases(user).filter(**conditions)
    return list(cases.order_by("-identification_date", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize("scope", ["organisation", "own", "region", "national", "granted"])
def test_walking_the_pages_gives_every_visible_case_once_in_order(world, client, monkeypatch, scope):
    user = world["users"][scope]
    client.force_login(user)
    pages, back = _walk_pages(client, {}, 3, monkeypatch)
    seen = [pk for page in pages for pk in page]
    expected = _expected(user)
    assert expected, "each scope sees some case here"
    assert seen == expected  # each once, newest first, ties by id
    assert back == pages  # previous links lead back through the same pages
    if scope in ("organisation", "granted"):
        assert world["shared"].pk in seen
    if scope == "national":
        assert len(seen) == len(world["cases"])


def test_walking_the_pages_of_a_search_with_a_filter(world, client, monkeypatch):
    awa = world["users"]["organisation"]
    client.force_login(awa)
    pages, back = _walk_pages(client, {"q": "Coulibaly", "gender": "Feminine"}, 1, monkeypatch)
    seen = [pk for page in pages for pk in page]
    expected = set(_expected(awa, person__gender="Feminine"))
    expected &= {c.pk for c in world["cases"] if c.person.last_name == "Coulibaly"}
    assert len(seen) == len(set(seen)) and set(seen) == expected and len(expected) >= 2
    assert back == pages


def test_walking_the_api_pages(world, monkeypatch):
    monkeypatch.setattr(api.CaseCursorPagination, "page_size", 2)
    user = world["users"]["region"]
    client = APIClient()
    client.force_authenticate(user)
    url, seen, pages = "/api/v1/cases/?case_status=Active", [], 0
    while url:
        body = client.get(url).json()
        assert body["count"] == len(_expected(user)) and body["count_capped"] is False
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
        assert "page=" not in (url or "") and (url is None or "case_status=Active" in url)
    assert seen == _expected(user) and pages == -(-len(seen) // 2)
    # `previous` from the second page leads back to the first
    second = client.get(f"/api/v1/cases/?after={paging.encode_cursor(_last_values(seen[1]))}").json()
    assert [r["id"] for r in client.get(second["previous"]).json()["results"]] == seen[:2]


def _last_values(pk):
    case = Case.objects.get(pk=pk)
    return [case.identification_date, case.pk]


@pytest.mark.parametrize(
    "cursor", ["", "nonsense", paging.encode_cursor(["x", 1]), paging.encode_cursor([1])]
)
def test_a_cursor_that_is_not_ours_gives_the_first_page(world, client, cursor):
    client.force_login(world["users"]["national"])
    response = client.get(reverse("cases:list"), {"after": cursor})
    assert response.status_code == 200 and not response.context["page"].has_previous
    assert [c.pk for c in response.context["rows"]] == _expected(world["users"]["national"])


def test_the_count_stops_at_the_cap(world, client, monkeypatch):
    assert paging.capped_count(Case.objects.all(), cap=3) == (3, True)
    assert paging.capped_count(Case.objects.all(), cap=100) == (len(world["cases"]), False)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    client.force_login(world["users"]["national"])
    response = client.get(reverse("cases:list"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.context["page"]
    assert page.count == 5 and page.capped
    assert "5+" in response.content.decode()


@pytest.mark.parametrize("cases", [3, 30])
def test_the_list_page_and_api_cost_a_bounded_number_of_queries(
    awa, client, django_assert_max_num_queries, cases
):
    for n in range(cases):
        CaseFactory(by=awa, identification_date=dt.date(2025, 1, 1 + n % 5))
    client.force_login(awa)
    # session, user, second-factor device, grants, capped count, page, forms, names, audit chain head
    # and entry, filter choices, session save
    with django_assert_max_num_queries(16):
        first = client.get(reverse("cases:list"))
    cursor = first.context["page"].next_cursor
    if cursor:
        with django_assert_max_num_queries(16):
            client.get(reverse("cases:list"), {"after": cursor, "gender": "Feminine"})
    api_client = APIClient()
    api_client.force_authenticate(awa)
    with django_assert_max_num_queries(8):
        assert api_client.get("/api/v1/cases/").status_code == 200


# ---------------------------------------------------------------------------------------------------
# Registration numbers


def test_numbers_come_from_the_counter_and_skip_one_given_by_hand(awa):
    year = dt.date.today().year
    first = CaseFactory(by=awa, identification_date=dt.date(year, 1, 2))
    assert first.case_number == f"TSTA-{year}-0001"
    assert CaseNumberCounter.objects.get(organisation=awa.organisation, year=year).last == 1
    Case.objects.filter(pk=first.pk).update(case_number=f"TSTA-{year}-0007")
    CaseNumberCounter.objects.all().delete()  # as before the counters: started from the numbers given
    assert CaseFactory(by=awa, identification_date=dt.date(year, 1, 3)).case_number == f"TSTA-{year}-0008"
    CaseNumberCounter.objects.filter(year=year).update(last=6)  # a number given by hand is skipped
    assert services.next_case_number(awa.organisation, year) == f"TSTA-{year}-0009"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer on one lock: only PostgreSQL shows concurrent registrations",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_never_share_a_number():
    from django.db import connections

    organisation = OrganisationFactory(name="ONG concurrente", acronym="CONC")
    users = [UserFactory(username=f"agent{i}", organisation=organisation) for i in range(6)]
    numbers, errors = [], []
    start = threading.Barrier(len(users))

    def register(user):
        try:
            start.wait()
            for _ in range(4):
                numbers.append(CaseFactory(by=user, identification_date=dt.date(2025, 6, 1)).case_number)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"CONC-2025-{n:04d}" for n in range(1, 25)]


def test_cursor_round_trip():
    token = paging.encode_cursor([dt.date(2025, 3, 2), 17])
    assert paging.decode_cursor(token, 2) == ["2025-03-02", 17]
    assert parse_qs(urlparse(f"/?after={token}").query)["after"] == [token]


@pytest.mark.parametrize(
    "params",
    [{}, {"gender": "Feminine"}, {"form": "DomesticServitude", "region": "ML01", "date_from": "2025-01-01"}],
)
def test_the_filter_fields_drawn_once_are_those_the_form_draws(db, params):
    """The list's filter fields are drawn once per combination of values and language: the same HTML
    as the form itself draws, with the chosen values selected, in the page's language."""
    from django.http import QueryDict
    from django.utils import translation

    from sira.cases import filters

    for language, label in (("fr", "Sexe / genre"), ("en", "Sex / gender")):
        with translation.override(language):
            data = QueryDict(mutable=True)
            data.update(params)
            form = filters.CaseListFilter(data if params else None).form
            names = [n for n in form.fields if n != "q"]
            drawn = filters.filter_fields_html(form, language)
            assert drawn == filters._draw(form, names) and label in drawn
            assert filters.filter_fields_html(form, language) is drawn  # the second time, from the cache
            for value in params.values():
                assert f'value="{value}"' in drawn and (
                    f'value="{value}" selected' in drawn or "date" in str(drawn)
                )


def test_a_filter_form_with_errors_is_drawn_afresh(db):
    from django.http import QueryDict

    from sira.cases import filters

    form = filters.CaseListFilter(QueryDict("date_from=not-a-date")).form
    assert form.errors
    drawn = filters.filter_fields_html(form, "en")
    assert 'value="not-a-date"' in drawn and 'aria-invalid="true"' in drawn
