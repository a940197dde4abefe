"""The annual national report: its PDF is read back and its tables checked against a worked example
counted by hand; no count below the threshold reaches it; FR and EN; the command and the page.

Worked example (year 2025, threshold 5), every case registered through the registry's service:
  A  6 × female, 14, Malian,   identified in Kayes (ML01),     domestic servitude, 6 assisted (psychosocial)
  B  5 × male,   30, Burkinabe, identified in Koulikoro (ML02), forced labour
  C  2 × female, 16, Nigerian,  identified in Sikasso (ML03),   sexual exploitation
  out: 5 cases identified in 2024; 1 case of 2025 whose person refused statistics.
  6 investigations opened on 2025-03-01.
By hand: 13 victims; sex F 8, M 5; children 8, adults 5; ages 12–14: 6, 15–17: 2, 25–34: 5; the age × sex
table has three cells, (12–14, F) 6, (15–17, F) 2, (25–34, M) 5.
What may be published: the 2s are hidden ("<5"), and with them, so that a total does not give them away,
the next smallest cell of each table (the 5s): nationality ML 6, BF <5, NG <5; region Kayes 6,
Koulikoro <5, Sikasso <5; forms domestic servitude 6, forced labour <5, sexual exploitation <5.
The victims' profile tables are linked (children = ages under 18; the age × sex table's margins are the
sex and age tables): children 8 beside 12–14 shown 6 would give 15–17 = 2, and male 5 beside the
age × sex table would give (25–34, M) = 5 — a complement, not a small cell — and female = 13 − 5. So
the age, children and age × sex cells are hidden and sex shown (F 8, M 5), the total 13 shown; no count
below 5 can be worked out from them (the tests check it with the exact counts).
"""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from sira.accounts.models import Role
from sira.audit.models import AuditEvent
from sira.cases import services as case_services
from sira.justice import services as justice_services
from sira.statistics import annual_report, layer, report_data
from sira.statistics.tests.test_outputs import _users, data  # noqa: F401 — the walk's data, as a fixture
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory

YEAR = 2025


@pytest.fixture
def worked(db, awa):
    def cases(n, **kw):
        return [CaseFactory(by=awa, identification_date=dt.date(YEAR, 5, 10), **kw) for _ in range(n)]

    group_a = cases(6, gender="Feminine", estimated_age=14, citizenships=("ML",), region="ML01")
    cases(
        5, gender="Masculine", estimated_age=30, citizenships=("BF",), region="ML02", forms=("ForcedLabour",)
    )
    cases(
        2,
        gender="Feminine",
        estimated_age=16,
        citizenships=("NG",),
        region="ML03",
        forms=("SexualExploitation",),
    )
    # Five cases of the year before: a year's total is a cell of the table by year, so a year of
    # fewer than five would hide the report's own total (the all-time total minus it).
    for _ in range(5):
        CaseFactory(by=awa, identification_date=dt.date(YEAR - 1, 12, 31), region="ML01")
    (refused,) = cases(1, gender="Feminine", estimated_age=14, citizenships=("ML",), region="ML01")
    case_services.record_consent(refused, by=awa, purpose="Statistics", given=False)
    for case in group_a:
        case_services.record_assistance(
            case, by=awa, service="Psychosocial", provider=awa.organisation, given_on=dt.date(YEAR, 6, 1)
        )
    agency = OrganisationFactory(
        name="BPMC Test", acronym="TBPMC", org_type="PoliceBrigade", region_id="ML09"
    )
    investigator = UserFactory(username="enq", organisation=agency, role="investigator")
    for _ in range(6):
        justice_services.open_investigation(
            by=investigator,
            agency="BPMC",
            opened_on=dt.date(YEAR, 3, 1),
            region_id="ML09",
            forms=["DomesticServitude"],
            operation_type="Complaint",
            cases=[],
        )
    layer.refresh()  # the report reads the statistics layer's tables


