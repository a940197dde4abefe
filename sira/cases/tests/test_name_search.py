"""Finding people: partial names, any order, no case or accents, Malian spelling variants, through
keyed tokens; bounded queries; only the names shown are decrypted; tokens follow every write."""

import datetime as dt

import pytest
from cryptography.fernet import MultiFernet
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases import access, services
from sira.cases.models import Case, Person, PersonNameToken
from sira.cases.search import search_cases
from sira.core.crypto import blind_index
from sira.testing.factories import CaseFactory

PEOPLE = {
    "coulibaly": ("Awa", "Coulibaly"),
    "traore": ("Mariam", "Traoré"),
    "keita": ("Fatoumata", "Keïta"),
    "diarra": ("Mamadou", "Diarra"),
    "sidibe": ("Oumar", "Sidibé"),
    "konate": ("Aminatou", "Konaté"),
    "toure": ("Moussa", "Touré"),
    "diallo": ("Ousmane", "Diallo"),
    "kante": ("Mariame", "Kanté"),
    "sissoko": ("Kadiatou", "Sissoko"),
    "dembele": ("Bandiougou", "Dembélé"),
    "maiga": ("Hawa", "Maïga"),
    "cisse": ("Bakary", "Cissé"),
    "ouattara": ("Seydou", "Ouattara"),
}

# query → exactly the people it must find (so everything else is, in effect, the negative table)
FOUND = [
    ("Kulibali", {"coulibaly"}),
    ("Coulibali", {"coulibaly"}),
    ("koulibaly", {"coulibaly"}),
    ("Traore", {"traore"}),
    ("TRAORÉ", {"traore"}),
    ("Keita", {"keita"}),
    ("Diara", {"diarra"}),
    ("Jara", {"diarra"}),
    ("Mamadu", {"diarra"}),
    ("Umar", {"sidibe"}),
    ("Fatimata", {"keita"}),
    ("Sidibe", {"sidibe"}),
    ("Konate", {"konate"}),
    ("Ture", {"toure"}),
    ("Jallo", {"diallo"}),
    ("Kante", {"kante"}),
    ("Sisoko", {"sissoko"}),
    ("Dembele", {"dembele"}),
    ("Maiga", {"maiga"}),
    ("Usman", {"diallo"}),
    ("Musa", {"toure"}),
    ("Aminata", {"konate"}),
    ("Aminato", {"konate"}),  # the start of the name as written, not of its phonetic key
    ("Mariam", {"traore", "kante"}),
    ("Mariame", {"traore", "kante"}),
    ("Sisse", {"cisse", "sissoko"}),  # Sissoko starts with the same sound: found, ranked after
    ("Wattara", {"ouattara"}),
    ("Seidou", {"ouattara"}),
    ("Bakari", {"cisse"}),
    ("Kadidiatou", {"sissoko"}),
    # partial (start of a word), reversed order, both
    ("Awa Coul", {"coulibaly"}),
    ("Coulibaly Awa", {"coulibaly"}),
    ("coul awa", {"coulibaly"}),
    ("Kulib", {"coulibaly"}),
    ("awa kulibali", {"coulibaly"}),
    ("Trao", {"traore"}),
    ("Bandiougo", {"dembele"}),  # longer than the longest prefix indexed: looked up by its first 8 letters
    ("Mam Diar", {"diarra"}),
    ("Diarra Mamadou", {"diarra"}),
    ("Awa", {"coulibaly", "maiga"}),  # Hawa sounds the same
    # not found: unrelated names, and every word must match
    ("Diallo", {"diallo"}),
    ("Diarra", {"diarra"}),
    ("Touré", {"toure"}),
    ("Kanté", {"kante"}),
    ("Camara", set()),
    ("Fanta", set()),
    ("Awa Traoré", set()),
    ("Mamadou Coulibaly", set()),
    ("Omar", set()),
    ("Coulibaba", set()),
    ("Zz", set()),
]


@pytest.fixture
def people(awa):
    return {
        key: CaseFactory(by=awa, first_name=first, last_name=last) for key, (first, last) in PEOPLE.items()
    }


