"""Issue 10, item 8: an import cannot be used to exhaust the server or to half-write a file.

- an XLSX whose members would unpack hugely (a decompression bomb) is refused from its zip directory,
  before any parsing, quickly and with a clear message; so is a sheet declaring a huge range;
- the upload page refuses a file over SIRA_UPLOAD_MAX_BYTES with a clear message;
- fuzzing: generated malformed CSV and XLSX files, through the importer and through the upload page,
  never give a server error, and a file is either refused whole with nothing written, or every one of
  its rows ends accepted, needing a fix, or a duplicate. The suite runs a bounded number of examples;
  SIRA_FUZZ_EXAMPLES=1000 gives the dedicated run (its counts are printed with -s)."""

import csv
import io
import os
import re
import time
import zipfile
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import IllegalCharacterError

from sira.audit.models import AuditEvent
from sira.screening import importer
from sira.screening.models import ImportBatch, ImportSegment, QuarantinedRow, Screening
from sira.screening.tests.test_import import HEADERS, row

FUZZ_EXAMPLES = int(os.environ.get("SIRA_FUZZ_EXAMPLES", "40"))
TALLY: Counter = Counter()


def workbook_bytes(rows) -> bytes:
    """An XLSX of `rows`, byte for byte the same each time (fixed dates), as hypothesis needs."""
    workbook = Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source, zipfile.ZipFile(fixed, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                data = re.sub(
                    rb"<dcterms:(created|modified)([^>]*)>[^<]*<",
                    rb"<dcterms:\1\2>2026-01-01T00:00:00Z<",
                    data,
                )
            info = zipfile.ZipInfo(member.filename, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return fixed.getvalue()


def bomb(size: int) -> bytes:
    """A valid-looking XLSX whose sheet is `size` bytes of XML that compress to almost nothing."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        body = b"<row>" + b" " * size + b"</row>"
        archive.writestr(
            "xl/worksheets/sheet1.xml", b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>"
        )
    return out.getvalue()


def counts():
    return (
        ImportBatch.objects.count(),
        ImportSegment.objects.count(),
        Screening.objects.count(),
        QuarantinedRow.objects.count(),
        AuditEvent.objects.count(),
    )


# --- bombs and limits ---------------------------------------------------------------------------------


def test_a_decompression_bomb_is_refused_quickly_before_parsing(awa, client, monkeypatch):
    content = bomb(110_000_000)  # 110 MB of sheet in about 110 KB
    assert len(content) < 600_000
    client.force_login(awa)
    before = counts()
    parsed = []
    monkeypatch.setattr(importer, "load_workbook", lambda *a, **k: parsed.append(1))
    started = time.process_time()
    with pytest.raises(importer.ImportFileError, match="Mo"):
        importer.start_import(by=awa, file_name="bomb.xlsx", content=content)
    assert time.process_time() - started < 1.0 and parsed == []  # refused from the zip directory
    response = client.post("/screening/imports/new/", {"file": SimpleUploadedFile("bomb.xlsx", content)})
    assert response.status_code == 400
    assert "plus de 100 Mo" in response.content.decode() or "100 MB" in response.content.decode()
    assert counts() == before


def test_a_highly_compressed_member_is_refused_by_its_ratio(awa, settings):
    settings.SIRA_IMPORT_MAX_UNPACKED_BYTES = 10**12  # only the ratio can catch it
    with pytest.raises(importer.ImportFileError):
        importer.read_table("ratio.xlsx", bomb(20_000_000))


def test_an_ordinary_workbook_passes_the_archive_check(awa):
    content = workbook_bytes([HEADERS, *[[row(f"ok{n}")[h] for h in HEADERS] for n in range(300)]])
    header, rows = importer.read_table("ok.xlsx", content)
    assert header == HEADERS and len(rows) == 300


@pytest.mark.parametrize("where", [(300_000, 1), (1, 5_000)])
def test_a_sheet_declaring_a_huge_range_is_refused_without_padding_it(awa, settings, where):
    settings.SIRA_IMPORT_MAX_ROWS = 1000
    workbook = Workbook()
    workbook.active.cell(row=1, column=1, value="meta-instanceID")
    workbook.active.cell(row=where[0], column=where[1], value="x")
    out = io.BytesIO()
    workbook.save(out)
    started = time.process_time()
    with pytest.raises(importer.ImportFileError, match="lignes"):
        importer.start_import(by=awa, file_name="range.xlsx", content=out.getvalue())
    assert time.process_time() - started < 2.0
    assert ImportBatch.objects.count() == 0


def test_the_upload_page_refuses_a_file_over_the_size_limit(awa, client, settings):
    settings.SIRA_UPLOAD_MAX_BYTES = 2_000_000
    client.force_login(awa)
    big = b"meta-instanceID\n" + b"uuid:x\n" * 400_000  # 2.8 MB
    response = client.post("/screening/imports/new/", {"file": SimpleUploadedFile("big.csv", big)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "plus de 2 Mo" in body or "larger than 2 MB" in body
    assert "2 Mo" in client.get("/screening/imports/new/").content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_request_declaring_a_huge_body_is_refused_before_it_is_read(awa, client, settings):
    settings.SIRA_UPLOAD_MAX_BYTES = 1_000_000
    client.force_login(awa)
    response = client.post(
        "/screening/imports/new/",
        {"file": SimpleUploadedFile("e.csv", b"meta-instanceID\nuuid:1\n")},
        CONTENT_LENGTH="50000000",
    )
    assert response.status_code == 400 and ImportBatch.objects.count() == 0


def test_nul_bytes_long_ids_and_odd_digits_are_handled_row_by_row_or_refused(awa):
    with pytest.raises(importer.ImportFileError):
        importer.start_import(by=awa, file_name="nul.csv", content=b"meta-instanceID\nuuid:\x00\n")
    content = "\n".join(
        [",".join(HEADERS)]
        + [
            ",".join(row(i, **{"profile-age": age})[h] for h in HEADERS)
            for i, age in (("d1", "²"), ("d2", "٣"))
        ]
        + [",".join(row("x" * 150)[h] for h in HEADERS)]
    ).encode()
    batch = importer.run(importer.start_import(by=awa, file_name="odd.csv", content=content))
    statuses = [(e["status"], [x["code"] for x in e["errors"]]) for e in batch.report]
    assert statuses[0] == ("needs_fix", ["bad_age"])
    assert statuses[2] == ("needs_fix", ["bad_id"])
    assert all(len(q.submission_id) <= 100 for q in QuarantinedRow.objects.all())


# --- fuzzing ------------------------------------------------------------------------------------------

CELLS = st.one_of(
    st.sampled_from(["", "yes", "no", "unknown", "maybe", "ML01", "ML0104", "ML", "XX", "Feminine", "13"]),
    st.sampled_from(["2026-11-19", "2026-13-45", "0000-00-00", "9999-12-31T23:59", "uuid:dup", "=cmd|' /C'"]),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["²", "٣", "\x00", "\r", "\t", '"', '""', "\u2028", "x" * 5000, "\ufeff"]),
)
HEADER = st.one_of(
    st.just(HEADERS),  # a real export, whose rows may be good or broken
    st.lists(st.text(max_size=20), max_size=3).map(lambda extra: [*HEADERS, *extra]),
    st.lists(
        st.one_of(
            st.sampled_from([*HEADERS, "instanceid", "_uuid", "KEY", "age", "gender"]), st.text(max_size=20)
        ),
        max_size=25,
    ),
)


@st.composite
def tables(draw):
    header = draw(HEADER)
    width = len(header)
    body = draw(
        st.lists(
            st.one_of(
                st.builds(lambda i: [row(f"fz{i}")[h] for h in HEADERS], st.integers(0, 6)),
                st.lists(CELLS, min_size=0, max_size=width + 3),
            ),
            max_size=12,
        )
    )
    return [header, *body]


@st.composite
def csv_files(draw):
    table = draw(tables())
    out = io.StringIO()
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    try:
        csv.writer(out, delimiter=delimiter, quoting=quoting, escapechar="\\").writerows(table)
        text = out.getvalue()
    except csv.Error:
        text = "\n".join(delimiter.join(r) for r in table)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-8", "latin-1", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    return "fuzz.csv", _mutate(draw, data)


@st.composite
def xlsx_files(draw):
    table = draw(tables())
    typed = st.one_of(
        CELLS, st.integers(-(2**53), 2**53), st.floats(allow_nan=False), st.booleans(), st.none()
    )
    rows = [[draw(typed) if draw(st.booleans()) and n else cell for cell in r] for n, r in enumerate(table)]
    try:
        data = workbook_bytes(rows)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses control characters in cells
        data = workbook_bytes([[ILLEGAL_CHARACTERS_RE.sub("", str(c)) for c in r] for r in table])
    return draw(st.sampled_from(["fuzz.xlsx", "FUZZ.XLSM"])), _mutate(draw, data)


def _mutate(draw, data: bytes) -> bytes:
    how = draw(st.sampled_from(["none", "none", "truncate", "flip", "splice"]))
    # Positions as fractions of the length: the draws do not depend on the bytes.
    if how == "truncate" and data:
        return data[: int(draw(st.floats(0, 1, exclude_max=True)) * len(data))]
    if how == "flip" and data:
        position = int(draw(st.floats(0, 1, exclude_max=True)) * len(data))
        return data[:position] + bytes([data[position] ^ draw(st.integers(1, 255))]) + data[position + 1 :]
    if how == "splice":
        return data + draw(st.binary(max_size=200))
    return data


FILES = st.one_of(
    csv_files(),
    xlsx_files(),
    st.tuples(st.sampled_from(["junk.csv", "junk.xlsx"]), st.binary(max_size=2000)),
)


def _import_once(user, client, name, content, through_page):
    """Imports one file; returns "refused" or the batch's counts. Asserts the all-or-nothing rule."""
    before = counts()
    if through_page:
        response = client.post("/screening/imports/new/", {"file": SimpleUploadedFile(name, content)})
        assert response.status_code < 500
        if response.status_code != 302:
            assert counts() == before, "a refused file wrote something"
            return None
        batch = ImportBatch.objects.latest("pk")
        while True:
            step = client.post(f"/screening/imports/{batch.pk}/step/", HTTP_ACCEPT="application/json")
            assert step.status_code == 200
            if step.json()["finished"]:
                break
        assert client.get(f"/screening/imports/{batch.pk}/").status_code == 200
        batch.refresh_from_db()
    else:
        try:
            batch = importer.start_import(by=user, file_name=name, content=content)
        except importer.ImportFileError as exc:
            assert str(exc)
            assert counts() == before, "a refused file wrote something"
            return None
        batch = importer.run(batch)
    report = batch.report
    assert batch.finished_at is not None and len(report) == batch.total_rows
    tally = batch.counts()
    assert sum(tally.values()) == batch.total_rows
    assert {e["status"] for e in report} <= {"accepted", "needs_fix", "duplicate"}
    assert Screening.objects.count() - before[2] == tally["accepted"]
    assert QuarantinedRow.objects.count() - before[3] <= tally["needs_fix"]
    return tally


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(file=FILES, through_page=st.booleans())
def test_fuzzed_files_never_give_a_server_error_nor_a_partial_write(awa, client, file, through_page):
    name, content = file
    client.force_login(awa)
    savepoint = transaction.savepoint()  # each example starts from the same database
    try:
        tally = _import_once(awa, client, name, content, through_page)
    finally:
        transaction.savepoint_rollback(savepoint)
    TALLY["files"] += 1
    TALLY["via page" if through_page else "via importer"] += 1
    if tally is None:
        TALLY["refused whole"] += 1
    else:
        TALLY["imported"] += 1
        TALLY.update({f"rows {k}": v for k, v in tally.items()})


def test_fuzz_report():
    """Prints the fuzz run's counts (pytest -s); run after the fuzz test in the same session."""
    if TALLY:
        print(f"\nimport fuzz: {dict(sorted(TALLY.items()))}")