def pdf_text(content: bytes) -> list[str]:
    """The text of each page of a PDF."""
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def table_in(text: str, heading: str, total: str = "Total") -> dict[str, str]:
    """The rows of the table under `heading` as {label: figure}, up to and with its total row (a long
    label may wrap over lines, its figure then on a line of its own)."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    rows, pending = {}, []
    for line in lines[start:]:
        m = re.fullmatch(r"(.*?)\s*(<\d+|\d[\d\s\u202f\xa0,.]*)", line.strip())
        if m:
            label = " ".join([*pending, m.group(1)]).strip()
            rows[label] = m.group(2).strip()
            pending = []
            if label == total:
                return rows
        else:
            pending.append(line.strip())
    raise AssertionError(f"no total row under {heading!r}")


def the_report(language: str) -> tuple[bytes, str]:
    pdf = annual_report.build_pdf(YEAR, language)
    pages = pdf_text(pdf)
    return pdf, "\n".join(pages)


def test_worked_example_tables_equal_the_hand_count(worked):
    _pdf, text = the_report("en")
    assert table_in(text, "Victims identified by sex") == {
        "Female": "8",
        "Male": "5",
        "Transgender feminine": "0",
        "Transgender masculine": "0",
        "Non-conforming": "0",
        "Not specified / unknown": "0",
        "Total": "13",
    }
    ages = table_in(text, "Victims identified by age group")
    assert ages == {
        "0–5 years": "0",
        "6–11 years": "0",
        "12–14 years": "<5",
        "15–17 years": "<5",
        "18–24 years": "0",
        "25–34 years": "<5",
        "35–49 years": "0",
        "50 years and over": "0",
        "Total": "13",
    }
    assert table_in(text, "Children and adults") == {
        "Child (under 18)": "<5",
        "Adult (18 and over)": "<5",
        "Total": "13",
    }
    assert table_in(text, "Victims identified by nationality") == {
        "Mali": "6",
        "Burkina Faso": "<5",
        "Nigeria": "<5",
        "Total": "13",
    }
    assert table_in(text, "Victims identified by form of exploitation", "Victims (all forms)") == {
        "Domestic servitude": "6",
        "Forced labour": "<5",
        "Sexual exploitation": "<5",
        "Victims (all forms)": "13",
    }
    regions = table_in(text, "Victims identified by region of identification")
    assert {k: v for k, v in regions.items() if v != "0"} == {
        "Kayes": "6",
        "Koulikoro": "<5",
        "Sikasso": "<5",
        "Total": "13",
    }
    months = table_in(text, "Victims identified by month")
    assert months["May"] == "13" and months["Total"] == "13"
    assert table_in(text, "Persons assisted, by service", "Persons assisted (all services)") == {
        "Psychosocial support": "6",
        "Persons assisted (all services)": "6",
    }
    enforcement = table_in(text, "Investigations, prosecutions, convictions", "Acquitted defendants")
    assert enforcement["New investigations"] == "6"
    assert enforcement["Prosecutions initiated (cases)"] == "0"
    assert table_in(text, "Key figures", "Convicted defendants") == {
        "Victims identified": "13",
        "… of whom children": "<5",
        "Persons assisted": "6",
        "New investigations": "6",
        "Convicted defendants": "0",
    }


def test_linked_victims_tables_hide_together(worked):
    """No hidden cell of the sex, age, children and age × sex tables can be worked out from the others
    (checked with the exact counts of the worked example and the layer's audit)."""
    from sira.statistics import rules

    p = report_data.victims_profile(YEAR)
    assert p["child"].value("child") is None and p["age_group"].value("12-14") is None
    exact = {
        ("total",): 13,
        ("sex", "Feminine"): 8,
        ("sex", "Masculine"): 5,
        ("age", "12-14"): 6,
        ("age", "15-17"): 2,
        ("age", "25-34"): 5,
        ("child", "child"): 8,
        ("child", "adult"): 5,
        ("cell", "12-14", "Feminine"): 6,
        ("cell", "15-17", "Feminine"): 2,
        ("cell", "25-34", "Masculine"): 5,
    }
    shown = {("total",): p["sex"].total}
    shown |= {("sex", k): v for k, _l, v in p["sex"].rows if ("sex", k) in exact}
    shown |= {("age", k): v for k, _l, v in p["age_group"].rows if ("age", k) in exact}
    shown |= {("child", k): v for k, _l, v in p["child"].rows}
    grid = p["age_by_sex"]
    for a, _l, values, _m in grid.rows:
        for (b, _lb), v in zip(grid.columns, values, strict=True):
            if ("cell", a, b) in exact:
                shown[("cell", a, b)] = v
    hidden = {k for k, v in shown.items() if v is None}
    assert all(shown[k] == exact[k] for k in shown if k not in hidden)
    relations = [
        (("total",), [("sex", "Feminine"), ("sex", "Masculine")]),
        (("total",), [("age", "12-14"), ("age", "15-17"), ("age", "25-34")]),
        (("total",), [("child", "child"), ("child", "adult")]),
        (("child", "child"), [("age", "12-14"), ("age", "15-17")]),
        (("child", "adult"), [("age", "25-34")]),
        (("age", "12-14"), [("cell", "12-14", "Feminine")]),
        (("age", "15-17"), [("cell", "15-17", "Feminine")]),
        (("age", "25-34"), [("cell", "25-34", "Masculine")]),
        (("sex", "Feminine"), [("cell", "12-14", "Feminine"), ("cell", "15-17", "Feminine")]),
        (("sex", "Masculine"), [("cell", "25-34", "Masculine")]),
    ]
    # What must never be worked out is a small cell: the 2 (a hidden complement of 5 or more may be).
    assert [c for c in rules.derivable(exact, hidden, relations) if exact[c] < 5] == []


def test_tables_are_those_of_the_report_data(worked):
    """The same figures straight from the one function the report reads (the statistics layer once
    it is in place): the PDF shows what the layer gives, nothing recomputed."""
    with translation.override("en"):
        sex = report_data.table("victims", "sex", YEAR)
        region = report_data.table("victims", "region", YEAR)
    # The sex table alone, as the layer protects it (the report then hides it with its linked tables).
    assert (sex.value("Feminine"), sex.value("Masculine"), sex.total) == (8, 5, 13)
    assert (region.value("ML01"), region.value("ML02"), region.value("ML03")) == (6, None, None)


FIGURE = re.compile(r"(?:^|\s)(\d[\d\u202f\xa0,]*)$")  # a figure ends a table row or is a chart label


def figures_in(pages: list[str]) -> list[tuple[int, int, str]]:
    """(figure, page number, line) for every figure of the report: the last number of a table row or a
    chart label. The cover holds dates, no figure; page footers are skipped."""
    found = []
    for number, page in enumerate(pages[1:], start=2):
        for line in page.splitlines():
            line = line.strip()
            if re.search(r"Page \d+ / \d+$", line):
                continue
            m = FIGURE.search(line)
            if m:
                found.append((int(re.sub(r"\D", "", m.group(1))), number, line))
    return found


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_count_below_the_threshold_in_the_pdf(worked, language):
    """The worked example has cells of 2 (and of 1: the refused person, the case of 2024): no figure
    of the report, in a table or on a chart, is a count from 1 to 4."""
    pages = pdf_text(annual_report.build_pdf(YEAR, language))
    figures = figures_in(pages)
    assert [f for f in figures if 0 < f[0] < 5] == []
    assert {6, 13} <= {f[0] for f in figures}  # the check did read the tables
    assert "<5" in "\n".join(pages)


def test_the_report_in_the_walk_of_every_output(data, secretariat, awa, org_a):  # noqa: F811
    """The statistics walk's data (test_outputs: a region with one person, cells of 1 and 2) and its
    users: the report is a PDF for the aggregate roles, with no figure from 1 to 4, and 403 for the others."""
    from django.test import Client

    from sira.accounts.access import sees_aggregates

    for user in _users(secretariat, awa, org_a):
        client = Client()
        client.force_login(user)
        for language in ("fr", "en"):
            response = client.get(reverse("annual_report_pdf"), {"year": YEAR, "lang": language})
            if not sees_aggregates(user):
                assert response.status_code == 403
                continue
            assert response.status_code == 200, user
            pages = pdf_text(response.content)
            figures = figures_in(pages)
            assert [f for f in figures if 0 < f[0] < 5] == [], user
            assert len(figures) > 30


def test_small_cells_are_hidden_with_a_complement(worked):
    with translation.override("en"):
        ages = report_data.table("victims", "age_group", YEAR)
    hidden = [k for k, _l, v in ages.rows if v is None]
    assert hidden == ["15-17", "25-34"]  # alone: the 2 and, in complement, the next smallest (5)


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        (
            "fr",
            [
                "Rapport national annuel sur la traite des personnes",
                "Victimes identifiées par sexe",
                "Victimes identifiées par nationalité",
                "Assistance et orientations",
                "Application de la loi",
                "Activité de dépistage",
                "Méthodologie et contrôle de la divulgation",
                "1er janvier 2025",
                "31 décembre 2025",
            ],
        ),
        (
            "en",
            [
                "Annual national report on trafficking in persons",
                "Victims identified by sex",
                "Victims identified by nationality",
                "Assistance and referrals",
                "Law enforcement",
                "Screening activity",
                "Methodology and disclosure control",
                "1 January 2025",
                "31 December 2025",
            ],
        ),
    ],
)
def test_each_language_has_its_headings(worked, language, headings):
    _pdf, text = the_report(language)
    flat = " ".join(text.split())
    for heading in headings:
        assert heading in flat, heading
    other = "Victims identified by sex" if language == "fr" else "Victimes identifiées par sexe"
    assert other not in flat


