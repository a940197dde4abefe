"""Importing offline submissions: exact counts, the bad rows named by row and column, nothing else
changed, and a second import of the same file changes nothing."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from sira.screening import importer
from sira.screening.messages import import_error
from sira.screening.models import QuarantinedRow, Screening

# ODK Central names columns by group path joined with "-", KoboToolbox with "/".
HEADERS = [
    "SubmissionDate",
    "catalogue_version",
    "profile-screened_on",
    "profile-gender",
    "profile-age",
    "profile-nationality",
    "profile-region",
    "profile-cercle",
    "profile-suspected_forms",
    "urgent-urg_danger",
    "urgent-urg_medical",
    "urgent-urg_unaccompanied",
    "general-act_01",
    "general-ilo_d4_01",
    "general-ilo_d4_03",
    "general-ilo_d1_01",
    "meta-instanceID",
]


def row(instance, **changes):
    values = {
        "SubmissionDate": "2026-11-20T10:00:00Z",
        "catalogue_version": "2026.1",
        "profile-screened_on": "2026-11-19",
        "profile-gender": "Masculine",
        "profile-age": "13",
        "profile-nationality": "ML",
        "profile-region": "ML01",
        "profile-cercle": "ML0104",
        "profile-suspected_forms": "forced_labour_gold_mining",
        "urgent-urg_danger": "no",
        "urgent-urg_medical": "no",
        "urgent-urg_unaccompanied": "yes",
        "general-act_01": "yes",
        "general-ilo_d4_01": "yes",
        "general-ilo_d4_03": "yes",
        "general-ilo_d1_01": "",
        "meta-instanceID": f"uuid:{instance}",
    }
    values.update(changes)
    return values


def as_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


MIXED = [
    row("a1"),
    row("a2", **{"profile-gender": "Feminine", "general-act_01": "unknown"}),
    row("a3", **{"profile-age": "", "general-ilo_d4_01": "no"}),
    row("bad-date", **{"profile-screened_on": "2026-13-45"}),  # malformed: row 5
    row("bad-answer", **{"general-ilo_d1_01": "maybe"}),  # unknown answer code: row 6
    row("a1", **{"SubmissionDate": "2026-11-21T08:00:00Z"}),  # the same submission sent again: row 7
]


def run(user, content, name="export.csv"):
    batch = importer.start_import(by=user, file_name=name, content=content)
    while batch.finished_at is None:
        batch = importer.process(batch, limit=2)  # small chunks: progress is real
    return batch


def test_mixed_file_reports_exact_counts_and_names_the_bad_cells(awa):
    batch = run(awa, as_csv(MIXED))
    assert batch.total_rows == 6
    assert batch.counts() == {"accepted": 3, "needs_fix": 2, "duplicate": 1}
    statuses = {e["row"]: e["status"] for e in batch.report}
    assert statuses == {
        2: "accepted",
        3: "accepted",
        4: "accepted",
        5: "needs_fix",
        6: "needs_fix",
        7: "duplicate",
    }
    errors = {e["row"]: e["errors"] for e in batch.report if e["errors"]}
    assert [(e["column"], e["code"]) for e in errors[5]] == [("profile-screened_on", "bad_date")]
    assert [(e["column"], e["code"]) for e in errors[6]] == [("general-ilo_d1_01", "bad_answer")]
    assert "general-ilo_d1_01" in import_error(errors[6][0]) and "maybe" in import_error(errors[6][0])
    assert Screening.objects.count() == 3
    assert QuarantinedRow.objects.count() == 2


def test_accepted_rows_are_scored_with_their_answers(awa):
    run(awa, as_csv(MIXED))
    first = Screening.objects.get(submission_id="uuid:a1")
    assert first.source == "xlsform" and first.catalogue.version == "2026.1"
    assert first.answers == {"ACT-01": "yes", "ILO-D4-01": "yes", "ILO-D4-03": "yes"}
    assert first.urgent == ["URG-UNACCOMPANIED"] and first.result["immediate_referral"]
    assert first.outcome == "strong"  # a child, an act and exploitation
    assert Screening.objects.get(submission_id="uuid:a2").answers["ACT-01"] == "unknown"
    assert Screening.objects.get(submission_id="uuid:a3").age is None


def test_importing_the_same_file_twice_changes_nothing(awa):
    content = as_csv(MIXED)
    run(awa, content)
    snapshot = list(Screening.objects.order_by("pk").values_list("pk", "submission_id", "outcome"))
    quarantined = list(QuarantinedRow.objects.order_by("pk").values_list("pk", "row_key"))
    second = run(awa, content)
    assert second.counts() == {"accepted": 0, "needs_fix": 2, "duplicate": 4}
    assert list(Screening.objects.order_by("pk").values_list("pk", "submission_id", "outcome")) == snapshot
    assert list(QuarantinedRow.objects.order_by("pk").values_list("pk", "row_key")) == quarantined


def test_kobo_style_xlsx_is_read_too(awa):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([h.replace("-", "/").replace("meta/instanceID", "_uuid") for h in HEADERS])
    sheet.append(list(row("x1").values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = run(awa, buffer.getvalue(), name="kobo.xlsx")
    assert batch.counts() == {"accepted": 1, "needs_fix": 0, "duplicate": 0}
    assert Screening.objects.get().submission_id == "uuid:x1"


@pytest.mark.parametrize(
    ("change", "column", "code"),
    [
        ({"meta-instanceID": ""}, "meta-instanceID", "missing_id"),
        ({"profile-gender": "F"}, "profile-gender", "bad_choice"),
        ({"profile-age": "abc"}, "profile-age", "bad_age"),
        ({"profile-nationality": "XX"}, "profile-nationality", "bad_country"),
        ({"profile-cercle": "ML0901"}, "profile-cercle", "bad_cercle"),
        ({"urgent-urg_medical": "oui"}, "urgent-urg_medical", "bad_answer"),
        ({"profile-suspected_forms": "gold"}, "profile-suspected_forms", "bad_choice"),
    ],
)
def test_each_kind_of_bad_cell_is_quarantined_with_its_column(awa, change, column, code):
    batch = run(awa, as_csv([row("z1", **change)]))
    assert batch.counts()["needs_fix"] == 1 and Screening.objects.count() == 0
    assert [(e["column"], e["code"]) for e in batch.report[0]["errors"]] == [(column, code)]


def test_command_imports_with_progress_and_report(awa, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes(as_csv(MIXED))
    call_command("import_submissions", str(path), "--user", "awa")
    out, err = capsys.readouterr()
    assert "6 rows: 3 accepted, 2 need fixing, 1 duplicates." in out
    assert "general-ilo_d1_01" in out and "6/6" in err


def test_web_import_with_progress_steps(awa, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(awa)
    response = client.post("/screening/imports/new/", {"file": SimpleUploadedFile("e.csv", as_csv(MIXED))})
    batch_url = response["Location"]
    assert "import-progress" in client.get(batch_url).content.decode()
    progress = client.post(batch_url + "step/", HTTP_ACCEPT="application/json").json()
    assert progress == {"processed": 6, "total": 6, "finished": True, "report_url": batch_url}
    report = client.get(batch_url).content.decode()
    assert "profile-screened_on" in report and "general-ilo_d1_01" in report


def test_semicolon_separated_and_wide_exports_are_read(awa):
    text = as_csv(MIXED[:1]).decode().replace(",", ";")
    assert run(awa, text.encode()).counts()["accepted"] == 1


def test_an_unreadable_file_is_refused_whole_with_a_message(awa, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(awa)
    response = client.post(
        "/screening/imports/new/", {"file": SimpleUploadedFile("e.xlsx", b"not a workbook")}, follow=True
    )
    assert "ne peut pas être lu" in response.content.decode()
    assert Screening.objects.count() == 0 and QuarantinedRow.objects.count() == 0


# Bulk import (issue 9): parsed once, one prepared checker, bulk writes; the outcome does not depend on
# how the file is cut into chunks.


def big_file(n, bad_every=7, repeat_every=11):
    """n rows: every 7th has a bad date, every 11th repeats an earlier submission id."""
    rows = []
    for i in range(n):
        if i % bad_every == 3:
            rows.append(row(f"b{i}", **{"profile-screened_on": "2026-02-30"}))
        elif i % repeat_every == 10:
            rows.append(row(f"r{i - 10}", **{"profile-age": "30"}))
        else:
            rows.append(row(f"r{i}", **{"profile-gender": ["Feminine", "Masculine"][i % 2]}))
    return rows


def outcome(batch):
    screenings = sorted(
        Screening.objects.values_list("submission_id", "outcome", "status", "answers", "urgent", "age")
    )
    quarantined = sorted(QuarantinedRow.objects.values_list("row_number", "submission_id", "errors"))
    report = [(e["row"], e["status"], e["submission_id"], e["errors"]) for e in batch.report]
    return screenings, quarantined, report, batch.counts()


def run_in_chunks(user, content, limit):
    batch = importer.start_import(by=user, file_name="export.csv", content=content)
    while batch.finished_at is None:
        batch = importer.process(batch, limit=limit)
    return batch


@pytest.mark.parametrize("limit", [1, 7, 200, 1001])
def test_a_file_processed_in_chunks_gives_the_same_result_as_one_pass(awa, limit, monkeypatch):
    monkeypatch.setattr(importer, "SEGMENT_ROWS", 9)  # chunks that straddle segments
    content = as_csv(big_file(60))
    chunked = outcome(run_in_chunks(awa, content, limit))
    Screening.objects.all().delete()
    QuarantinedRow.objects.all().delete()
    one_pass = outcome(run_in_chunks(awa, content, 10_000))
    assert chunked == one_pass
    assert one_pass[3] == {"accepted": 47, "needs_fix": 9, "duplicate": 4}
    assert [r for r, status, *_ in one_pass[2] if status == "needs_fix"] == [5 + 7 * k for k in range(9)]


def test_the_file_is_parsed_once_whatever_the_number_of_chunks(awa, monkeypatch):
    calls = []
    parse = importer.read_table
    monkeypatch.setattr(importer, "read_table", lambda *a: calls.append(a) or parse(*a))
    batch = run_in_chunks(awa, as_csv(big_file(30)), limit=4)
    assert batch.processed_rows == 30 and len(calls) == 1


def test_the_file_itself_is_not_kept_and_processed_rows_are_let_go(awa):
    from sira.screening.models import ImportSegment

    batch = importer.start_import(by=awa, file_name="export.csv", content=as_csv(big_file(30)))
    assert not hasattr(batch, "content")
    assert ImportSegment.objects.filter(batch=batch).exclude(rows=b"").exists()
    batch = importer.run(batch)
    assert not ImportSegment.objects.filter(batch=batch).exclude(rows=b"").exists()
    assert len(batch.report) == 30  # the report stays


@pytest.mark.parametrize("limit", [3, 30])
def test_queries_per_chunk_do_not_grow_with_the_chunk(awa, limit, django_assert_max_num_queries):
    # A mixed chunk: accepted, quarantined and duplicate rows, two catalogue versions named.
    rows = big_file(60)
    rows[0]["catalogue_version"] = "2026.2"
    rows[1]["catalogue_version"] = "no-such-version"
    batch = importer.start_import(by=awa, file_name="export.csv", content=as_csv(rows))
    importer.process(batch, limit=2)  # an earlier chunk: later duplicates are found in the database
    # SQLite splits an insert at 999 parameters (about 38 screenings): 30 rows stay within one insert.
    # 16: 15, and the audit chain's head read once for the chunk's audit entries.
    with django_assert_max_num_queries(16):
        batch = importer.process(batch, limit=limit)  # from row index 2: a bad row in either chunk
    assert batch.processed_rows == 2 + limit
    assert QuarantinedRow.objects.count() == 1 + limit // 7


def test_one_checker_is_prepared_per_run_and_per_catalogue_version(awa, monkeypatch):
    built = []
    original = importer.RowChecker.__init__
    monkeypatch.setattr(
        importer.RowChecker, "__init__", lambda self, *a, **k: built.append(a) or original(self, *a, **k)
    )
    rows = big_file(40)
    for r in rows[::2]:
        r["catalogue_version"] = "2026.1"
    batch = importer.start_import(by=awa, file_name="export.csv", content=as_csv(rows))
    importer.run(batch, limit=6)
    assert len(built) == 1  # every row names 2026.1 or nothing (2026.1 is what the test rows answer)


def test_a_big_file_twice_changes_nothing_and_reports_every_row(awa):
    content = as_csv(big_file(80))
    first = importer.run(importer.start_import(by=awa, file_name="e.csv", content=content), limit=13)
    snapshot = outcome(first)[:2]
    second = importer.run(importer.start_import(by=awa, file_name="e.csv", content=content), limit=17)
    assert outcome(second)[:2] == snapshot
    assert second.counts() == {"accepted": 0, "needs_fix": 11, "duplicate": 69}
    assert [(e["row"], e["errors"][0]["column"]) for e in second.report if e["errors"]][:2] == [
        (5, "profile-screened_on"),
        (12, "profile-screened_on"),
    ]


def test_each_imported_screening_has_its_creation_in_the_audit_log(awa):
    from sira.audit.models import AuditEvent

    batch = run(awa, as_csv(MIXED))
    created = AuditEvent.objects.filter(action="create", object_type="screening.screening")
    assert sorted(created.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in Screening.objects.values_list("pk", flat=True)
    )
    assert {(e.actor_id, e.detail["batch"]) for e in created} == {(awa.pk, batch.pk)}


def test_imported_screenings_take_their_keys_from_the_table_sequence(awa):
    """On PostgreSQL the rows go in with COPY (sira.core.bulk) under keys drawn from the sequence:
    a screening saved afterwards gets a fresh key, and every imported row reads back whole."""
    run(awa, as_csv(MIXED))
    imported = list(Screening.objects.order_by("pk"))
    later = Screening.objects.create(
        catalogue=imported[0].catalogue,
        organisation=awa.organisation,
        screened_by=awa,
        screened_on=imported[0].screened_on,
        gender="Feminine",
        region_id="ML01",
        answers={},
        result={},
    )
    assert later.pk > max(s.pk for s in imported)
    assert all(s.result["outcome"] == s.outcome or s.outcome == "" for s in imported)
    assert {s.source for s in imported} == {"xlsform"}
