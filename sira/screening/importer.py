"""Import of offline submissions (CSV or XLSX exports of the XLSForm from ODK Central or KoboToolbox).

Every row ends in exactly one of: accepted, needs fix (kept in quarantine with row, column and reason)
or duplicate (its submission id is already in Sira, or earlier in the same file). Nothing is dropped,
and importing the same file again changes nothing."""

import csv
import datetime as dt
import io
import json
import zipfile
import zlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import load_workbook

from sira.audit.models import AuditEvent
from sira.audit.services import events, record
from sira.cases.rules import age_error
from sira.core import bulk
from sira.core.crypto import decrypt_bytes, encrypt_bytes, keyed_hash
from sira.core.vocab import terms
from sira.geo.models import Cercle, Region
from sira.screening import engine
from sira.screening.models import (
    PROFILE_FIELDS,
    CatalogueVersion,
    ImportBatch,
    ImportSegment,
    QuarantinedRow,
    Screening,
)
from sira.screening.services import current_catalogue

ID_COLUMNS = ("instanceid", "_uuid", "key")
ANSWER_CODES = {"yes": engine.YES, "no": engine.NO, "unknown": engine.UNKNOWN, "": engine.NOT_ASKED}
CHUNK = 200  # rows per web step: progress shows and a step stays short
RUN_CHUNK = 5000  # rows per transaction when the whole file is processed at once
SEGMENT_ROWS = 1000  # rows per stored segment of a parsed file
MAX_ID_LENGTH = 100  # Screening.submission_id, QuarantinedRow.submission_id


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a CSV/XLSX export): nothing is imported."""


def _delimiter(text: str) -> str:
    # Counted on the header line: csv.Sniffer gives up on wide exports (hundreds of columns).
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def _limits() -> tuple[int, int, int, int]:
    return (
        settings.SIRA_IMPORT_MAX_UNPACKED_BYTES,
        settings.SIRA_IMPORT_MAX_RATIO,
        settings.SIRA_IMPORT_MAX_ROWS,
        settings.SIRA_IMPORT_MAX_COLUMNS,
    )


def check_archive(content: bytes) -> None:
    """Refuses an XLSX whose members would unpack to more than the limits allow (a decompression bomb),
    from the zip directory alone, before anything is decompressed. The sizes the directory declares
    bound what is read: Python's zipfile stops a member at its declared size."""
    max_bytes, max_ratio, _rows, _columns = _limits()
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportFileError(_("The file cannot be read as a CSV (UTF-8) or XLSX export.")) from exc
    total = sum(m.file_size for m in members)
    bomb = total > max_bytes or len(members) > 10_000
    for member in members:
        if member.file_size > 1_000_000 and member.file_size > max_ratio * max(member.compress_size, 1):
            bomb = True
    if bomb:
        raise ImportFileError(
            _(
                "This XLSX file would expand to more than %(size)d MB when opened (a compressed file far "
                "larger inside than outside): it is refused. Export the submissions again, or as CSV."
            )
            % {"size": max_bytes // 1_000_000}
        )


def _sheet_rows(content: bytes):
    """The rows of the first sheet, as text; stops with ImportFileError at the first row past the row or
    column limit (a sheet may declare a huge range that would be padded out cell by cell)."""
    _bytes, _ratio, max_rows, max_columns = _limits()
    check_archive(content)
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # rows as stored, not padded to the range the file declares
        for n, row in enumerate(sheet.iter_rows(values_only=True)):
            if n > max_rows or len(row) > max_columns:
                raise ImportFileError(_too_many(max_rows, max_columns))
            yield ["" if v is None else str(v) for v in row]
    finally:
        workbook.close()


def _too_many(max_rows: int, max_columns: int) -> str:
    return _("The file has more than %(rows)s rows or %(columns)s columns: split it into smaller files.") % {
        "rows": max_rows,
        "columns": max_columns,
    }


def read_table(file_name: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the non-blank data rows, each padded or cut to the header's width. Headers keep
    their export form ("profile/age", "profile-age"). The file is read once, here; a file that cannot be
    read whole (not UTF-8, not a workbook, a NUL character, past the size limits) raises ImportFileError
    and nothing is imported."""
    _bytes, _ratio, max_rows, max_columns = _limits()
    unreadable = _("The file cannot be read as a CSV (UTF-8) or XLSX export.")
    try:
        if file_name.lower().endswith((".xlsx", ".xlsm")):
            values = list(_sheet_rows(content))
        else:
            text = content.decode("utf-8-sig")
            if "\x00" in text:
                raise ImportFileError(unreadable)
            values = []
            for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text)):
                if len(values) > max_rows or len(row) > max_columns:
                    raise ImportFileError(_too_many(max_rows, max_columns))
                values.append(row)
    except ImportFileError:
        raise
    except (
        UnicodeDecodeError,
        csv.Error,
        OSError,
        KeyError,
        ValueError,
        TypeError,
        IndexError,
        AttributeError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
        SyntaxError,
    ) as exc:
        # openpyxl surfaces a damaged workbook as any of these (SyntaxError: its XML parser)
        raise ImportFileError(unreadable) from exc
    if any("\x00" in cell for row in values for cell in row):
        raise ImportFileError(unreadable)
    if not values:
        return [], []
    header, *body = values
    width = len(header)
    return header, [(row + [""] * (width - len(row)))[:width] for row in body if any(row)]


def field_of(header: str, known: set[str]) -> str:
    """The form field a column holds: group paths are dropped ("profile/age", "profile-age" → "age")."""
    name = header.strip()
    for separator in ("/", "-"):
        if separator in name:
            candidate = name.rsplit(separator, 1)[1]
            if candidate.lower() in known or candidate.lower() in ID_COLUMNS:
                name = candidate
    return name.lower() if name.lower() in known or name.lower() in ID_COLUMNS else name


class RowChecker:
    """Turns one raw row into screening fields, or into a list of (column, code, params) problems."""

    def __init__(self, catalogue_version: CatalogueVersion, *, regions=None, cercles=None):
        self.version = catalogue_version
        catalogue = catalogue_version.catalogue
        self.bank = catalogue if getattr(catalogue, "schema", None) == "question_bank" else None
        if self.bank:  # 2026.2 on: one column per question of the bank, urgent ones included
            self.indicators = {q.field_name: q.id for q in self.bank.by_id.values()}
            self.questions = {q.field_name: q for q in self.bank.by_id.values()}
            self.urgent = {}
        else:
            self.indicators = {i.field_name: i.id for i in catalogue.indicators.values()}
            self.urgent = {f["id"].lower().replace("-", "_"): f["id"] for f in catalogue.urgent_flags}
        self.forms = {f["id"] for f in catalogue.forms}
        if regions is None:
            regions = set(Region.objects.values_list("code", flat=True))
        if cercles is None:
            cercles = dict(Cercle.objects.values_list("code", "region_id"))
        self.regions, self.cercles = regions, cercles
        self._fields: dict[str, str] = {}  # header → form field, worked out once per file
        self.known = {
            *self.indicators,
            *self.urgent,
            *PROFILE_FIELDS,
            "catalogue_version",
        }

    def check(self, raw: dict[str, str]):
        values, columns = {}, {}
        for header, value in raw.items():
            name = self._fields.get(header) or self._fields.setdefault(header, field_of(header, self.known))
            values[name], columns[name] = (value or "").strip(), header
        problems: list[tuple[str, str, dict]] = []

        def problem(name, code, **params):
            problems.append((columns.get(name, name), code, params))

        submission_id = next((values[c] for c in ID_COLUMNS if values.get(c)), "")
        if not submission_id:
            problem("instanceid", "missing_id")
        elif len(submission_id) > MAX_ID_LENGTH:
            problem("instanceid", "bad_id", value=submission_id[:20] + "…")
            submission_id = submission_id[:MAX_ID_LENGTH]
        fields = {"submission_id": submission_id}
        try:
            fields["screened_on"] = dt.date.fromisoformat(values.get("screened_on", "")[:10])
        except ValueError:
            problem("screened_on", "bad_date", value=values.get("screened_on", ""))
        fields["gender"] = values.get("gender", "")
        if fields["gender"] not in terms("gender"):
            problem("gender", "bad_choice", value=fields["gender"])
        age = values.get("age", "")
        if age:
            if not (age.isascii() and age.isdigit()) or age_error(int(age)):
                problem("age", "bad_age", value=age)
            else:
                fields["age"] = int(age)
        for name in ("nationality", "departure_country", "destination_country"):
            code = values.get(name, "").upper()
            if code and code not in countries:
                problem(name, "bad_country", value=code)
            fields[name] = code
        fields["region_id"] = values.get("region", "")
        if fields["region_id"] not in self.regions:
            problem("region", "bad_choice", value=fields["region_id"])
        cercle = values.get("cercle", "")
        if cercle and self.cercles.get(cercle) != fields["region_id"]:
            problem("cercle", "bad_cercle", value=cercle)
        fields["cercle_id"] = cercle or None
        departure_region = values.get("departure_region", "")
        if departure_region and departure_region not in self.regions:
            problem("departure_region", "bad_choice", value=departure_region)
        fields["departure_region_id"] = departure_region or None
        fields["context"] = values.get("context", "")
        if fields["context"] and fields["context"] not in terms("identification_context"):
            problem("context", "bad_choice", value=fields["context"])
        fields["suspected_forms"] = values.get("suspected_forms", "").split()
        for form in fields["suspected_forms"]:
            if form not in self.forms:
                problem("suspected_forms", "bad_choice", value=form)
        answers, urgent = {}, []
        if self.bank:
            for name, question in self.questions.items():
                value = values.get(name, "")
                if not value:
                    continue
                try:
                    answers[question.id] = question.normalised(value)
                except ValueError:
                    problem(name, "bad_answer", value=value)
            fields |= {"answers": answers, "urgent": []}
            return fields, problems
        for name, indicator_id in {**self.indicators, **self.urgent}.items():
            code = values.get(name, "").lower()
            if code not in ANSWER_CODES:
                problem(name, "bad_answer", value=values.get(name, ""))
            elif name in self.urgent:
                urgent += [indicator_id] if code == "yes" else []
            elif ANSWER_CODES[code] != engine.NOT_ASKED:
                answers[indicator_id] = ANSWER_CODES[code]
        fields |= {"answers": answers, "urgent": sorted(urgent)}
        return fields, problems


def _row_key(raw: dict) -> str:
    """A keyed hash of the row (the blind-index key): re-importing it adds nothing, and the key
    is needed to test whether a guessed row is there."""
    return keyed_hash("import-row", json.dumps(raw, sort_keys=True))


def rebuild_row_keys(*, batch_size: int = 500) -> int:
    """The quarantined rows' keyed hashes under the newest blind-index key (manage.py rotate_keys
    --blind-index), one short transaction per batch; rows already current are left alone."""
    count, last = 0, 0
    while True:
        batch = list(
            QuarantinedRow.objects.filter(pk__gt=last)
            .only("id", "row_key", "raw")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return count
        last = batch[-1].pk
        stale = [q for q in batch if q.row_key != _row_key(q.raw)]
        for row in stale:
            row.row_key = _row_key(row.raw)
        with transaction.atomic():
            QuarantinedRow.objects.bulk_update(stale, ["row_key"])
        count += len(stale)


class Checker:
    """The prepared checker of an import: regions, cercles and catalogue versions are loaded once, and
    one RowChecker is kept per catalogue version the rows name. Built once per import run (the command)
    or once per chunk (the web steps): a handful of queries either way, none per row."""

    def __init__(self):
        self.default = current_catalogue()
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.cercles = dict(Cercle.objects.values_list("code", "region_id"))
        self._versions: dict[str, CatalogueVersion | None] = {}
        self._checkers: dict[int, RowChecker] = {}

    def load_versions(self, wanted: set[str]) -> None:
        """Fetches, in one query, the catalogue versions named by a chunk that are not known yet."""
        missing = wanted - self._versions.keys()
        if missing:
            found = {v.version: v for v in CatalogueVersion.objects.filter(version__in=missing)}
            self._versions |= {name: found.get(name) for name in missing}

    def for_version(self, wanted: str) -> "RowChecker":
        version = (self._versions.get(wanted) if wanted else None) or self.default
        if version.pk not in self._checkers:
            self._checkers[version.pk] = RowChecker(version, regions=self.regions, cercles=self.cercles)
        return self._checkers[version.pk]


def _wanted_version(raw: dict) -> str:
    return next((v.strip() for k, v in raw.items() if k.lower().endswith("catalogue_version") and v), "")


def _pack(header: list[str], rows: list[list[str]]) -> bytes:
    """A segment's rows as stored: compressed JSON, encrypted with the field keys (they may name people)."""
    return encrypt_bytes(zlib.compress(json.dumps([header, *rows], separators=(",", ":")).encode(), 1))


def _unpack(data: bytes) -> list[dict[str, str]]:
    if not data:
        return []
    header, *rows = json.loads(zlib.decompress(decrypt_bytes(data)))
    return [dict(zip(header, row, strict=True)) for row in rows]


UPLOAD_SUFFIXES = (".csv", ".xlsx")


def _too_big() -> str:
    return _("The file is larger than %(size)d MB: split it into smaller files.") % {
        "size": settings.SIRA_UPLOAD_MAX_BYTES // 1_000_000
    }


def check_declared_size(content_length) -> None:
    """Refuses a request whose declared size is far past the upload limit before its body is read
    (the form's other fields and the multipart framing take a little room)."""
    try:
        declared = int(content_length or 0)
    except ValueError:
        declared = 0
    if declared > settings.SIRA_UPLOAD_MAX_BYTES + 100_000:
        raise ImportFileError(_too_big())


def check_upload(upload) -> None:
    """What the upload page accepts: a CSV or XLSX no larger than SIRA_UPLOAD_MAX_BYTES."""
    if upload is None or not upload.name.lower().endswith(UPLOAD_SUFFIXES):
        raise ImportFileError(_("Choose a CSV or XLSX export of the offline form."))
    if upload.size > settings.SIRA_UPLOAD_MAX_BYTES:
        raise ImportFileError(_too_big())


def clean_file_name(file_name: str) -> str:
    """The name as shown and stored: no path, no control characters, at most 200 characters."""
    name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())
    return name[-200:] or "import"


