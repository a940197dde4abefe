"""Open-data exports: HTCDS values within the standard's picklists, k-anonymity held in the file itself,
the generalised/suppressed counts right, statistics refusals left out, no identity, audited."""

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from sira.audit.models import AuditEvent
from sira.cases.models import Case, Consent
from sira.interop import rules, services
from sira.interop.tests import helpers

PICKLISTS = Path("/work/shared/data/htcds/htcds_picklists_v2.0.csv")
ISO = Path("/work/shared/data/htcds/htcds_iso3166_alpha2_countries.csv")
HTCDS_QI = [
    "sira_AgeBand",
    "prs_Gender",
    "prs_Citizenship",
    "sira_IdentificationRegion",
    "sira_IdentificationYear",
    "vic_TypeOfExploitation",
]
CTDC_QI = [
    "ageBroad",
    "gender",
    "citizenship",
    "CountryOfExploitation",
    "yearOfRegistration",
    "Datasource",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
]
IDENTITY = (
    "prs_FirstName",
    "prs_MiddleName",
    "prs_SecondName",
    "prs_Birthdate",
    "cas_CaseNumber",
    "org_Name",
)


def _import(tmp_path, user, rows, name="in.csv"):
    path = helpers.write(tmp_path / name, rows)
    return services.import_file(path, fmt="htcds", organisation=user.organisation, by=user)


def _mixed(n=200):
    genders = ["Feminine", "Masculine", "Feminine", "NonConforming"]
    forms = ["ForcedLabour", "DomesticServitude;ForcedLabour", "SexualExploitation", "ForcedBeggingKoranic"]
    countries = ["ML", "ML", "BF", "NG", "CI", "GN"]
    return [
        helpers.row(
            i,
            age=3 + (i * 7) % 60,
            gender=genders[i % 4],
            citizenship=countries[i % 6],
            region=f"ML0{1 + i % 9}",
            date=f"{2019 + i % 6}-0{1 + i % 9}-15",
            forms=forms[i % 4],
        )
        for i in range(n)
    ]


def _sira_extensions():
    # Sira's own forms of exploitation (Mali extensions), in groups large enough to need no
    # generalisation: the file must still carry only the standard's values.
    forms = [
        "DomesticServitude",
        "ForcedBeggingKoranic",
        "DescentBasedSlavery;DebtBondage",
        "ArmedForcesRecruitment",
    ]
    return [helpers.row(i, forms=forms[i % 4], age=12) for i in range(60)]


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "k", "level"), [(_mixed, 2, None), (_sira_extensions, 11, 0)])
def test_htcds_export_values_are_picklist_values(tmp_path, importer_user, rows, k, level):
    _import(tmp_path, importer_user, rows())
    out = tmp_path / "out.csv"
    report = services.export_open_data(out, fmt="htcds", by=importer_user, k=k)
    assert level is None or report.level == level
    picklists: dict[str, set] = {}
    with open(PICKLISTS, newline="", encoding="utf-8") as f:
        for p in csv.DictReader(f):
            picklists.setdefault(p["field_name_with_prefix"], set()).add(p["value_name"])
    with open(ISO, newline="", encoding="utf-8") as f:
        iso = {r[0] for r in csv.reader(f)}
    rows = helpers.read(out)
    assert len(rows) == report.written > 0
    checked = 0
    for r in rows:
        for column, value in r.items():
            if column in picklists and value:
                for part in value.split(";"):
                    assert part in picklists[column], (column, part)
                    checked += 1
        for code in filter(None, r["prs_Citizenship"].split(";")):
            assert code in iso, code
    assert checked > len(rows)
    assert not set(rows[0]) & set(IDENTITY)


def _groups(rows, columns):
    return Counter(tuple(r[c] for c in columns) for r in rows)


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "qi"), [("htcds", HTCDS_QI), ("ctdc", CTDC_QI)])
@pytest.mark.parametrize("k", [11, 5])
def test_kanonymised_export_has_no_group_below_k(tmp_path, importer_user, fmt, qi, k):
    _import(tmp_path, importer_user, _mixed(300))
    out = tmp_path / "out.csv"
    report = services.export_open_data(out, fmt=fmt, by=importer_user, k=k)
    rows = helpers.read(out)
    assert len(rows) == report.written == report.total - report.suppressed
    assert report.total == 300
    assert rows, "everything suppressed: the test would prove nothing"
    small = {g: n for g, n in _groups(rows, qi).items() if n < k}
    assert not small


def _small_groups_dataset():
    # 30 alike, 12 alike, and one whose age band (21-23) differs from the 30 (18-20).
    return (
        [helpers.row(i, age=19) for i in range(30)]
        + [
            helpers.row(100 + i, age=40, gender="Masculine", region="ML02", forms="SexualExploitation")
            for i in range(12)
        ]
        + [helpers.row(200, age=22)]
    )


