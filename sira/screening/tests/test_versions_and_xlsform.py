import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command
from pyxform.xls2xform import xls2xform_convert

from sira.screening import engine, services
from sira.screening.loaders import SHIPPED
from sira.screening.models import CatalogueVersion, Screening
from sira.screening.xlsform import build_workbook

pytestmark = pytest.mark.django_db


def _next_version_file(tmp_path, change=None):
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["version"] = "2027.1"
    # A correction a reviewer might make after checking the ILO brochure: drop the "2 medium + 1 weak" clause.
    rules = data["rules"]["R1_dimension_positive"]["logic"]["any_of"]
    data["rules"]["R1_dimension_positive"]["logic"]["any_of"] = [
        c for c in rules if c != {"medium_min": 2, "weak_min": 1}
    ]
    if change:
        change(data)
    path = tmp_path / "catalogue-2027.1.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_screening_keeps_its_catalogue_version_after_a_new_one_is_loaded(awa, tmp_path):
    old = services.start_screening(
        by=awa,
        profile={"screened_on": "2026-11-01", "gender": "Feminine", "age": 30},
        catalogue=CatalogueVersion.objects.get(version="2026.1"),
    )
    services.complete_screening(old, by=awa, answers={"ACT-01": engine.YES}, urgent=[])
    call_command("load_catalogue", str(_next_version_file(tmp_path)))
    assert services.current_catalogue().version == "2027.1"
    old.refresh_from_db()
    assert old.catalogue.version == "2026.1" and old.result["catalogue"] == "2026.1"
    services.complete_screening(old, by=awa, answers={"ACT-01": engine.YES}, urgent=[])  # rescored later
    old.refresh_from_db()
    assert old.result["catalogue"] == "2026.1"
    new = services.start_screening(
        by=awa, profile={"screened_on": "2026-11-02", "gender": "Feminine", "age": 30}
    )
    assert new.catalogue.version == "2027.1"
    assert {v.version: v.is_current for v in CatalogueVersion.objects.all()} == {
        "2026.1": False,
        "2026.2": False,
        "2027.1": True,
    }


def test_a_rule_correction_is_a_data_change(awa, tmp_path):
    call_command("load_catalogue", str(_next_version_file(tmp_path)))
    two_medium_one_weak = {"ILO-D4-02": engine.YES, "ILO-D4-03": engine.YES, "ILO-D4-09": engine.YES}
    d4 = {}
    for version in ("2026.1", "2027.1"):
        catalogue = CatalogueVersion.objects.get(version=version).catalogue
        dims = engine.score(catalogue, two_medium_one_weak, age=30, forms=[])["sets"][0]["dimensions"]
        d4[version] = next(d["status"] for d in dims if d["id"] == "D4")
    assert d4 == {"2026.1": "positive", "2027.1": "not_positive"}


def test_loading_a_broken_or_repeated_catalogue_changes_nothing(tmp_path):
    broken = _next_version_file(tmp_path, change=lambda d: d["indicators"][5].update(category="odd"))
    with pytest.raises(CommandError, match="catégorie « odd » inconnue"):  # French first, also in commands
        call_command("load_catalogue", str(broken))
    with pytest.raises(CommandError, match="already loaded"):
        call_command("load_catalogue", str(SHIPPED))
    assert set(CatalogueVersion.objects.values_list("version", "is_current")) == {
        ("2026.1", False),
        ("2026.2", True),
    }


def test_administrator_loads_a_version_through_the_admin(tmp_path, client, django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = django_user_model.objects.create_superuser(
        "root", password="x-very-long-pass", role="administrator"
    )
    client.force_login(admin)
    upload = SimpleUploadedFile("c.yaml", _next_version_file(tmp_path).read_bytes())
    response = client.post("/admin/screening/catalogueversion/add/", {"file": upload, "make_current": "on"})
    assert response.status_code == 302
    assert services.current_catalogue().version == "2027.1"
    assert services.current_catalogue().loaded_by == admin


@pytest.mark.slow
def test_xlsform_converts_with_pyxform_and_passes_odk_validate(tmp_path):
    if shutil.which("java") is None:
        pytest.skip(
            "Java is not installed, so ODK Validate cannot run (apt-get install default-jre-headless)"
        )
    xlsx, xml = tmp_path / "sira.xlsx", tmp_path / "sira.xml"
    call_command("build_xlsform", "--output", str(xlsx))
    warnings = xls2xform_convert(str(xlsx), str(xml), validate=True)  # runs ODK Validate (Java)
    assert warnings == []
    form = xml.read_text(encoding="utf-8")
    assert 'lang="French (fr)"' in form and 'lang="English (en)"' in form
    assert "/data/core/c_leave" in form and "/data/meta/instanceID" in form
    assert "/data/core/c_debt  = 'yes'" in form  # the follow-up opens on the risk answer


def test_xlsform_holds_every_question_of_the_bank_in_both_languages():
    catalogue = services.current_catalogue()
    workbook = build_workbook(catalogue)
    rows = list(workbook["survey"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    bank = catalogue.catalogue
    by_name = {r[header.index("name")]: r for r in body}
    assert {q.field_name for q in bank.by_id.values()} <= set(by_name)
    fr, en, relevant = (header.index(c) for c in ("label::French (fr)", "label::English (en)", "relevant"))
    questions = [by_name[q.field_name] for q in bank.by_id.values()]
    assert len(questions) == len(bank.by_id) and all(r[fr] and r[en] for r in questions)
    assert by_name["c_debt_origin"][relevant] == "(${c_debt} = 'yes')"
    assert by_name["c_with_parent"][relevant].startswith("(string-length(${age}) = 0 or ${age} < 18)")
    assert (
        by_name["b_quota"][relevant]
        == "(selected(${suspected_forms}, 'forced_begging')) and (${b_for_other} = 'yes')"
    )
    assert by_name["c_promises"][0] == "select_multiple c_promises"
    assert workbook["settings"]["C2"].value == "20262"


def test_an_offline_submission_maps_back_to_the_same_questions(awa):
    from sira.screening import importer

    header = "catalogue_version,profile-screened_on,profile-gender,profile-age,profile-region,"
    header += "core-c_arranged,core-c_promises,core-c_hours,core-c_pay,core-c_docs,core-c_violence,"
    header += "core-c_leave,meta-instanceID\n"
    line = "2026.2,2026-11-19,Feminine,30,ML01,yes,work pay,yes,less,someone_else,yes,maybe,uuid:b1\n"
    line += "2026.2,2026-11-19,Feminine,30,ML01,yes,work pay,yes,less,someone_else,yes,no,uuid:b2\n"
    batch = importer.start_import(by=awa, file_name="x.csv", content=(header + line).encode())
    batch = importer.process(batch)
    assert batch.counts() == {"accepted": 1, "needs_fix": 1, "duplicate": 0}
    screening = Screening.objects.get(submission_id="uuid:b2")
    assert screening.catalogue.version == "2026.2" and screening.outcome == "strong"
    assert screening.answers["C-PROMISES"] == ["work", "pay"] and screening.answers["C-LEAVE"] == "no"