def start_import(*, by, file_name: str, content: bytes, request=None) -> ImportBatch:
    """Parses the file once, here: its data rows are kept in segments and the file itself is not kept.
    A file that cannot be read whole raises ImportFileError before anything is written."""
    file_name = clean_file_name(file_name)
    header, rows = read_table(file_name, content)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=file_name, imported_by=by, organisation=by.organisation, total_rows=len(rows)
        )
        ImportSegment.objects.bulk_create(
            ImportSegment(batch=batch, number=n, rows=_pack(header, rows[start : start + SEGMENT_ROWS]))
            for n, start in enumerate(range(0, len(rows), SEGMENT_ROWS))
        )
        record(AuditEvent.Action.CREATE, actor=by, request=request, obj=batch, rows=len(rows))
    return batch


def run(batch: ImportBatch, *, limit: int = RUN_CHUNK, progress=None) -> ImportBatch:
    """Processes the whole batch with one prepared checker (the command, the benchmark)."""
    checker = Checker()
    with bulk.fewer_collections():
        while batch.finished_at is None:
            batch = process(batch, limit=limit, checker=checker)
            if progress:
                progress(batch)
    return batch


@transaction.atomic
def process(batch: ImportBatch, *, limit: int = CHUNK, checker: Checker | None = None) -> ImportBatch:
    """Process the next `limit` rows; call again until batch.finished_at is set. A chunk commits whole
    with the batch's progress, so an interrupted chunk is simply processed again: no row is lost.
    The queries of a chunk do not depend on its length (the backend may split a long insert)."""
    batch = (
        ImportBatch.objects.select_for_update(of=("self",)).select_related("imported_by").get(pk=batch.pk)
    )  # one step at a time per batch
    start, end = batch.processed_rows, min(batch.processed_rows + limit, batch.total_rows)
    segments = list(
        batch.segments.filter(
            number__gte=start // SEGMENT_ROWS, number__lte=max(end - 1, 0) // SEGMENT_ROWS
        ).order_by("number")
    )
    rows = []
    for segment in segments:
        first = segment.number * SEGMENT_ROWS
        rows += [
            (first + n, raw) for n, raw in enumerate(_unpack(bytes(segment.rows))) if start <= first + n < end
        ]
    checker = checker or Checker()
    checker.load_versions({_wanted_version(raw) for _, raw in rows} - {""})
    checked = []
    for index, raw in rows:
        row_checker = checker.for_version(_wanted_version(raw))
        fields, problems = row_checker.check(raw)
        checked.append((index + 2, raw, row_checker, fields, problems))  # row 1 is the header
    entries = _write(batch, checked)
    by_segment: dict[int, list] = {}
    for (index, _raw), entry in zip(rows, entries, strict=True):
        by_segment.setdefault(index // SEGMENT_ROWS, []).append(entry)
    for segment in segments:
        segment.report = segment.report + by_segment.get(segment.number, [])
        if (segment.number + 1) * SEGMENT_ROWS <= end or end >= batch.total_rows:
            segment.rows = b""  # processed: the submissions now live in screenings or quarantine
    ImportSegment.objects.bulk_update(segments, ["report", "rows"])
    batch.processed_rows = end
    if batch.processed_rows >= batch.total_rows:
        batch.finished_at = timezone.now()
    batch.save(update_fields=["processed_rows", "finished_at"])
    return batch


def _write(batch, checked) -> list[dict]:
    """Quarantines the rows with problems, skips the duplicates and creates the rest: a few bulk queries
    for the whole chunk. Returns the report entries in row order."""
    entries, quarantine, accepted = [], {}, []
    for row_number, raw, _checker, fields, problems in checked:
        entry = {"row": row_number, "submission_id": fields["submission_id"], "errors": []}
        if problems:
            errors = [{"row": row_number, "column": c, "code": code, "params": p} for c, code, p in problems]
            entry |= {"status": "needs_fix", "errors": errors}
            quarantine.setdefault(
                _row_key(raw),
                QuarantinedRow(
                    row_key=_row_key(raw),
                    submission_id=fields["submission_id"],
                    batch=batch,
                    row_number=row_number,
                    raw=raw,
                    errors=errors,
                ),
            )
        entries.append(entry)
    if quarantine:
        known = set(QuarantinedRow.objects.filter(row_key__in=quarantine).values_list("row_key", flat=True))
        QuarantinedRow.objects.bulk_create(q for key, q in quarantine.items() if key not in known)
    clean_ids = {fields["submission_id"] for *_rest, fields, problems in checked if not problems}
    seen = set(Screening.objects.filter(submission_id__in=clean_ids).values_list("submission_id", flat=True))
    for entry, (_row, _raw, row_checker, fields, problems) in zip(entries, checked, strict=True):
        if problems:
            continue
        if fields["submission_id"] in seen:  # already in Sira, or earlier in this file
            entry["status"] = "duplicate"
            continue
        seen.add(fields["submission_id"])
        entry["status"] = "accepted"
        accepted.append((row_checker.version, fields))
    # Scored while they are copied: the database stores one row while the next is assessed.
    accepted = bulk.insert(
        Screening,
        (_screening(batch, version, dict(fields)) for version, fields in accepted),
        count=len(accepted),
    )
    AuditEvent.objects.bulk_create(
        events(AuditEvent.Action.CREATE, batch.imported_by, accepted, batch=batch.pk)
    )
    return entries


def _screening(batch, version: CatalogueVersion, fields: dict) -> Screening:
    answers, urgent = fields.pop("answers"), fields.pop("urgent")
    result = engine.score(
        version.catalogue, answers, age=fields.get("age"), forms=fields["suspected_forms"], urgent=urgent
    )
    return Screening(
        catalogue_id=version.pk,  # ids, not instances: an instance costs a database-router lookup per row
        organisation_id=batch.organisation_id,
        screened_by_id=batch.imported_by_id,
        source=Screening.Source.XLSFORM,
        # contradictions are resolved by the worker on the questions page
        status=Screening.Status.DRAFT if result.get("contradictions") else Screening.Status.COMPLETE,
        answers=answers,
        urgent=result.get("urgent", urgent),
        result=result,
        outcome=result["outcome"] or "",
        **fields,
    )