@pytest.mark.django_db
def test_reported_counts_are_right_suppression(tmp_path, importer_user):
    _import(tmp_path, importer_user, _small_groups_dataset())
    out = tmp_path / "out.csv"
    report = services.export_open_data(out, fmt="htcds", by=importer_user, k=11)
    # 1 record of 43 in a small group: within the 5 % allowed, so level 0 and that one is suppressed.
    assert (report.level, report.total, report.suppressed, report.generalised) == (0, 43, 1, 0)
    rows = helpers.read(out)
    assert len(rows) == 42
    assert Counter(r["sira_AgeBand"] for r in rows) == {"18--20": 30, "39--47": 12}


@pytest.mark.django_db
def test_reported_counts_are_right_generalisation(tmp_path, importer_user):
    _import(tmp_path, importer_user, _small_groups_dataset())
    out = tmp_path / "out.csv"
    report = services.export_open_data(out, fmt="htcds", by=importer_user, k=11, max_suppressed=0)
    # No suppression allowed: ages widen (18-29 takes the 21-23 record), every record is generalised.
    assert (report.level, report.suppressed, report.generalised, report.written) == (1, 0, 43, 43)
    rows = helpers.read(out)
    assert Counter(r["sira_AgeBand"] for r in rows) == {"18--29": 31, "30--47": 12}
    assert not {g: n for g, n in _groups(rows, HTCDS_QI).items() if n < 11}
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("pk")
    assert event.actor == importer_user
    assert (
        event.detail.items()
        >= {"format": "htcds", "k": 11, "written": 43, "generalised": 43, "suppressed": 0}.items()
    )
    assert "Traoré" not in json.dumps(event.detail) and "SRC-" not in json.dumps(event.detail)


@pytest.mark.django_db
def test_statistics_refusals_left_out(tmp_path, importer_user):
    _import(tmp_path, importer_user, [helpers.row(i) for i in range(15)])
    refused = Case.objects.order_by("pk").first()
    Consent.objects.create(
        case=refused,
        purpose="Statistics",
        given=False,
        recorded_on=refused.identification_date,
        recorded_by=importer_user,
    )
    report = services.export_open_data(tmp_path / "out.csv", fmt="ctdc", by=importer_user, k=11)
    assert report.total == 14


@pytest.mark.django_db
def test_command_prints_counts(tmp_path, importer_user, capsys):
    _import(tmp_path, importer_user, _small_groups_dataset())
    out = tmp_path / "out.csv"
    call_command("export", "--format", "ctdc", "--out", str(out), "--k", "11", "--lang", "en")
    text = capsys.readouterr().out
    assert "43 records: 42 written (0 generalised), 1 suppressed; k = 11" in text
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:4] == ["yearOfRegistration", "Datasource", "gender", "ageBroad"]


@pytest.mark.django_db
def test_dhis2_values_suppressed(tmp_path, importer_user):
    spread = {("ML01", "Feminine"): 12, ("ML01", "Masculine"): 8, ("ML02", "Feminine"): 3,
              ("ML03", "Feminine"): 10, ("ML03", "Masculine"): 6, ("ML04", "Feminine"): 9,
              ("ML04", "Masculine"): 7}  # fmt: skip
    rows, n = [], 0
    for (region, gender), count in spread.items():
        for _ in range(count):
            rows.append(helpers.row(n, region=region, gender=gender, age=12 if n % 2 else 30))
            n += 1
    _import(tmp_path, importer_user, rows)
    out = tmp_path / "dhis2.json"
    services.export_open_data(out, fmt="dhis2-json", by=importer_user)
    values = json.loads(out.read_text())["dataValues"]
    shown = {v["orgUnit"] for v in values}
    assert "ML02" not in shown and shown  # ML02 holds 3: hidden, its group left out whole
    assert all(int(v["value"]) >= 5 for v in values)
    for v in values:  # what is shown is exact
        if v["dataElement"] == "SIRA_TIP_VICTIMS_SEX" and v["categoryOptionCombo"] == "SIRA_SEX_F":
            assert int(v["value"]) == spread[(v["orgUnit"], "Feminine")]
    for unit in shown:  # a group is whole: both elements, and each adds up to the same total
        sex = sum(
            int(v["value"]) for v in values if v["orgUnit"] == unit and v["dataElement"].endswith("SEX")
        )
        age = sum(
            int(v["value"]) for v in values if v["orgUnit"] == unit and v["dataElement"].endswith("AGE")
        )
        assert sex == age == spread.get((unit, "Feminine"), 0) + spread.get((unit, "Masculine"), 0)
    csv_out = tmp_path / "dhis2.csv"
    services.export_open_data(csv_out, fmt="dhis2-csv", by=importer_user)
    assert csv_out.read_text().splitlines()[0] == "dataElement,period,orgUnit,categoryOptionCombo,value"


def test_ladder_levels_are_coarser():
    qi = ("21--23", "Feminine", "NG", "ML05", "2016", "DomesticServitude", "Hotline")
    lad = rules.Ladder(
        11,
        (("21--23", 21, 23),),
        frozenset(),
        frozenset(),
        {"isForcedLabour": ["Servitude"], "isSexualExploit": []},
    )
    assert lad.apply(qi, 4) == ("18+", "Feminine", "", "", "2012-2017", "Other", "")