def found(user, text) -> list[Case]:
    return list(search_cases(access.visible_cases(user), text))


def keys(people, cases) -> set[str]:
    by_pk = {case.pk: key for key, case in people.items()}
    return {by_pk[c.pk] for c in cases}


@pytest.mark.parametrize(
    ("text", "expected"),
    FOUND,
    ids=[f"{i:02d}-" + t.encode("ascii", "ignore").decode() for i, (t, _) in enumerate(FOUND)],
)
def test_search_finds_exactly_the_people_named(people, awa, text, expected):
    assert keys(people, found(awa, text)) == expected


def test_exact_spelling_ranks_before_variants_and_prefixes(people, awa):
    assert [c.pk for c in found(awa, "Awa")] == [people["coulibaly"].pk, people["maiga"].pk]
    assert [c.pk for c in found(awa, "Hawa")] == [people["maiga"].pk, people["coulibaly"].pk]
    assert [c.pk for c in found(awa, "Cissé")] == [people["cisse"].pk, people["sissoko"].pk]


def test_case_number_by_prefix_in_any_case(people, awa):
    case = people["keita"]
    assert found(awa, case.case_number.lower()) == [case]
    assert set(found(awa, case.case_number[:6].lower())) == set(people.values())
    assert found(awa, "XYZ-2026") == []


def test_case_numbers_are_stored_in_capitals(awa):
    case = CaseFactory(by=awa)
    case.case_number = " tsta-manual-7 "
    case.save()
    assert Case.objects.get(pk=case.pk).case_number == "TSTA-MANUAL-7"
    assert found(awa, "tsta-man") == [case]


def test_search_stays_in_the_users_scope(people, bakary):
    CaseFactory(by=bakary, first_name="Awa", last_name="Coulibaly")
    results = found(bakary, "Coulibaly")
    assert len(results) == 1 and results[0].organisation == bakary.organisation


# --- the page ---------------------------------------------------------------------------------------


def search_url(client, text):
    """The search is POSTed; the list it leads to carries a token, not the name."""
    response = client.post(reverse("cases:list"), {"q": text})
    assert response.status_code == 303 and (not text or text not in response["Location"])
    return response["Location"]


def list_page(client, user, text):
    client.force_login(user)
    return client.get(search_url(client, text))


def test_list_shows_names_to_tell_people_apart_and_audits_the_read(awa, client):
    first = CaseFactory(by=awa, first_name="Awa", last_name="Coulibaly", estimated_age=14)
    second = CaseFactory(by=awa, first_name="Awa", last_name="Kulibali", estimated_age=9, region="ML04")
    CaseFactory(by=awa, first_name="Salif", last_name="Keita")
    before = AuditEvent.objects.filter(action="view_identity").count()
    response = list_page(client, awa, "awa coulibaly")
    rows = response.context["rows"]
    assert [c.pk for c in rows] == [first.pk, second.pk]
    assert [c.list_name for c in rows] == ["Awa Coulibaly", "Awa Kulibali"]
    body = response.content.decode()
    assert "Awa Kulibali" in body and "Salif" not in body
    # age, region and date beside the name, so the two can be told apart
    second_row = body[body.index("Awa Kulibali") :].split("</tr>")[0]
    assert "Ségou" in second_row and ">9<" in second_row
    assert second.identification_date.strftime("%d/%m/%Y") in second_row
    event = AuditEvent.objects.filter(action="view_identity").latest("id")
    assert AuditEvent.objects.filter(action="view_identity").count() == before + 1
    assert (event.actor, sorted(event.detail["cases"])) == (awa, sorted([first.pk, second.pk]))


def test_search_box_is_at_the_top_of_the_list(awa, client):
    body = list_page(client, awa, "").content.decode()
    search, filters = body.index('name="q"'), body.index("<details")
    assert search < filters < body.index("<table")
    assert 'type="search"' in body and 'autocomplete="off"' in body