def test_numbers_are_written_the_language_s_way(db, settings):
    from sira.statistics import charts

    with translation.override("fr"):
        assert charts.fmt(12345) in ("12\u202f345", "12\xa0345", "12 345")
    with translation.override("en"):
        assert charts.fmt(12345) == "12,345"


# --- The command -------------------------------------------------------------------------------


def test_command_writes_the_pdf_and_an_audit_entry(worked, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("annual_report", "--year", str(YEAR), "--lang", "en", "--out", str(out))
    assert "Victims identified by sex" in "\n".join(pdf_text(out.read_bytes()))
    event = AuditEvent.objects.get(action="export", detail__kind="annual_report")
    assert event.detail == {"kind": "annual_report", "year": YEAR, "language": "en"}


@pytest.mark.parametrize(
    ("year", "lang", "messages"),
    [
        ("20x5", "en", ["The year must be a number between 2000 and"]),
        ("2999", "fr", ["L'année doit être un nombre entre 2000 et"]),
        ("2025", "de", ["La langue doit être « fr » (français) ou « en » (anglais)"]),
        (
            "1850",
            "xx",
            ["L'année doit être un nombre entre 2000 et", "La langue doit être « fr » (français) ou « en »"],
        ),
    ],
)
def test_command_errors_are_clear_translated_and_write_nothing(db, tmp_path, year, lang, messages):
    out = tmp_path / "report.pdf"
    with pytest.raises(CommandError) as raised:
        call_command("annual_report", "--year", year, "--lang", lang, "--out", str(out))
    for message in messages:
        assert message in str(raised.value).replace("\u202f", " ").replace("\xa0", " ").replace("’", "'")
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action="export", detail__kind="annual_report").exists()


