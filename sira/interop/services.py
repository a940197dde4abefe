"""Interop's verbs: import a file of records, export open data (k-anonymised) and DHIS2 aggregates.
Each is one transaction with its audit entry (counts and format, never an identity)."""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone, translation

from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.cases.models import Case, Exploitation, Person, PersonNameToken, RouteStop
from sira.cases.services import reserve_case_numbers
from sira.core import bulk, names
from sira.core.crypto import blind_index
from sira.interop import catalogue, importer
from sira.interop.models import ImportedRecord, QuarantinedRecord

CHUNK = 5000


class ImportRefused(Exception):
    """The file has problems and nothing was imported (all-or-nothing)."""

    def __init__(self, problems, result):
        super().__init__(f"{len(problems)} problems: " + "; ".join(problems[:5]))
        self.problems = problems
        self.result = result


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    already: int = 0  # rows imported before (same source key): skipped
    quarantined: int = 0
    problems: list = field(default_factory=list)
    case_ids: list = field(default_factory=list)  # first and last case id created


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _refresh_statistics() -> None:
    """The statistics layer's pre-aggregated tables, rebuilt after an import (idempotent)."""
    from sira.statistics import layer

    layer.refresh()


def import_file(
    path,
    *,
    fmt: str,
    organisation,
    by,
    quarantine: bool = False,
    region=None,
    language: str = "fr",
    progress=None,
    today: dt.date | None = None,
    synthetic: bool = False,
    refresh: bool = True,
) -> ImportResult:
    """Import an HTCDS or CTDC file for `organisation`, as `by`. All or nothing by default: any problem
    and nothing is written (ImportRefused lists every problem, by row and column, in `language`). With
    `quarantine`, only the bad rows are set aside (encrypted) and the good ones imported. Rows already
    imported (same source key) are skipped. `region` is where records without one were identified
    (CTDC files have none): by default the organisation's region."""
    path = Path(path)
    today = today or timezone.localdate()
    result = ImportResult()
    region_id = getattr(region, "pk", region) or organisation.region_id
    try:
        with bulk.fewer_collections():
            _import(
                path,
                fmt,
                organisation,
                by,
                quarantine,
                region_id,
                language,
                progress,
                today,
                result,
                synthetic,
            )
    except ImportRefused:
        _record_refusal(by, fmt, result)
        raise
    if refresh:  # the benchmark times the refresh on its own
        _refresh_statistics()
    return result


def _import(path, fmt, organisation, by, quarantine, region_id, language, progress, today, result, synthetic):
    with translation.override(language), open(path, "rb") as binary, transaction.atomic():
        if (fmt == importer.CTDC and region_id is None) or (
            region_id and region_id not in catalogue.regions()
        ):
            message = translation.gettext(
                "give the region where the records were identified (a region code, e.g. ML09): the "
                "organisation has none"
            )
            result.problems = [importer.Problem(0, "--region", message)]
            raise ImportRefused([str(p) for p in result.problems], result)
        reader = importer.Reader(fmt, binary, today=today)
        writer = _Writer(fmt, organisation, by, region_id, path.name, synthetic)
        batch_good, batch_bad = [], []
        size = max(path.stat().st_size, 1)
        for item in reader:
            (batch_bad if isinstance(item, importer.Bad) else batch_good).append(item)
            if len(batch_good) + len(batch_bad) >= CHUNK:
                _flush(writer, batch_good, batch_bad, result, quarantine)
                batch_good, batch_bad = [], []
                if progress:
                    progress(reader.lines.done, size)
        _flush(writer, batch_good, batch_bad, result, quarantine)
        if progress:
            progress(size, size)
        result.rows = reader.rows_read
        result.problems = reader.file_problems + result.problems
        if reader.file_problems or (result.problems and not quarantine):
            raise ImportRefused([str(p) for p in result.problems], result)
        record(
            AuditEvent.Action.CREATE,
            actor=by,
            kind="import",
            format=fmt,
            file_sha256=_file_digest(path),
            rows=result.rows,
            imported=result.imported,
            already_imported=result.already,
            quarantined=result.quarantined,
            organisation_id=organisation.pk,
            first_case_id=result.case_ids[0] if result.case_ids else None,
            last_case_id=result.case_ids[-1] if result.case_ids else None,
        )


