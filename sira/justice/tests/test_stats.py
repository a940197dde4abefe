"""Enforcement statistics: the counting rules on hand-made rows, then a worked example through the
services whose every figure is written out by hand."""

import datetime as dt

import pytest

from sira.justice import services
from sira.justice import stats as S
from sira.justice.models import Investigation
from sira.justice.tests.conftest import charge, open_inv, prosecute, suspect
from sira.testing.factories import CaseFactory

D = dt.date
YEAR_2025 = S.Period(D(2025, 1, 1), D(2025, 12, 31))


@pytest.mark.parametrize(
    ("opened_on", "closed_on", "new", "continued"),
    [
        (D(2024, 6, 1), None, False, True),  # opened in the previous period, still open: continued
        (D(2024, 6, 1), D(2025, 1, 1), False, True),  # closed on the period's first day: continued
        (D(2024, 6, 1), D(2024, 12, 31), False, False),  # closed the day before the period: neither
        (D(2025, 1, 1), None, True, False),  # opened on the first day: new
        (D(2025, 12, 31), None, True, False),  # opened on the last day: new
        (D(2026, 1, 1), None, False, False),  # opened after the period: neither
        (D(2024, 12, 31), D(2025, 6, 30), False, True),  # opened the day before: continued, not new
    ],
)
def test_new_versus_continued_across_period_boundaries(opened_on, closed_on, new, continued):
    rows = S.Rows(
        investigations=[
            {"id": 1, "opened_on": opened_on, "closed_on": closed_on, "region": "ML09", "forms": []}
        ]
    )
    rows.prosecutions = [{"id": 10, "investigation": 1, "opened_on": opened_on, "closed_on": closed_on}]
    result = S.enforcement(YEAR_2025, rows)
    assert result["investigations"] == {"new": int(new), "continued": int(continued)}
    assert (result["prosecutions"]["initiated"], result["prosecutions"]["continued"]) == (
        int(new),
        int(continued),
    )


def test_defendants_counted_once_per_prosecution():
    rows = S.Rows(
        investigations=[
            {"id": 1, "opened_on": D(2025, 1, 5), "closed_on": None, "region": "ML09", "forms": []}
        ],
        prosecutions=[
            {"id": 10, "investigation": 1, "opened_on": D(2025, 2, 1), "closed_on": None},
            {"id": 11, "investigation": 1, "opened_on": D(2025, 3, 1), "closed_on": None},
        ],
        charges=[
            # suspect 100: three charges in prosecution 10, two of them convictions → one defendant,
            # one convicted defendant; and again a defendant in prosecution 11.
            {
                "prosecution": 10,
                "suspect": 100,
                "outcome": "convicted",
                "outcome_date": D(2025, 6, 1),
                "prison_months": 60,
                "suspended_months": 0,
            },
            {
                "prosecution": 10,
                "suspect": 100,
                "outcome": "convicted",
                "outcome_date": D(2025, 6, 1),
                "prison_months": 130,
                "suspended_months": 10,
            },
            {"prosecution": 10, "suspect": 100, "outcome": "acquitted", "outcome_date": D(2025, 6, 1)},
            {"prosecution": 10, "suspect": 101, "outcome": "pending", "outcome_date": None},
            {"prosecution": 11, "suspect": 100, "outcome": "pending", "outcome_date": None},
        ],
    )
    result = S.enforcement(YEAR_2025, rows)
    assert result["prosecutions"]["defendants_initiated"] == 3  # (10,100), (10,101), (11,100)
    assert result["convictions"] == {"defendants": 1, "acquitted_defendants": 0}
    assert result["sentences"]["10y_plus"] == 1  # the longest term to serve: 130 - 10 = 120 months
    assert sum(result["sentences"].values()) == 1