def test_command_refuses_a_missing_folder(db, tmp_path):
    with pytest.raises(CommandError, match=r"does not exist"):
        call_command(
            "annual_report", "--year", "2025", "--lang", "en", "--out", str(tmp_path / "no" / "r.pdf")
        )


# --- The page -----------------------------------------------------------------------------------


def test_page_button_downloads_the_pdf_for_a_national_role(worked, secretariat, client):
    client.force_login(secretariat)
    page = client.get(reverse("annual_report"))
    assert page.status_code == 200
    assert reverse("annual_report_pdf") in page.content.decode()
    response = client.get(reverse("annual_report_pdf"), {"year": YEAR, "lang": "fr"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = "\n".join(pdf_text(response.content))
    assert table_in(text, "Victimes identifiées par sexe")["Total"] == "13"
    event = AuditEvent.objects.get(action="export", detail__kind="annual_report")
    assert event.actor == secretariat and event.detail == {
        "kind": "annual_report",
        "year": YEAR,
        "language": "fr",
    }


def test_page_names_every_bad_parameter_in_the_reader_language(secretariat, client):
    client.force_login(secretariat)
    client.cookies["django_language"] = "en"
    response = client.get(
        reverse("annual_report_pdf"), {"year": "abc", "lang": "de"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The year must be a number" in body and "The language must be" in body
    assert not AuditEvent.objects.filter(action="export", detail__kind="annual_report").exists()


NATIONAL = {Role.STATISTICIAN, Role.ADMINISTRATOR}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", ["annual_report", "annual_report_pdf"])
def test_who_may_have_the_report(db, org_a, client, role, name):
    """The access matrix of the report's page and download: the national aggregate roles, and 403 for
    every other role (a role-gated page, as the project's others)."""
    user = UserFactory(username=f"u-{role}", organisation=org_a, role=role)
    client.force_login(user)
    response = client.get(reverse(name), {"year": YEAR, "lang": "en"})
    if role in NATIONAL:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert b"%PDF" not in response.content
    assert AuditEvent.objects.filter(action="export", detail__kind="annual_report").exists() is (
        role in NATIONAL and name == "annual_report_pdf"
    )


def test_anonymous_is_sent_to_login(db, client):
    for name in ("annual_report", "annual_report_pdf"):
        response = client.get(reverse(name), {"year": YEAR, "lang": "en"})
        assert response.status_code == 302 and "login" in response["Location"]
