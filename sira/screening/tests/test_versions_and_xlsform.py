import copy
import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command
from pyxform.xls2xform import xls2xform_convert

from sira.screening import engine, services
from sira.screening.loaders import SHIPPED
from sira.screening.models import CatalogueVersion
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
        by=awa, profile={"screened_on": "2026-11-01", "gender": "Feminine", "age": 30}
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
        ("2026.1", True),
        ("2026.2", False),
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
    assert "/data/general/ilo_d1_01" in form and "/data/meta/instanceID" in form


def test_xlsform_holds_every_question_in_both_languages():
    catalogue = services.current_catalogue()
    workbook = build_workbook(catalogue)
    rows = list(workbook["survey"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    names = {r[header.index("name")] for r in body}
    assert {i.field_name for i in catalogue.catalogue.indicators.values()} <= names
    fr, en = header.index("label::French (fr)"), header.index("label::English (en)")
    questions = [r for r in body if r[0] == "select_one answer"]
    assert len(questions) == 276 + 3 and all(r[fr] and r[en] for r in questions)
    data = copy.deepcopy(catalogue.data)
    assert (
        data["version"] == workbook["settings"]["C2"].value[:4] + "." + workbook["settings"]["C2"].value[4:]
    )