def test_national_roles_never_see_a_name_on_the_list(awa, secretariat, client):
    case = CaseFactory(
        by=awa, first_name="Zelinda", last_name="Quorvath", share_with=[secretariat.organisation]
    )
    services.grant_access(case, by=awa, user=secretariat, reason="test")
    before = AuditEvent.objects.filter(action="view_identity").count()
    response = list_page(client, secretariat, "Quorvath")
    assert [c.pk for c in response.context["rows"]] == [case.pk]  # found, through the tokens
    body = response.content.decode()
    assert "Zelinda" not in body and "Quorvath</td>" not in body
    assert not hasattr(response.context["rows"][0], "list_name")
    assert AuditEvent.objects.filter(action="view_identity").count() == before


# --- cost ---------------------------------------------------------------------------------------------


@pytest.fixture
def count_decrypts(monkeypatch):
    calls = []
    original = MultiFernet.decrypt

    def counting(self, token, *args, **kwargs):
        calls.append(1)
        return original(self, token, *args, **kwargs)

    monkeypatch.setattr(MultiFernet, "decrypt", counting)
    return calls


@pytest.mark.parametrize("matches", [3, 40])
def test_search_costs_a_bounded_number_of_queries_and_decrypts_only_the_names_shown(
    awa, client, django_assert_max_num_queries, count_decrypts, matches
):
    for n in range(matches):
        CaseFactory(by=awa, first_name=f"Awa{n}", last_name="Coulibaly")
    CaseFactory.create_batch(5, by=awa, last_name="Diarra")
    client.force_login(awa)
    url = search_url(client, "kulibali")
    count_decrypts.clear()
    # 16: the grants read first (sira.cases.access) so that the page is read in index order, and
    # the count taken one score at a time (search.tier_count), whatever the number of matches;
    # +1: the session's second-factor device (django-otp checks it still exists on every request);
    # +1: the identity-read audit entry reads the head of the audit chain
    with django_assert_max_num_queries(18):
        response = client.get(url)
    rows = response.context["rows"]
    assert len(rows) == min(matches, 25) and response.context["page"].count == matches
    assert all("Coulibaly" in c.list_name for c in rows)
    # first name + last name for each row shown (no middle name here), and the search's token once;
    # nothing else decrypted
    assert len(count_decrypts) == 2 * len(rows) + 1


def test_search_itself_decrypts_nothing(awa, count_decrypts):
    CaseFactory.create_batch(5, by=awa, last_name="Coulibaly")
    count_decrypts.clear()
    assert len(found(awa, "Coul")) == 5
    assert count_decrypts == []


def test_api_list_searches_the_same_way_and_decrypts_nothing(
    awa, django_assert_max_num_queries, count_decrypts
):
    case = CaseFactory(by=awa, first_name="Fatoumata", last_name="Traoré")
    CaseFactory.create_batch(10, by=awa, last_name="Diarra")
    client = APIClient()
    client.force_authenticate(awa)
    count_decrypts.clear()
    with django_assert_max_num_queries(4):
        response = client.post("/api/v1/cases/search/", {"q": "traore fatimata"}, format="json")
    assert [r["id"] for r in response.json()["results"]] == [case.pk]
    assert count_decrypts == []


# --- tokens follow every write -----------------------------------------------------------------------


def test_editing_a_name_replaces_its_tokens(awa):
    case = CaseFactory(by=awa, first_name="Awa", last_name="Coulibaly")
    services.update_case(case, by=awa, person={"last_name": "Traoré"}, case_fields={})
    assert found(awa, "Coulibaly") == [] and found(awa, "Coul") == []
    assert found(awa, "Awa Traore") == [case]
    services.update_case(case, by=awa, person={"estimated_age": 15}, case_fields={})
    assert found(awa, "Awa Traore") == [case]  # a save without a name change keeps them