def _record_refusal(by, fmt, result) -> None:
    """A refused import is audited too, after its transaction was rolled back."""
    with transaction.atomic():
        record(
            AuditEvent.Action.CREATE,
            actor=by,
            kind="import_refused",
            format=fmt,
            rows=result.rows,
            problems=len(result.problems),
        )


def _flush(writer, good, bad, result, quarantine) -> None:
    for item in bad:
        result.problems.extend(item.problems)
    if not good and not bad:
        return
    if result.problems and not quarantine:
        return  # all or nothing: keep checking, write nothing more
    keys = [g.source_key for g in good] + [b.source_key for b in bad]
    done = writer.known(keys)
    fresh = [g for g in good if g.source_key not in done]
    result.already += len(good) - len(fresh)
    if quarantine:
        kept = [b for b in bad if b.source_key not in done]
        result.already += len(bad) - len(kept)
        result.quarantined += writer.quarantine(kept)
    ids = writer.write(fresh)
    result.imported += len(ids)
    if ids:
        result.case_ids = [result.case_ids[0] if result.case_ids else ids[0], ids[-1]]


def _insert_tokens(rows: list[tuple]) -> None:
    """(person id, kind, token) rows: COPY on PostgreSQL without building a model instance per token
    (a person has twenty or so), bulk_create elsewhere."""
    from django.db import connection

    if not rows:
        return
    if connection.vendor != "postgresql":
        PersonNameToken.objects.bulk_create(
            [PersonNameToken(person_id=p, kind=k, token=t) for p, k, t in rows], batch_size=2000
        )
        return
    table = PersonNameToken._meta.db_table
    # Ids, small integers and hex digests: nothing to escape in COPY's text format, so the rows go as
    # one text block (a row at a time costs more than the row).
    text = "".join(f"{person}\t{kind}\t{token}\n" for person, kind, token in rows)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{table}" (person_id, kind, token) FROM STDIN') as copy,
    ):
        copy.write(text)


