"""One walk over every statistics output (pages, per-region pages, map, CSV downloads, API figures,
home dashboard, referral and justice figures) as users without record access: no count between 1 and
the threshold − 1 appears anywhere, and no line of a table shows a single hidden cell beside its total."""

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from sira.accounts.models import Role, Scope
from sira.geo.models import Region
from sira.screening.models import Screening
from sira.statistics import dashboard, layer
from sira.statistics.tests.helpers import register
from sira.testing.factories import OrganisationFactory, UserFactory

T = 5
SMALL = set(range(1, T))


@pytest.fixture
def data(awa, org_b):
    kayes = UserFactory(username="kayes.worker", organisation=org_b, role=Role.FRONTLINE)
    plan = [  # (by, region, n, gender, age, forms, origin)
        (awa, "ML09", 7, "Feminine", 14, ("DomesticServitude",), "ML04"),
        (awa, "ML09", 2, "Masculine", 9, ("ForcedBeggingKoranic",), "ML05"),
        (kayes, "ML01", 6, "Masculine", 16, ("ChildLabour",), "ML01"),
        (kayes, "ML01", 1, "Feminine", 30, ("SexualExploitation", "ForcedLabour"), None),
        (awa, "ML08", 1, "Feminine", 17, ("ForcedMarriage",), "ML08"),  # Kidal: one person
        (awa, "ML07", 3, "Masculine", 15, ("ArmedForcesRecruitment",), "ML07"),
    ]
    for by, region, n, gender, age, forms, origin in plan:
        for _ in range(n):
            register(
                by, region=region, gender=gender, age=age, forms=forms, origin=origin, exploitation=region
            )
    for outcome, n in (("strong", 6), ("some", 2), ("none", 1)):
        for _ in range(n):
            Screening.objects.create(
                organisation=awa.organisation,
                screened_by=awa,
                screened_on="2025-04-01",
                status=Screening.Status.COMPLETE,
                outcome=outcome,
                **_screening_required(),
            )
    layer.refresh()


def _screening_required():
    from sira.screening.models import CatalogueVersion

    return {"catalogue": CatalogueVersion.objects.order_by("pk").first(), "answers": {}, "result": {}}


def _users(secretariat, awa, org_a):
    return [
        secretariat,  # national statistician: aggregates only
        awa,  # organisation scope
        UserFactory(username="frontline.own", organisation=org_a, role=Role.FRONTLINE),
        UserFactory(username="provider", organisation=org_a, role=Role.SERVICE_PROVIDER, scope=Scope.GRANTED),
        UserFactory(username="admin.x", organisation=org_a, role=Role.ADMINISTRATOR, scope=Scope.NATIONAL),
    ]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


CELL = re.compile(r"<(td|text|strong)[^>]*>(.*?)</\1>", re.S)
TITLE = re.compile(r"<title>[^<:]*: ([^<]*)</title>")


def small_in_html(html: str) -> list[str]:
    found = []
    for _tag, inner in CELL.findall(html):
        text = re.sub(r"<[^>]+>", " ", inner)
        text = text.replace("&lt;5", "").replace("<5", "")
        found += [n for n in re.findall(r"\b\d+\b", text) if int(n) in SMALL]
    for value in TITLE.findall(html):
        if value.strip().isdigit() and int(value) in SMALL:
            found.append(value)
    return found


def small_in_csv(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    return [r[-1] for r in rows[1:] if r and r[-1].isdigit() and int(r[-1]) in SMALL]


def small_in_json(payload) -> list:
    found = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, int) and not isinstance(node, bool) and key in ("value", "total", "n"):
            found.extend([(key, node)] if node in SMALL else [])

    walk(payload)
    return found


def single_hidden(payload) -> bool:
    """A one-way table whose total is shown and exactly one cell hidden: that cell is derivable."""
    if len(payload["by"]) != 1 or payload["total"] is None:
        return False
    return sum(1 for r in payload["rows"] if r["value"] is None) == 1


