"""`rescore_screenings`: a comparison report under another version; stored results never change."""

import csv
import html
import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from sira.audit.models import AuditEvent
from sira.screening import services
from sira.screening.loaders import store
from sira.screening.models import CatalogueVersion, Screening
from sira.screening.tests.bank_helpers import bank_data
from sira.screening.tests.test_api import CHILD_AT_MINE

pytestmark = pytest.mark.django_db
PROFILE = {
    "screened_on": "2026-11-20",
    "gender": "Masculine",
    "age": 12,
    "region_id": "ML01",
    "suspected_forms": ["forced_labour_gold_mining"],
}


def load_2027_without_child_path():
    """A stricter (hypothetical) 2027.1: the child path act + purpose is removed."""
    data = bank_data() | {"version": "2027.1"}
    data["rules"] = data["rules"] | {
        "paths": [p for p in data["rules"]["paths"] if p["id"] != "child_trafficking"]
    }
    return store(CatalogueVersion, yaml.safe_dump(data, allow_unicode=True), make_current=False)


def screened(by, answers, *, version=None, profile=PROFILE):
    catalogue = CatalogueVersion.objects.get(version=version) if version else None
    screening = services.start_screening(by=by, profile=profile, catalogue=catalogue)
    return services.complete_screening(screening, by=by, answers=answers, urgent=[])


def stored():
    return list(Screening.objects.order_by("id").values()), AuditEvent.objects.count()


def test_rescore_reports_each_transition_and_changes_nothing(awa, tmp_path):
    old = screened(awa, {"ACT-01": "yes"}, version="2026.1", profile=PROFILE | {"age": 30})
    strong = screened(awa, CHILD_AT_MINE)
    some = screened(awa, {"C-ARRANGED": "yes", "C-HOURS": "yes"})
    draft = services.start_screening(by=awa, profile=PROFILE)  # not complete: not compared
    assert (old.outcome, strong.outcome, some.outcome) == ("some", "strong", "some")
    load_2027_without_child_path()
    before = stored()
    out, report = io.StringIO(), tmp_path / "report.csv"
    call_command("rescore_screenings", version="2027.1", output=str(report), stdout=out)
    assert stored() == before  # every stored row, result and outcome as it was; no audit event
    rows = {int(r["screening"]): r for r in csv.DictReader(report.open(encoding="utf-8"))}
    assert set(rows) == {old.pk, strong.pk, some.pk} and draft.pk not in rows
    assert rows[strong.pk] == {
        "screening": str(strong.pk),
        "old_version": "2026.2",
        "old_outcome": "strong",
        "new_version": "2027.1",
        "new_outcome": "some",
        "changed": "yes",
        "note": "",
    }
    assert (rows[some.pk]["new_outcome"], rows[some.pk]["changed"]) == ("some", "no")
    # 2026.1 answered indicator items, which a question bank does not ask: never guessed
    assert (rows[old.pk]["new_outcome"], rows[old.pk]["changed"]) == ("not comparable", "n/a")
    summary = out.getvalue()
    assert "3 screening(s) compared under 2027.1: 1 changed" in summary
    assert "strong -> some: 1" in summary and "some -> some: 1" in summary
    assert "some -> not comparable: 1" in summary


def test_rescore_prints_the_report_without_output_file(awa):
    screened(awa, CHILD_AT_MINE)
    load_2027_without_child_path()
    out = io.StringIO()
    call_command("rescore_screenings", "--version", "2027.1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "screening,old_version,old_outcome,new_version,new_outcome,changed,note"
    assert ",2026.2,strong,2027.1,some,yes," in lines[1]


def test_rescore_refuses_an_unknown_version(db):
    with pytest.raises(CommandError, match=r"No catalogue version 2099\.1"):
        call_command("rescore_screenings", version="2099.1")


def test_administrators_get_the_comparison_from_the_admin(awa, client, django_user_model):
    strong = screened(awa, CHILD_AT_MINE)
    target = load_2027_without_child_path()
    admin = django_user_model.objects.create_superuser(
        "root", password="x-very-long-pass", role="administrator"
    )
    client.force_login(admin)
    before = stored()
    response = client.post(
        "/admin/screening/catalogueversion/",
        {"action": "compare_screenings", "_selected_action": [target.pk]},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["screening"], r["new_outcome"], r["changed"]) for r in rows] == [
        (str(strong.pk), "some", "yes")
    ]
    assert stored() == before


def test_the_result_page_of_an_older_version_points_to_the_comparison(awa, client):
    strong = screened(awa, CHILD_AT_MINE)
    CatalogueVersion.objects.filter(version="2026.2").update(is_current=False)
    CatalogueVersion.objects.filter(pk=load_2027_without_child_path().pk).update(is_current=True)
    client.force_login(awa)
    body = html.unescape(client.get(f"/screening/{strong.pk}/").content.decode())
    assert 'data-testid="old-version"' in body and "(2027.1)" in body
    assert "les administrateurs peuvent le comparer avec la nouvelle version dans un rapport" in body
    strong.refresh_from_db()
    assert strong.outcome == "strong" and strong.catalogue.version == "2026.2"