@pytest.fixture
def worked(investigator, prosecutor, court, awa):
    """The worked example: see the test's docstring."""
    v1 = CaseFactory(by=awa, identification_date=D(2025, 1, 20))
    v2 = CaseFactory(by=awa, identification_date=D(2025, 10, 1))
    CaseFactory(by=awa, identification_date=D(2025, 6, 1))  # v3: identified, never investigated
    v4 = CaseFactory(by=awa, identification_date=D(2024, 5, 1))  # identified before the period

    a = open_inv(
        investigator, opened_on=D(2024, 6, 10), region="ML09", forms=["DomesticServitude"], cases=[v4]
    )
    b = open_inv(investigator, opened_on=D(2024, 3, 1), region="ML09", forms=["DomesticServitude"])
    services.close_investigation(
        b, by=investigator, closed_on=D(2024, 12, 20), closing_reason="InsufficientEvidence"
    )
    c = open_inv(
        investigator,
        opened_on=D(2025, 2, 1),
        region="ML01",
        forms=["ForcedLabour", "ChildLabour"],
        cases=[v1],
    )
    d = open_inv(
        investigator, opened_on=D(2025, 11, 15), region="ML09", forms=["ForcedBeggingKoranic"], cases=[v2]
    )
    e = open_inv(investigator, opened_on=D(2024, 11, 1), region="ML01", forms=["SexualExploitation"])
    services.close_investigation(
        e, by=investigator, closed_on=D(2025, 1, 10), closing_reason="SuspectNotFound"
    )
    open_inv(investigator, opened_on=D(2026, 1, 5), region="ML09", forms=["DomesticServitude"])  # after

    s1, s2 = suspect(a, investigator), suspect(a, investigator, official=True, last="Diarra")
    s3 = suspect(c, investigator, last="Keïta")
    suspect(d, investigator, official=True, last="Maïga")

    p1 = prosecute(a, investigator, court, opened_on=D(2024, 10, 1))
    for code, months, suspended in (("L2012-023.TIP", 96, 24), ("L2012-023.TIP-AGG", 180, 0)):
        ch = charge(p1, prosecutor, s1, code=code, offence_date=D(2024, 5, 1))
        services.record_outcome(
            p1,
            by=prosecutor,
            charge=ch,
            outcome="convicted",
            outcome_date=D(2025, 3, 10),
            sentence={"prison_months": months, "suspended_months": suspended},
        )
    ch = charge(p1, prosecutor, s2, offence_date=D(2024, 5, 1))
    services.record_outcome(p1, by=prosecutor, charge=ch, outcome="acquitted", outcome_date=D(2025, 3, 10))

    p2 = prosecute(c, investigator, court, opened_on=D(2025, 5, 1))
    ch = charge(p2, prosecutor, s3, offence_date=D(2025, 1, 15))
    services.record_outcome(
        p2,
        by=prosecutor,
        charge=ch,
        outcome="convicted",
        outcome_date=D(2025, 8, 1),
        sentence={"prison_months": 36},
    )
    services.close_investigation(
        c, by=investigator, closed_on=D(2025, 9, 30), closing_reason="ReferredToProsecution"
    )
    p3 = prosecute(c, investigator, court, opened_on=D(2025, 10, 1))
    charge(p3, prosecutor, s3, code="L2012-023.ART3", offence_date=D(2025, 1, 15))

    p4 = prosecute(a, investigator, court, opened_on=D(2026, 2, 1))
    charge(p4, prosecutor, s2, offence_date=D(2024, 5, 1))
    return {"p1": p1, "p2": p2}