def urls_to_walk():
    regions = list(Region.objects.values_list("pk", flat=True))
    pages = [reverse("statistics:overview"), reverse("statistics:overview") + "?year=2025&sex=Feminine"]
    pages += [reverse("statistics:overview") + "?form=DomesticServitude&age_group=12-14"]
    pages += [reverse("statistics:region", args=[r]) for r in regions]
    pages += [reverse("accounts:dashboard"), reverse("referral_figures"), reverse("justice_statistics")]
    for measure in ("victims", "screenings", "referrals"):
        for place in dashboard.MAP_PLACES:
            for level in ("region", "cercle"):
                pages.append(f"{reverse('statistics:map')}?measure={measure}&place={place}&level={level}")
    csvs = []
    for panel in dashboard.PANELS:
        base = reverse("statistics:csv", args=[panel.key])
        csvs += [base, base + "?sex=Masculine", base + "?region_page=ML09"]
    apis = [f"/api/v1/statistics/{p.key}/" for p in dashboard.PANELS]
    apis += [f"/api/v1/statistics/{p.key}/?region=ML01" for p in dashboard.PANELS]
    for name, dim in layer.DIMENSIONS.items():
        for measure in dim.measures:
            apis.append(f"/api/v1/statistics/?measure={measure}&by={name}")
    apis += [
        "/api/v1/statistics/?by=sex,age_group",
        "/api/v1/statistics/?by=origin_region,exploitation_region",
    ]
    apis += ["/api/v1/justice/statistics/"]
    return pages, csvs, apis


def test_no_output_shows_a_small_count(data, secretariat, awa, org_a):
    # The fixture really has small cells: a user with record access sees them.
    national = UserFactory(
        username="national.cm",
        organisation=OrganisationFactory(name="Direction test", acronym="TSTD"),
        role=Role.CASE_MANAGER,
        scope=Scope.NATIONAL,
    )
    exact = layer.run(layer.Query(by=("region",)), national)
    assert {r.key[0]: r.value for r in exact.rows}["ML08"] == 1
    assert small_in_json(_client(national).get("/api/v1/statistics/region/").json())

    pages, csvs, apis = urls_to_walk()
    walked = 0
    for user in _users(secretariat, awa, org_a):
        client = _client(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            if url == reverse("accounts:dashboard"):
                # The home page also lists the user's own cases (records they may open): only its
                # national figures are statistics.
                html = (
                    html.split('data-testid="national-figures"')[1].split("</section>")[0]
                    if ('data-testid="national-figures"' in html)
                    else ""
                )
            assert small_in_html(html) == [], (user.username, url)
            walked += 1
        for url in csvs:
            response = client.get(url)
            assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), url
            assert small_in_csv(response.content.decode()) == [], (user.username, url)
            walked += 1
        for url in apis:
            response = client.get(url)
            assert response.status_code == 200, url
            payload = json.loads(response.content)
            assert small_in_json(payload) == [], (user.username, url)
            if "rows" in payload:
                assert payload["suppressed"] and not single_hidden(payload), (user.username, url)
            walked += 1
    assert walked > 500


def test_hidden_cells_are_shown_as_below_threshold(data, secretariat):
    client = _client(secretariat)
    page = client.get(reverse("statistics:overview")).content.decode()
    assert "&lt;5" in page
    svg = client.get(reverse("statistics:map")).content.decode()
    assert 'class="hidden" data-code="ML08"' in svg  # Kidal greyed
    text = client.get(reverse("statistics:csv", args=["region"])).content.decode()
    assert "Kidal,<5" in text


def test_pages_in_french_and_english(data, secretariat):
    client = _client(secretariat)
    fr = client.get(reverse("statistics:overview"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Statistiques nationales" in fr and "Par sexe" in fr
    client.cookies["django_language"] = "en"
    en = client.get(reverse("statistics:overview")).content.decode()
    assert "National statistics" in en and "By sex" in en
    en_map = client.get(reverse("statistics:map")).content.decode()
    assert "Table view" in en_map
    client.cookies["django_language"] = "fr"
    fr_csv = client.get(reverse("statistics:csv", args=["sex"])).content.decode()
    assert fr_csv.startswith("Sexe,Victimes (cas)")


def test_bad_filters_are_named_and_ignored(data, secretariat):
    client = _client(secretariat)
    response = client.get(reverse("statistics:overview") + "?year=1990&quarter=9")
    assert response.status_code == 200
    assert "Some filters" in response.content.decode() or "filtres" in response.content.decode()
    api = client.get("/api/v1/statistics/?by=colour")
    assert api.status_code == 400
    assert client.get("/api/v1/statistics/nope/").status_code == 404
    assert client.get(reverse("statistics:region", args=["ML99"])).status_code == 404
