"""Every write path, page and API, acting as the user would: the database read back, and the audit
entry (ids and codes only: never a name)."""

import datetime as dt
import json

from django.test import Client
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.justice.models import Appeal, Charge, Hearing, Investigation, Prosecution, Suspect

D = dt.date


def web(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def last_event(obj, event):
    entry = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).latest("id")
    assert entry.detail["event"] == event
    text = json.dumps(entry.detail, ensure_ascii=False)
    for name in ("Traoré", "Moussa", "Coulibaly", "Awa"):
        assert name not in text
    return entry


# --- investigations -------------------------------------------------------------------------------


def test_page_open_investigation(investigator, victim_case):
    response = web(investigator).post(
        "/justice/investigations/new/",
        {
            "agency": "BPMC",
            "opened_on": "2025-03-01",
            "region": "ML09",
            "forms": ["DomesticServitude", "ChildLabour"],
            "operation_type": "JointMiningSite",
            "case_numbers": "",
        },
    )
    assert response.status_code == 302
    inv = Investigation.objects.get()
    assert (inv.agency, inv.opened_on, inv.region_id, inv.operation_type) == (
        "BPMC",
        D(2025, 3, 1),
        "ML09",
        "JointMiningSite",
    )
    assert inv.forms == ["ChildLabour", "DomesticServitude"] and inv.organisation == investigator.organisation
    assert inv.reference.startswith("ENQ-TBPMC-2025-")
    assert last_event(inv, "open_investigation").actor == investigator