def test_tokens_are_written_by_api_registration(awa):
    from sira.cases.tests.test_api import payload

    client = APIClient()
    client.force_authenticate(awa)
    response = client.post("/api/v1/cases/", payload(case_number="api-7"), format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.case_number == "API-7"
    for text in ("Rokia Sangare", "api-7"):
        response = client.post("/api/v1/cases/search/", {"q": text}, format="json")
        assert response.json()["results"][0]["id"] == case.pk


def test_tokens_are_written_by_page_registration(awa, client):
    from sira.cases.tests.test_registration import post, valid_post

    assert post(client, awa, valid_post()).status_code == 302
    case = Case.objects.get()
    assert found(awa, "Assitan Dembele") == [case]


def test_tokens_are_written_when_a_screening_becomes_a_case(awa):
    from sira.screening import services as screening_services

    screening = screening_services.start_screening(
        by=awa,
        profile={"screened_on": dt.date.today(), "gender": "Masculine", "age": 12, "region_id": "ML01"},
    )
    case = screening_services.promote_to_case(
        screening,
        by=awa,
        person={"first_name": "Adama", "last_name": "Kouyaté", "gender": "Masculine", "estimated_age": 12},
        case={
            "identification_date": dt.date.today(),
            "identification_context": "FlowMonitoringPoint",
            "identification_region_id": "ML01",
        },
        exploitation={"forms": ["ForcedLabour"]},
        route=[],
        consents={"Registration": {"given": True}},
    )
    assert found(awa, "adama kuyate") == [case]


@pytest.mark.slow
def test_tokens_are_written_for_demo_data(db):
    call_command("seed_demo", cases=20)
    people = Person.objects.all()
    from sira.demo.seed import INTEROP_CASES  # the partner's file the demo imports (sira/interop)

    assert people.count() == 20 + INTEROP_CASES
    assert not people.filter(name_tokens__isnull=True).exists()
    for person in people[:5]:
        case = person.cases.get()
        assert case in found(case.owner, f"{person.last_name} {person.first_name}")


def test_rebuild_command_restores_search_after_a_key_change(awa, settings):
    case = CaseFactory(by=awa, first_name="Awa", last_name="Coulibaly")
    settings.SIRA_BLIND_INDEX_KEY = "rotated-blind-index-key"
    assert found(awa, "Coulibaly") == []  # tokens made with the old key
    call_command("rebuild_name_tokens")
    assert found(awa, "Kulibali Awa") == [case]
    person = Person.objects.get(pk=case.person_id)
    assert (person.first_name_index, person.last_name_index) == (blind_index("awa"), blind_index("COULIBALY"))
    assert PersonNameToken.objects.filter(person_id=case.person_id).count() > 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_builds_tokens_for_persons_registered_before_it(awa):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from sira.core.names import name_tokens

    before, after = [("cases", "0001_initial")], [("cases", "0002_name_tokens")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    person = old.get_model("cases", "Person").objects.create(
        organisation_id=awa.organisation_id, first_name="Awa", last_name="Kulibali", gender="Feminine"
    )
    old.get_model("cases", "Case").objects.create(
        case_number="tsta-old-1",
        organisation_id=awa.organisation_id,
        person_id=person.pk,
        identified_by_id=awa.pk,
        owner_id=awa.pk,
        identification_date=dt.date.today(),
        identification_context="Community",
        identification_region_id="ML01",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    stored = set(PersonNameToken.objects.filter(person_id=person.pk).values_list("token", flat=True))
    assert stored == set(name_tokens("Awa", None, "Kulibali"))
    # Every later migration applied before reading with today's models (and for the tests after this).
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    case = Case.objects.get()
    assert case.case_number == "TSTA-OLD-1"
    assert found(awa, "Coulibaly Awa") == [case]


@pytest.fixture
def many_coulibalys(awa):
    """Exact spellings, phonetic variants, prefixes and prefixes of the sound, several on one day."""
    names = ["Coulibaly", "Kulibali", "Coulibalyni", "Kulibalini", "Diarra", "Koulibaly"]
    days = [dt.date(2025, 1, d) for d in (3, 3, 7, 9, 9, 9, 12)]
    return [CaseFactory(by=awa, last_name=name, identification_date=day) for name in names for day in days]


def _walk(user, text, *, size, cap):
    from sira.cases import search

    queryset = access.visible_cases(user)
    pages, cursor = [], None
    while True:
        page = search.paginate(queryset, text=text, after=cursor, size=size, cap=cap)
        pages.append([c.pk for c in page.rows])
        if not page.has_next:
            break
        cursor = page.next_cursor
        assert len(pages) < 100
    back, cursor = [pages[-1]], page.previous_cursor
    while cursor:
        page = search.paginate(queryset, text=text, before=cursor, size=size, cap=cap)
        back.insert(0, [c.pk for c in page.rows])
        cursor = page.previous_cursor
    return pages, back


@pytest.mark.parametrize("text", ["Coulibaly", "kulibali", "Coul", "Kulib", "TSTA-2"])
def test_a_large_search_read_tier_by_tier_gives_the_ranked_order(awa, many_coulibalys, text):
    """Beyond the count cap a one-word search is read one score at a time through the list's order
    index: the pages hold exactly the ranked cases, each once, in the ranked order, forwards and back."""
    from sira.cases import search

    ranked = [c.pk for c in search_cases(access.visible_cases(awa), text)]
    assert len(ranked) > 7
    parts = search.tiers(access.visible_cases(awa), text)
    assert search.tier_count(parts, 1000) == (len(ranked), False)
    assert search.tier_count(parts, len(ranked)) == (len(ranked), False)
    assert search.tier_count(parts, len(ranked) - 1) == (len(ranked) - 1, True)
    for cap in (2, 1000):  # tiers (the count is capped) and one scored query
        pages, back = _walk(awa, text, size=4, cap=cap)
        assert [pk for page in pages for pk in page] == ranked
        assert back == pages


def test_a_cursor_carries_over_between_the_two_ways_of_reading(awa, many_coulibalys):
    from sira.cases import search

    queryset = access.visible_cases(awa)
    scored = search.paginate(queryset, text="Coulibaly", size=5, cap=1000)
    tiered = search.paginate(queryset, text="Coulibaly", size=5, cap=2)
    assert [c.pk for c in scored.rows] == [c.pk for c in tiered.rows]
    assert scored.next_cursor == tiered.next_cursor
    after_scored = search.paginate(queryset, text="Coulibaly", after=scored.next_cursor, size=5, cap=2)
    after_tiered = search.paginate(queryset, text="Coulibaly", after=tiered.next_cursor, size=5, cap=1000)
    assert [c.pk for c in after_scored.rows] == [c.pk for c in after_tiered.rows]


def test_a_plain_word_is_a_name_only_and_a_number_needs_its_dash_or_digit(awa, people):
    """The name search reads the token index alone: a word without dash or digit is not a case
    number prefix (the organisation's acronym alone finds no case number)."""
    acronym = people["keita"].case_number.split("-")[0]
    assert found(awa, acronym) == []
    assert set(found(awa, acronym + "-")) == set(people.values())


def test_a_search_with_many_matches_says_so_and_asks_for_more_of_the_name(awa, client, monkeypatch):
    """A search is counted up to SEARCH_COUNT_CAP; beyond it the page says "N+ cases", asks for another
    part of the name, and still shows the best matches first (read tier by tier)."""
    from sira.cases import search

    monkeypatch.setattr(search, "SEARCH_COUNT_CAP", 2)
    exact = [CaseFactory(by=awa, last_name="Coulibaly") for _ in range(2)]
    CaseFactory(by=awa, last_name="Kulibali")
    CaseFactory(by=awa, last_name="Diarra")
    client.force_login(awa)
    response = client.get(search_url(client, "Coulibaly"), HTTP_ACCEPT_LANGUAGE="fr")
    page = response.context["page"]
    assert page.capped and page.count == 2
    body = response.content.decode()
    assert "2+ dossiers" in body and 'data-testid="narrow-search"' in body
    assert [c.pk for c in response.context["rows"]][:2] == sorted((c.pk for c in exact), reverse=True)
    few = client.get(search_url(client, "Diarra"), HTTP_ACCEPT_LANGUAGE="fr")
    assert not few.context["page"].capped and 'data-testid="narrow-search"' not in few.content.decode()