class _Writer:
    """Writes checked rows in bulk: persons (names encrypted, blind indexes and name tokens), cases
    (numbers reserved per year in one locked counter update), forms of exploitation, the place of
    exploitation, and the source keys."""

    def __init__(self, fmt, organisation, by, region_id, file_name, synthetic):
        self.fmt = fmt
        self.organisation = organisation
        self.by = by
        self.region_id = region_id
        self.file_name = file_name[:200]
        self.synthetic = synthetic
        self._part_tokens: dict[str, dict[str, int]] = {}

    def tokens(self, *full_names) -> dict[str, int]:
        """sira.core.names.name_tokens, memoised by name part (names repeat: each distinct part is
        hashed once per import instead of once per person)."""
        out: dict[str, int] = {}
        for part in names.name_parts(*full_names):
            found = self._part_tokens.get(part)
            if found is None:
                found = self._part_tokens[part] = names.name_tokens(part)
            for token, kind in found.items():
                out[token] = max(kind, out.get(token, 0))
        return out

    def known(self, keys: list[str]) -> set[str]:
        found = set(
            ImportedRecord.objects.filter(
                organisation=self.organisation, format=self.fmt, source_key__in=keys
            ).values_list("source_key", flat=True)
        )
        found |= set(
            QuarantinedRecord.objects.filter(
                organisation=self.organisation, format=self.fmt, source_key__in=keys
            ).values_list("source_key", flat=True)
        )
        return found

    def quarantine(self, bad) -> int:
        rows = [
            QuarantinedRecord(
                organisation=self.organisation,
                imported_by=self.by,
                format=self.fmt,
                source_key=b.source_key,
                file_name=self.file_name,
                row_number=b.row,
                raw=b.raw,
                errors=[{"row": p.row, "column": p.column, "message": p.message} for p in b.problems],
            )
            for b in bad
        ]
        bulk.insert(QuarantinedRecord, rows)
        return len(rows)

    def write(self, rows) -> list[int]:
        if not rows:
            return []
        org = self.organisation
        persons = []
        for r in rows:
            p = Person(organisation=org, is_synthetic=self.synthetic, **r.person)
            p.first_name_index = blind_index(p.first_name or "")
            p.last_name_index = blind_index(p.last_name or "")
            persons.append(p)
        bulk.insert(Person, persons)
        by_year = defaultdict(list)
        for i, r in enumerate(rows):
            by_year[r.case["identification_date"].year].append(i)
        numbers = [None] * len(rows)
        for year, indexes in sorted(by_year.items()):
            for i, number in zip(indexes, reserve_case_numbers(org, year, len(indexes)), strict=True):
                numbers[i] = number
        cases = []
        for r, p, number in zip(rows, persons, numbers, strict=True):
            values = {"identification_region_id": self.region_id, **r.case}
            cases.append(
                Case(
                    organisation=org,
                    person=p,
                    identified_by=self.by,
                    owner=self.by,
                    case_number=number,
                    is_synthetic=self.synthetic,
                    **values,
                )
            )
        bulk.insert(Case, cases)
        exploitations, stops, tokens, keys = [], [], [], []
        for r, c, p in zip(rows, cases, persons, strict=True):
            seen = set()
            for form, industry in r.forms:
                if form not in seen:
                    seen.add(form)
                    exploitations.append(Exploitation(case=c, form=form, industry=industry))
            if r.exploitation_country:
                stops.append(RouteStop(case=c, order=1, kind="Exploitation", country=r.exploitation_country))
            if p.first_name or p.middle_name or p.last_name:
                for token, kind in self.tokens(p.first_name, p.middle_name, p.last_name).items():
                    tokens.append((p.pk, kind, token))
            keys.append(ImportedRecord(organisation=org, format=self.fmt, source_key=r.source_key, case=c))
        bulk.insert(Exploitation, exploitations)
        bulk.insert(RouteStop, stops)
        _insert_tokens(tokens)
        bulk.insert(ImportedRecord, keys)
        return [c.pk for c in cases]


# ---------------------------------------------------------------------------------------------------
# Exports


def _snapshot(outermost: bool) -> None:
    """Both passes of an export read the same data: on PostgreSQL one repeatable-read snapshot when the
    export opens the transaction (inside a caller's transaction, the caller's isolation holds)."""
    from django.db import connection

    if outermost and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def export_open_data(out, *, fmt: str, by=None, k: int = 11, max_suppressed: float | None = None):
    """Write the k-anonymised HTCDS or CTDC file to `out` (a path) and audit it (who, format, counts).
    Returns the report: level of generalisation, records written, generalised, suppressed."""
    import json

    from sira.interop import export, rules

    if k < 2:
        raise ValueError("k must be at least 2")
    max_suppressed = rules.DEFAULT_MAX_SUPPRESSED if max_suppressed is None else max_suppressed
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        _snapshot(outermost)
        if fmt == "dhis2-json" or fmt == "dhis2-csv":
            values = export.dhis2_values()
            with open(out, "w", encoding="utf-8", newline="") as f:
                if fmt == "dhis2-json":
                    json.dump({"dataValues": values}, f, ensure_ascii=False, indent=1)
                else:
                    import csv

                    writer = csv.DictWriter(f, fieldnames=export.DHIS2_CSV_COLUMNS, lineterminator="\n")
                    writer.writeheader()
                    writer.writerows(values)
            record(AuditEvent.Action.EXPORT, actor=by, kind="open_data", format=fmt, values=len(values))
            return len(values)
        report, lines = export.open_data(fmt, k=k, max_suppressed=max_suppressed)
        written = -1  # the header
        with open(out, "w", encoding="utf-8", newline="") as f:
            for chunk in lines:
                written += chunk.count("\n")
                f.write(chunk)
        report.written = written
        record(
            AuditEvent.Action.EXPORT,
            actor=by,
            kind="open_data",
            format=fmt,
            k=k,
            level=report.level,
            total=report.total,
            written=report.written,
            generalised=report.generalised,
            suppressed=report.suppressed,
        )
    return report