def test_page_open_investigation_shows_every_error_and_saves_nothing(investigator):
    response = web(investigator).post(
        "/justice/investigations/new/",
        {
            "agency": "BPMC",
            "opened_on": "2999-01-01",
            "region": "ML09",
            "forms": ["DomesticServitude"],
            "operation_type": "Complaint",
            "case_numbers": "NOPE-1",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "NOPE-1" in text  # the unknown case number is named
    assert not Investigation.objects.exists()


def test_page_link_only_visible_cases(investigator, victim_case, awa):
    # awa's case is not the investigator's to see: it cannot be linked by its number.
    response = web(investigator).post(
        "/justice/investigations/new/",
        {
            "agency": "BPMC",
            "opened_on": "2025-03-01",
            "region": "ML09",
            "forms": ["DomesticServitude"],
            "operation_type": "Complaint",
            "case_numbers": victim_case.case_number,
        },
    )
    assert response.status_code == 200 and not Investigation.objects.exists()


def test_api_open_investigation_with_a_visible_case(investigator):
    from sira.testing.factories import CaseFactory

    own_case = CaseFactory(by=investigator, identification_date=D(2025, 2, 1))
    response = api(investigator).post(
        "/api/v1/justice/investigations/",
        {
            "agency": "BFMHT",
            "opened_on": "2025-03-02",
            "region": "ML01",
            "forms": ["SexualExploitation"],
            "operation_type": "BorderCheck",
            "cases": [own_case.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    inv = Investigation.objects.get(pk=response.json()["id"])
    assert list(inv.cases.all()) == [own_case] and inv.agency == "BFMHT"
    assert last_event(inv, "open_investigation").detail["cases"] == [own_case.pk]


def test_api_open_investigation_bad_input_in_french(investigator):
    response = api(investigator).post(
        "/api/v1/justice/investigations/",
        {
            "agency": "BPMC",
            "opened_on": "2999-03-02",
            "region": "ML01",
            "forms": [],
            "operation_type": "Complaint",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"opened_on", "forms"}
    assert not Investigation.objects.exists()


def test_page_and_api_close_investigation(chain, investigator):
    inv = chain["investigation"]
    response = web(investigator).post(
        f"/justice/investigations/{inv.pk}/close/",
        {"closed_on": "2025-03-05", "closing_reason": "ReferredToProsecution"},
    )
    assert response.status_code == 302
    inv.refresh_from_db()
    assert (inv.status, inv.closed_on, inv.closing_reason, inv.version) == (
        "closed",
        D(2025, 3, 5),
        "ReferredToProsecution",
        2,
    )
    assert last_event(inv, "close_investigation").detail["version"] == 2
    # Closing again through the API is refused, and changes nothing.
    response = api(investigator).post(
        f"/api/v1/justice/investigations/{inv.pk}/close/",
        {"closed_on": "2025-03-06", "closing_reason": "Other"},
        format="json",
    )
    assert response.status_code == 400
    inv.refresh_from_db()
    assert inv.closed_on == D(2025, 3, 5)


def test_api_close_investigation(chain, investigator):
    inv = chain["investigation"]
    response = api(investigator).post(
        f"/api/v1/justice/investigations/{inv.pk}/close/",
        {"closed_on": "2025-02-01", "closing_reason": "Other"},
        format="json",
    )
    assert response.status_code == 400 and "closed_on" in response.json()  # before the opening (2025-03-01)
    response = api(investigator).post(
        f"/api/v1/justice/investigations/{inv.pk}/close/",
        {"closed_on": "2025-04-01", "closing_reason": "Other"},
        format="json",
    )
    assert response.status_code == 200
    inv.refresh_from_db()
    assert inv.status == "closed"
    last_event(inv, "close_investigation")


# --- suspects -------------------------------------------------------------------------------------


def test_page_add_suspect(chain, investigator):
    inv = chain["investigation"]
    response = web(investigator).post(
        f"/justice/investigations/{inv.pk}/suspects/new/",
        {
            "first_name": "Awa",
            "last_name": "Coulibaly",
            "gender": "Feminine",
            "nationality": "BF",
            "roles": ["RecruiterOrIntermediary", "Transporter"],
            "is_public_official": "on",
        },
    )
    assert response.status_code == 302
    s = Suspect.objects.latest("id")
    assert (s.first_name, s.last_name, s.nationality.code, s.is_public_official) == (
        "Awa",
        "Coulibaly",
        "BF",
        True,
    )
    assert s.roles == ["RecruiterOrIntermediary", "Transporter"]
    assert s.name_tokens.exists()
    assert last_event(s, "add_suspect").detail["fields"] == ["first_name", "last_name"]


def test_api_add_suspect(chain, investigator):
    inv = chain["investigation"]
    response = api(investigator).post(
        f"/api/v1/justice/investigations/{inv.pk}/suspects/",
        {"alias": "Coulibaly le transporteur", "gender": "Masculine", "roles": ["Transporter"]},
        format="json",
    )
    assert response.status_code == 201
    s = Suspect.objects.get(pk=response.json()["id"])
    assert s.alias == "Coulibaly le transporteur" and s.roles == ["Transporter"]
    last_event(s, "add_suspect")
    bad = api(investigator).post(
        f"/api/v1/justice/investigations/{inv.pk}/suspects/", {"gender": "Masculine"}, format="json"
    )
    assert bad.status_code == 400 and "last_name" in bad.json()


# --- prosecutions ---------------------------------------------------------------------------------


def test_page_open_prosecution(investigator, court):
    from sira.justice.tests.conftest import open_inv

    inv = open_inv(investigator)
    response = web(investigator).post(
        f"/justice/investigations/{inv.pk}/prosecutions/new/",
        {
            "organisation": court.pk,
            "court": "SpecializedJudicialPole",
            "court_reference": "RP 12/2025",
            "opened_on": "2025-03-10",
        },
    )
    assert response.status_code == 302
    p = Prosecution.objects.get()
    assert (p.investigation, p.organisation, p.court_reference, p.opened_on) == (
        inv,
        court,
        "RP 12/2025",
        D(2025, 3, 10),
    )
    last_event(p, "open_prosecution")


def test_api_open_prosecution(investigator, court, agency):
    from sira.justice.tests.conftest import open_inv

    inv = open_inv(investigator)
    bad = api(investigator).post(
        "/api/v1/justice/prosecutions/",
        {
            "investigation": inv.pk,
            "organisation": agency.pk,
            "court": "CourtOfAssizes",
            "opened_on": "2025-02-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and {"organisation", "opened_on"} <= set(bad.json())
    response = api(investigator).post(
        "/api/v1/justice/prosecutions/",
        {
            "investigation": inv.pk,
            "organisation": court.pk,
            "court": "CourtOfAssizes",
            "opened_on": "2025-03-02",
        },
        format="json",
    )
    assert response.status_code == 201
    p = Prosecution.objects.get(pk=response.json()["id"])
    assert p.court == "CourtOfAssizes"
    last_event(p, "open_prosecution")


# --- charges --------------------------------------------------------------------------------------


def test_page_add_charge_uses_the_text_in_force(chain, prosecutor):
    pros, sus = chain["prosecution"], chain["suspect"]
    response = web(prosecutor).post(
        f"/justice/prosecutions/{pros.pk}/charges/new/",
        {"suspect": sus.pk, "article": "PC.CHILD-TRAFFICKING", "offence_date": "2023-06-01"},
    )
    assert response.status_code == 302
    ch = Charge.objects.latest("id")
    assert (ch.article.code, ch.article.article, ch.offence_date) == (
        "PC.CHILD-TRAFFICKING",
        "art. 244",
        D(2023, 6, 1),
    )
    assert last_event(ch, "add_charge").detail["article_valid_from"] == "2001-08-20"
    # The same offence committed in 2025 has no text in force (the 2001 code ended in December 2024).
    response = web(prosecutor).post(
        f"/justice/prosecutions/{pros.pk}/charges/new/",
        {"suspect": sus.pk, "article": "PC.CHILD-TRAFFICKING", "offence_date": "2025-06-01"},
    )
    assert response.status_code == 200 and Charge.objects.count() == 2


def test_api_add_charge(chain, prosecutor):
    pros, sus = chain["prosecution"], chain["suspect"]
    response = api(prosecutor).post(
        f"/api/v1/justice/prosecutions/{pros.pk}/charges/",
        {"suspect": sus.pk, "article": "PC.SLAVERY", "offence_date": "2025-01-20"},
        format="json",
    )
    assert response.status_code == 201, response.content
    ch = Charge.objects.get(pk=response.json()["id"])
    assert ch.article.code == "PC.SLAVERY" and ch.outcome == "pending"
    last_event(ch, "add_charge")
    bad = api(prosecutor).post(
        f"/api/v1/justice/prosecutions/{pros.pk}/charges/",
        {"suspect": sus.pk, "article": "PC.SLAVERY", "offence_date": "2024-01-20"},
        format="json",
    )
    assert bad.status_code == 400 and "article" in bad.json()


# --- hearings -------------------------------------------------------------------------------------


def test_page_and_api_add_hearing(chain, prosecutor):
    pros = chain["prosecution"]
    response = web(prosecutor).post(
        f"/justice/prosecutions/{pros.pk}/hearings/new/",
        {"date": "2025-05-02", "kind": "Trial", "note": "Renvoi demandé"},
    )
    assert response.status_code == 302
    h = Hearing.objects.get()
    assert (h.date, h.kind, h.note) == (D(2025, 5, 2), "Trial", "Renvoi demandé")
    assert "Renvoi" not in json.dumps(last_event(h, "add_hearing").detail)
    response = api(prosecutor).post(
        f"/api/v1/justice/prosecutions/{pros.pk}/hearings/",
        {"date": "2025-06-02", "kind": "Verdict"},
        format="json",
    )
    assert response.status_code == 201
    last_event(Hearing.objects.get(pk=response.json()["id"]), "add_hearing")


# --- verdicts -------------------------------------------------------------------------------------


def test_page_verdict_in_range(chain, prosecutor):
    pros, ch = chain["prosecution"], chain["charge"]
    response = web(prosecutor).post(
        f"/justice/prosecutions/{pros.pk}/verdict/",
        {
            "charge": ch.pk,
            "outcome": "convicted",
            "outcome_date": "2025-06-01",
            "prison_months": "84",
            "suspended_months": "12",
            "fine_fcfa": "500000",
        },
    )
    assert response.status_code == 302
    ch.refresh_from_db()
    assert (ch.outcome, ch.outcome_date, ch.version) == ("convicted", D(2025, 6, 1), 2)
    assert (ch.sentence.prison_months, ch.sentence.suspended_months, ch.sentence.fine_fcfa) == (
        84,
        12,
        500000,
    )
    assert ch.sentence.needs_review is False
    pros.refresh_from_db()
    assert pros.closed_on == D(2025, 6, 1)  # every charge decided
    assert last_event(ch, "record_outcome").detail["needs_review"] is False


def test_page_verdict_out_of_range_is_saved_and_flagged(chain, prosecutor):
    pros, ch = chain["prosecution"], chain["charge"]
    response = web(prosecutor).post(
        f"/justice/prosecutions/{pros.pk}/verdict/",
        {"charge": ch.pk, "outcome": "convicted", "outcome_date": "2025-06-01", "prison_months": "24"},
        follow=True,
    )
    assert response.status_code == 200
    ch.refresh_from_db()
    assert ch.outcome == "convicted" and ch.sentence.needs_review
    assert ch.sentence.review_reasons == ["prison_below_minimum"]
    assert 'data-testid="review-flag"' in response.content.decode()
    assert last_event(ch, "record_outcome").detail["review_reasons"] == ["prison_below_minimum"]


def test_page_conviction_without_charge_is_refused(chain, prosecutor):
    pros = chain["prosecution"]
    response = web(prosecutor).post(
        f"/justice/prosecutions/{pros.pk}/verdict/",
        {"charge": "", "outcome": "convicted", "outcome_date": "2025-06-01", "prison_months": "72"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert "Une condamnation" in response.content.decode()
    chain["charge"].refresh_from_db()
    assert chain["charge"].outcome == "pending"
    assert not AuditEvent.objects.filter(detail__event="record_outcome").exists()


def test_api_verdicts(chain, prosecutor):
    pros, ch = chain["prosecution"], chain["charge"]
    url = f"/api/v1/justice/prosecutions/{pros.pk}/verdicts/"
    refused = api(prosecutor).post(
        url, {"outcome": "convicted", "outcome_date": "2025-06-01", "prison_months": 60}, format="json"
    )
    assert refused.status_code == 400 and "charge" in refused.json()
    dropped = api(prosecutor).post(
        url, {"charge": ch.pk, "outcome": "dropped", "outcome_date": "2025-06-01"}, format="json"
    )
    assert dropped.status_code == 400 and "dropped_reason" in dropped.json()
    ch.refresh_from_db()
    assert ch.outcome == "pending"
    response = api(prosecutor).post(
        url,
        {"charge": ch.pk, "outcome": "convicted", "outcome_date": "2025-06-01", "prison_months": 300},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["needs_review"] is True and response.json()["review_reasons"] == [
        "prison_above_maximum"
    ]
    ch.refresh_from_db()
    assert ch.sentence.prison_months == 300 and ch.sentence.needs_review
    last_event(ch, "record_outcome")
    detail = api(prosecutor).get(f"/api/v1/justice/prosecutions/{pros.pk}/").json()
    assert detail["charges"][0]["sentence"]["needs_review"] is True


# --- appeals --------------------------------------------------------------------------------------


def test_page_and_api_appeal(chain, prosecutor):
    from sira.justice import services

    pros, ch, sus = chain["prosecution"], chain["charge"], chain["suspect"]
    early = api(prosecutor).post(
        f"/api/v1/justice/prosecutions/{pros.pk}/appeals/",
        {"suspect": sus.pk, "appealed_by": "Defence", "filed_on": "2025-06-10"},
        format="json",
    )
    assert early.status_code == 400  # no decision yet to appeal
    services.record_outcome(
        pros,
        by=prosecutor,
        charge=ch,
        outcome="convicted",
        outcome_date=D(2025, 6, 1),
        sentence={"prison_months": 72},
    )
    response = web(prosecutor).post(
        f"/justice/prosecutions/{pros.pk}/appeals/new/",
        {"suspect": sus.pk, "appealed_by": "Defence", "filed_on": "2025-06-10", "result": "pending"},
    )
    assert response.status_code == 302
    a = Appeal.objects.get()
    assert (a.suspect, a.appealed_by, a.filed_on, a.result) == (sus, "Defence", D(2025, 6, 10), "pending")
    last_event(a, "record_appeal")
    response = api(prosecutor).post(
        f"/api/v1/justice/prosecutions/{pros.pk}/appeals/",
        {
            "suspect": sus.pk,
            "appealed_by": "Prosecution",
            "filed_on": "2025-06-11",
            "result": "modified",
            "decided_on": "2025-10-01",
        },
        format="json",
    )
    assert response.status_code == 201
    assert Appeal.objects.get(pk=response.json()["id"]).result == "modified"


def test_list_pages_bounded_queries(chain, investigator, django_assert_max_num_queries):
    from sira.justice.tests.conftest import open_inv

    for _ in range(5):
        open_inv(investigator)
    client = web(investigator)
    with django_assert_max_num_queries(15):
        assert client.get("/justice/").status_code == 200
    with django_assert_max_num_queries(15):
        assert api(investigator).get("/api/v1/justice/investigations/").status_code == 200


def test_suspect_search_by_name_tokens_within_the_agency(chain, investigator, other_investigator):
    response = web(investigator).post("/justice/suspects/search/", {"q": "traore mous"})
    assert chain["investigation"].reference in response.content.decode()
    other = web(other_investigator).post("/justice/suspects/search/", {"q": "traore"})
    assert chain["investigation"].reference not in other.content.decode()
    assert web(investigator).get("/justice/suspects/search/").status_code == 405  # never by GET (URL)


def test_reading_suspects_is_audited_without_names(chain, investigator, prosecutor):
    inv, sus = chain["investigation"], chain["suspect"]
    web(investigator).get(inv.get_absolute_url())
    api(investigator).get(f"/api/v1/justice/investigations/{inv.pk}/")
    web(prosecutor).get(chain["prosecution"].get_absolute_url())
    reads = AuditEvent.objects.filter(
        action="view_identity", object_type="justice.investigation", object_id=str(inv.pk)
    )
    assert [e.actor for e in reads.order_by("id")] == [investigator, investigator, prosecutor]
    assert all(e.detail["suspects"] == [sus.pk] and "Traoré" not in json.dumps(e.detail) for e in reads)
