"""Imports: a malformed file imports nothing and names every problem (row and column, in the user's
language); --quarantine sets aside only the bad rows, encrypted; re-importing adds nothing; identities
are encrypted with name tokens; every import is audited."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sira.audit.models import AuditEvent
from sira.cases.models import Case, CaseNumberCounter, Person, PersonNameToken
from sira.core import names
from sira.interop import services
from sira.interop.models import ImportedRecord, QuarantinedRecord
from sira.interop.tests import helpers

CTDC_HEADER = (
    "yearOfRegistration,Datasource,gender,ageBroad,citizenship,CountryOfExploitation,isForcedLabour,"
    "isSexualExploit"
)


def _import(path, user, **kw):
    return services.import_file(
        path, fmt=kw.pop("fmt", "htcds"), organisation=user.organisation, by=user, **kw
    )


def _bad_htcds(tmp_path):
    return helpers.write(
        tmp_path / "bad.csv",
        [
            helpers.row(1),
            helpers.row(2, date="2024-13-40"),  # bad date
            helpers.row(3, gender="Woman"),  # unknown code
            helpers.row(4, forms="Slavery", citizenship="XX"),  # two unknown codes
            helpers.row(5, region="ML99"),
            helpers.row(6, first="Mariam"),
        ],
    )


@pytest.mark.django_db
def test_malformed_file_imports_nothing_and_names_every_problem(tmp_path, importer_user):
    with pytest.raises(services.ImportRefused) as refused:
        _import(_bad_htcds(tmp_path), importer_user)
    problems = refused.value.problems
    assert problems == [
        "ligne 3, colonne sira_IdentificationDate : « 2024-13-40 » n'est pas une date (AAAA-MM-JJ)",
        "ligne 4, colonne prs_Gender : valeur inconnue « Woman » (attendu : Feminine, Masculine, "
        "NonConforming, NonSpecifiedUnknown, TransgenderFeminine, TransgenderMasculine)",
        "ligne 5, colonne prs_Citizenship : code pays inconnu « XX »",
        *[p for p in problems if p.startswith("ligne 5, colonne sira_TypeOfExploitation")],
        *[p for p in problems if p.startswith("ligne 6, colonne sira_IdentificationRegion")],
    ]
    assert len(problems) == 5
    assert Case.objects.count() == Person.objects.count() == ImportedRecord.objects.count() == 0
    assert not CaseNumberCounter.objects.filter(last__gt=0).exists()
    event = AuditEvent.objects.latest("pk")
    assert event.detail["kind"] == "import_refused" and event.detail["problems"] == 5


@pytest.mark.django_db
def test_messages_in_english(tmp_path, importer_user):
    with pytest.raises(services.ImportRefused) as refused:
        _import(_bad_htcds(tmp_path), importer_user, language="en")
    assert refused.value.problems[0] == (
        "row 3, column sira_IdentificationDate: “2024-13-40” is not a date (YYYY-MM-DD)"
    )


@pytest.mark.django_db
def test_bad_encoding_and_missing_column_named(tmp_path, importer_user):
    path = tmp_path / "latin1.csv"
    lines = [
        CTDC_HEADER.replace(",citizenship", ""),
        "2016,Hotline,Female,18--20,US,0,1",
        "2016,Hotline,Fémale,18--20,US,0,1",
    ]
    path.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(services.ImportRefused) as refused:
        _import(path, importer_user, fmt="ctdc", language="en")
    assert refused.value.problems == [
        "row 1, column citizenship: required column missing",
        "line 3 is not UTF-8 text (byte 0xe9 at position 15); save the file as UTF-8",
    ]
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_ctdc_bad_values_named(tmp_path, importer_user):
    path = tmp_path / "ctdc.csv"
    path.write_text(
        "\n".join([CTDC_HEADER, "2016,Hotline,Female,18--20,US,US,0,1", "20x6,Radio,Femme,18-21,QQ,US,2,1"])
    )
    with pytest.raises(services.ImportRefused) as refused:
        _import(path, importer_user, fmt="ctdc", language="en")
    columns = [p.split(":")[0] for p in refused.value.problems]
    assert columns == [
        "row 3, column yearOfRegistration",
        "row 3, column gender",
        "row 3, column ageBroad",
        "row 3, column citizenship",
        "row 3, column isForcedLabour",
        "row 3, column Datasource",
    ]
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_quarantine_sets_aside_only_bad_rows_encrypted(tmp_path, importer_user):
    result = _import(_bad_htcds(tmp_path), importer_user, quarantine=True)
    assert (result.imported, result.quarantined) == (2, 4)
    assert Case.objects.count() == 2
    kept = QuarantinedRecord.objects.order_by("row_number")
    assert [q.row_number for q in kept] == [3, 4, 5, 6]
    assert kept[1].raw["prs_Gender"] == "Woman" and kept[1].errors[0]["column"] == "prs_Gender"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT raw, errors FROM {QuarantinedRecord._meta.db_table}")  # noqa: S608
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert "Traoré" not in stored and "Woman" not in stored and "Mariam" not in stored
    # Again: the good rows are already there, the bad ones already set aside.
    again = _import(_bad_htcds(tmp_path), importer_user, quarantine=True)
    assert (again.imported, again.quarantined, again.already) == (0, 0, 6)
    assert QuarantinedRecord.objects.count() == 4


@pytest.mark.django_db
def test_reimport_is_idempotent_and_identities_encrypted(tmp_path, importer_user):
    path = helpers.write(
        tmp_path / "ok.csv", [helpers.row(i, first="Fatoumata", last="Coulibaly") for i in range(7)]
    )
    first = _import(path, importer_user)
    assert first.imported == 7
    second = _import(path, importer_user)
    assert (second.imported, second.already) == (0, 7)
    assert Case.objects.count() == 7
    numbers = sorted(Case.objects.values_list("case_number", flat=True))
    assert numbers == [f"TSTI-2024-{n:04d}" for n in range(1, 8)]
    assert CaseNumberCounter.objects.get(organisation=importer_user.organisation, year=2024).last == 7
    person = Person.objects.first()
    assert person.first_name == "Fatoumata" and person.first_name_index
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT first_name, last_name FROM {Person._meta.db_table}")  # noqa: S608
        assert "Coulibaly" not in str(cursor.fetchall())
    wanted = names.name_tokens("Fatoumata", None, "Coulibaly")
    assert set(PersonNameToken.objects.filter(person=person).values_list("token", flat=True)) == set(wanted)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, detail__kind="import").order_by("pk")
    assert [(e.detail["imported"], e.detail["already_imported"]) for e in events] == [(7, 0), (0, 7)]
    assert all(e.actor == importer_user for e in events)
    assert "Coulibaly" not in str([e.detail for e in events])


@pytest.mark.django_db
def test_identical_ctdc_rows_stay_distinct(tmp_path, importer_user):
    path = tmp_path / "ctdc.csv"
    path.write_text(
        "\n".join(
            [CTDC_HEADER] + ["2016,Hotline,Female,18--20,US,US,0,1"] * 3 + ["2017,,Male,-99,0,,-99,-99"]
        )
    )
    assert _import(path, importer_user, fmt="ctdc").imported == 4
    assert _import(path, importer_user, fmt="ctdc").imported == 0
    case = Case.objects.filter(identification_context="Hotline").first()
    assert case.age_at_identification == 18 and case.person.gender == "Feminine"
    assert list(case.person.citizenships) == ["US"]
    assert [e.form for e in case.exploitations.all()] == ["SexualExploitation"]
    assert case.route.get().country == "US"
    assert case.identification_region_id == "ML09"  # the organisation's region
    unknown = Case.objects.get(identification_date__year=2017)
    assert unknown.age_at_identification is None and not unknown.person.citizenships


@pytest.mark.django_db
def test_command(tmp_path, importer_user, capsys):
    path = helpers.write(tmp_path / "ok.csv", [helpers.row(i) for i in range(3)])
    call_command("import", str(path), "--format", "htcds", "--organisation", "tsti", "--lang", "en")
    assert (
        "3 rows read: 3 imported, 0 already imported, 0 set aside for correction." in capsys.readouterr().out
    )
    with pytest.raises(CommandError, match="5 problems: nothing was imported"):
        call_command(
            "import", str(_bad_htcds(tmp_path)), "--format", "htcds", "--organisation", "TSTI", "--lang", "en"
        )
    assert Case.objects.count() == 3


@pytest.mark.django_db
def test_ctdc_needs_a_region(tmp_path, importer_user):
    importer_user.organisation.region = None
    importer_user.organisation.save()
    path = tmp_path / "ctdc.csv"
    path.write_text("\n".join([CTDC_HEADER, "2016,Hotline,Female,18--20,US,US,0,1"]))
    with pytest.raises(services.ImportRefused) as refused:
        _import(path, importer_user, fmt="ctdc", language="en")
    assert refused.value.problems[0].startswith("--region: give the region")
    with pytest.raises(services.ImportRefused):
        _import(path, importer_user, fmt="ctdc", region="ML99")
    assert _import(path, importer_user, fmt="ctdc", region="ML05").imported == 1
    assert Case.objects.get().identification_region_id == "ML05"