WORKED_EXPECTED = {
    # Investigations: C (2025-02-01) and D (2025-11-15) are new; A (opened 2024, still open) and E (opened
    # 2024, closed 2025-01-10) are continued; B closed in 2024 and the one opened in 2026 do not count.
    "investigations": {"new": 2, "continued": 2},
    # P2 and P3 (both on C) initiated in 2025; P1 (opened 2024-10-01, decided 2025-03-10) continued;
    # P4 (2026) not counted. Defendants: S3 in P2 and again in P3 = 2 initiated; S1 (two charges, once)
    # and S2 in P1 = 2 continued.
    "prosecutions": {"initiated": 2, "continued": 1, "defendants_initiated": 2, "defendants_continued": 2},
    # Convicted defendants: S1 in P1 (two convicted charges, counted once) and S3 in P2. S2 acquitted.
    "convictions": {"defendants": 2, "acquitted_defendants": 1},
    # S1: longest term to serve 180 months (96 - 24 = 72 on the other charge) → 10 years or more;
    # S3: 36 months → 1 to under 5 years.
    "sentences": {"none": 0, "under_1y": 0, "1y_5y": 1, "5y_10y": 0, "10y_plus": 1, "life": 0},
    # Officials: S2 (A, continued) and S4 (D, new) investigated; S2 prosecuted in P1; none convicted.
    "officials": {"investigated": 2, "prosecuted": 1, "convicted": 0},
    # Victims identified in 2025: V1, V2, V3 (V4 was identified in 2024). V1 (C) and V2 (D) investigated,
    # V1 prosecuted (P2) and convicted. Days: V1 12 (Jan 20 → Feb 1), V2 45 (Oct 1 → Nov 15): median 28.5;
    # C opened → P2 opened: Feb 1 → May 1 = 89; P2 opened → conviction: May 1 → Aug 1 = 92.
    "funnel": {
        "identified": 3,
        "investigated": 2,
        "prosecuted": 1,
        "convicted": 1,
        "median_days_to_investigation": 28.5,
        "median_days_to_prosecution": 89,
        "median_days_to_conviction": 92,
    },
}
BY_FORM = {
    "ChildLabour": {
        "investigations_new": 1,
        "investigations_continued": 0,
        "prosecutions_initiated": 2,
        "defendants_initiated": 2,
        "prosecutions_continued": 0,
        "convicted": 1,
    },
    "DomesticServitude": {
        "investigations_new": 0,
        "investigations_continued": 1,
        "prosecutions_initiated": 0,
        "defendants_initiated": 0,
        "prosecutions_continued": 1,
        "convicted": 1,
    },
    "ForcedBeggingKoranic": {
        "investigations_new": 1,
        "investigations_continued": 0,
        "prosecutions_initiated": 0,
        "defendants_initiated": 0,
        "prosecutions_continued": 0,
        "convicted": 0,
    },
    "ForcedLabour": {
        "investigations_new": 1,
        "investigations_continued": 0,
        "prosecutions_initiated": 2,
        "defendants_initiated": 2,
        "prosecutions_continued": 0,
        "convicted": 1,
    },
    "SexualExploitation": {
        "investigations_new": 0,
        "investigations_continued": 1,
        "prosecutions_initiated": 0,
        "defendants_initiated": 0,
        "prosecutions_continued": 0,
        "convicted": 0,
    },
}
BY_REGION = {
    "ML01": {
        "investigations_new": 1,
        "investigations_continued": 1,
        "prosecutions_initiated": 2,
        "defendants_initiated": 2,
        "prosecutions_continued": 0,
        "convicted": 1,
    },
    "ML09": {
        "investigations_new": 1,
        "investigations_continued": 1,
        "prosecutions_initiated": 0,
        "defendants_initiated": 0,
        "prosecutions_continued": 1,
        "convicted": 1,
    },
}


def test_worked_example(worked):
    from sira.cases.services import statistics_cases

    cases = statistics_cases().filter(identification_date__range=(YEAR_2025.start, YEAR_2025.end))
    result = S.enforcement(YEAR_2025, S.collect(Investigation.objects.all(), cases))
    for key, expected in WORKED_EXPECTED.items():
        assert result[key] == expected, key
    assert result["by_form"] == BY_FORM
    assert result["by_region"] == BY_REGION
    # S3's 36 months under the base offence (5-10 years) was saved and flagged, not refused.
    sentence = worked["p2"].charges.get().sentence
    assert sentence.prison_months == 36 and sentence.needs_review
    assert sentence.review_reasons == ["prison_below_minimum"]


def test_worked_example_through_the_api(worked, secretariat, investigator, settings):
    """The committee gets the national figures suppressed below the threshold; the agency's
    investigator (whose records they all are) gets them in full."""
    from rest_framework.test import APIClient

    settings.SIRA_SMALL_CELL_THRESHOLD = 2
    url = "/api/v1/justice/statistics/?start=2025-01-01&end=2025-12-31"
    client = APIClient()
    client.force_authenticate(secretariat)
    body = client.get(url).json()
    assert body["suppressed"] is True
    assert body["investigations"] == {"new": 2, "continued": 2}
    assert body["prosecutions"]["continued"] is None  # 1 < 2: suppressed
    assert body["convictions"] == {"defendants": 2, "acquitted_defendants": None}
    assert body["funnel"]["convicted"] is None and body["funnel"]["median_days_to_conviction"] is None
    assert body["funnel"]["median_days_to_investigation"] == 28.5

    client.force_authenticate(investigator)
    body = client.get(url).json()
    assert body["suppressed"] is False
    assert body["prosecutions"] == WORKED_EXPECTED["prosecutions"]
    assert body["officials"] == WORKED_EXPECTED["officials"]


def test_statistics_page_renders_for_the_committee(worked, secretariat, client):
    client.force_login(secretariat)
    response = client.get("/justice/statistics/?start=2025-01-01&end=2025-12-31")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Traoré" not in text and "Diarra" not in text  # no identity in statistics
    assert 'data-testid="funnel"' in text
