"""Reading an action plan from a spreadsheet (XLSX): the template, in French or English, and the
reading of a filled file into plain data with every problem found (sheet, row, column), in the user's
language. Nothing is written here: sira.coordination.services.import_plan writes, only when the file
has no problem at all."""

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from sira.coordination import catalogue
from sira.core.spreadsheet import neutralise_workbook, safe_cell

MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    key: str
    fr: str
    en: str
    required: bool = False


@dataclass(frozen=True)
class Sheet:
    key: str
    fr: str
    en: str
    columns: tuple[Column, ...]


PLAN = Sheet(
    "plan",
    "Plan",
    "Plan",
    (
        Column("code", "Code", "Code", True),
        Column("title", "Intitulé", "Title", True),
        Column("start_year", "Première année", "First year", True),
        Column("end_year", "Dernière année", "Last year", True),
        Column("region", "Région (plan régional)", "Region (regional plan)"),
        Column("follows", "Succède au plan (code)", "Follows plan (code)"),
    ),
)
OBJECTIVES = Sheet(
    "objectives",
    "Objectifs",
    "Objectives",
    (
        Column("code", "Code", "Code", True),
        Column("axis", "Axe", "Axis", True),
        Column("title", "Intitulé", "Title", True),
    ),
)
ACTIVITIES = Sheet(
    "activities",
    "Activités",
    "Activities",
    (
        Column("code", "Code", "Code", True),
        Column("objective", "Objectif (code)", "Objective (code)", True),
        Column("title", "Intitulé", "Title", True),
        Column("kind", "Type", "Kind"),
        Column("responsible", "Responsable", "Responsible"),
        Column("partners", "Partenaires (séparés par ;)", "Partners (separated by ;)"),
        Column("region", "Région", "Region"),
        Column("cercle", "Cercle", "Cercle"),
        Column("planned_start", "Début prévu", "Planned start", True),
        Column("planned_end", "Fin prévue", "Planned end", True),
        Column("budget", "Budget (FCFA)", "Budget (CFA francs)"),
        Column("funding_source", "Source de financement", "Funding source"),
        Column("funder", "Bailleur", "Funder"),
    ),
)
INDICATORS = Sheet(
    "indicators",
    "Indicateurs",
    "Indicators",
    (
        Column("code", "Code", "Code", True),
        Column("objective", "Objectif (code)", "Objective (code)", True),
        Column("title", "Intitulé", "Title", True),
        Column("unit", "Unité", "Unit"),
        Column("baseline", "Valeur de référence", "Baseline"),
        Column("baseline_year", "Année de référence", "Baseline year"),
    ),
)
SHEETS = (PLAN, OBJECTIVES, ACTIVITIES, INDICATORS)
TARGET = re.compile(r"^(?:cible|target)\s+(\d{4})$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None and not self.column:
            return _("Sheet “%(sheet)s”: %(message)s") % {"sheet": self.sheet, "message": self.message}
        if self.row is None:
            return _("Sheet “%(sheet)s”, column “%(column)s”: %(message)s") % {
                "sheet": self.sheet,
                "column": self.column,
                "message": self.message,
            }
        return _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Reading:
    plan: dict = field(default_factory=dict)
    objectives: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _name(thing, language: str) -> str:
    return thing.en if language.startswith("en") else thing.fr


def template(language: str) -> bytes:
    """The empty template (headers in the language asked, one example row per sheet, a help sheet with
    the codes accepted)."""
    from openpyxl.styles import Font

    examples = {
        "plan": ["PAN-2023-2027", "Plan d'action national 2023–2027", 2023, 2027, "", "PAN-2018-2022"],
        "objectives": ["1.1", "prevention", "Sensibiliser les communautés à risque"],
        "activities": [
            "1.1.1",
            "1.1",
            "Émissions radio en bambara sur la traite",
            "awareness",
            "CNCLTP",
            "",
            "ML05",
            "",
            dt.date(2023, 3, 1),
            dt.date(2023, 12, 31),
            5000000,
            "state",
            "",
        ],
        "indicators": ["I1.1", "1.1", "Personnes sensibilisées", "personnes", 0, 2022],
    }
    examples["indicators"] += [100, 200, 300, 400, 500]
    workbook = _workbook(
        {k: [v] for k, v in examples.items()}, target_years=range(2023, 2028), language=language
    )
    for ws in workbook.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = 22
    with override(language):
        help_sheet = workbook.create_sheet(_("Codes"))
        help_sheet.append([_("List"), _("Code"), _("Label")])
        for name, title in (
            ("axes", _("Axis")),
            ("activity_kinds", _("Kind of activity")),
            ("funding_sources", _("Funding source")),
        ):
            for code in catalogue.codes(name):
                help_sheet.append([str(title), code, catalogue.label(name, code, language)])
        help_sheet.append([])
        help_sheet.append(
            [
                _(
                    "Responsible and partners: the acronym or name of an actor of the directory or of a Sira "
                    "organisation. Region and cercle: code (ML05) or name. Dates: YYYY-MM-DD or DD/MM/YYYY."
                )
            ]
        )
    neutralise_workbook(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fold(text) -> str:
    return " ".join(str(text or "").split()).casefold()


MAX_NUMBER = Decimal(10) ** 12


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Reader:
    """Turns cells into values, noting each problem against its sheet, row and column."""

    def __init__(self, lookups):
        self.lookups = lookups
        self.reading = Reading()

    def problem(self, sheet: str, row, column: str, message) -> None:
        self.reading.problems.append(Problem(sheet, row, column, str(message)))

    def text(self, value, where, *, required=False, max_length=300):
        if _blank(value):
            if required:
                self.problem(*where, _("This cell is required."))
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split())
        if len(text) > max_length:
            self.problem(*where, _("At most %(n)s characters.") % {"n": max_length})
        return text

    def integer(self, value, where, *, required=False, low=0, high=None):
        if _blank(value):
            if required:
                self.problem(*where, _("This cell is required."))
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, (int, float)):
                number = Decimal(str(value))
            else:
                number = Decimal(re.sub(r"[\s\u00a0\u202f]", "", str(value)))
            if number != number.to_integral_value():
                raise ValueError
            number = int(number)
        except (ValueError, InvalidOperation):
            self.problem(*where, _("A whole number is expected, not “%(value)s”.") % {"value": value})
            return None
        if number < low or (high is not None and number > high):
            self.problem(*where, _("The number %(value)s is out of range.") % {"value": number})
            return None
        return number

    def decimal(self, value, where):
        if _blank(value):
            return None
        try:
            text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".")
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.problem(*where, _("A number is expected, not “%(value)s”.") % {"value": value})
            return None
        # The indicator columns hold 14 digits, 2 after the point: a larger number is a slip (1e20
        # was stored and the plan page then failed for everyone).
        if abs(number) >= MAX_NUMBER:
            self.problem(*where, _("This number is too large: “%(value)s”.") % {"value": value})
            return None
        return number.quantize(Decimal("0.01"))

    def date(self, value, where, *, required=False):
        if _blank(value):
            if required:
                self.problem(*where, _("This cell is required."))
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.problem(
            *where, _("A date is expected (YYYY-MM-DD or DD/MM/YYYY), not “%(value)s”.") % {"value": text}
        )
        return None

    def code(self, name, value, where, *, required=False):
        if _blank(value):
            if required:
                self.problem(*where, _("This cell is required."))
            return ""
        code = catalogue.find(name, value)
        if code is None:
            allowed = ", ".join(catalogue.codes(name))
            self.problem(
                *where,
                _("Unknown value “%(value)s” (accepted: %(allowed)s).")
                % {"value": value, "allowed": allowed},
            )
            return ""
        return code

    def lookup(self, kind, value, where, message):
        if _blank(value):
            return None
        found = self.lookups[kind].get(_fold(value))
        if found is None:
            self.problem(*where, message % {"value": value})
        return found


def _sheet_rows(workbook, sheet: Sheet, reader: _Reader):
    """The sheet's rows as {key: value} with their row number, and the name shown in problems."""
    names = {_fold(ws.title): ws for ws in workbook.worksheets}
    ws = names.get(_fold(sheet.fr)) or names.get(_fold(sheet.en))
    if ws is None:
        reader.problem(
            sheet.fr if reader.language == "fr" else sheet.en, None, "", _("This sheet is missing.")
        )
        return None, []
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    positions, targets = {}, {}
    headers = [_fold(h) for h in header]
    for column in sheet.columns:
        for i, h in enumerate(headers):
            if h in (_fold(column.fr), _fold(column.en)):
                positions[column.key] = i
                break
        else:
            if column.required:
                reader.problem(ws.title, None, _name(column, reader.language), _("This column is missing."))
    if sheet is INDICATORS:
        for i, h in enumerate(header):
            match = TARGET.match(" ".join(str(h or "").split()))
            if match:
                targets[int(match.group(1))] = i
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            reader.problem(ws.title, number, "", _("Too many rows (at most %(n)s).") % {"n": MAX_ROWS})
            break
        if all(_blank(v) for v in values):
            continue
        row = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        row["_targets"] = {year: (values[i] if i < len(values) else None) for year, i in targets.items()}
        row["_row"] = number
        out.append(row)
    heads = {key: (header[i] if i < len(header) else key) for key, i in positions.items()}
    return (ws.title, heads), out


def read(fileobj, lookups: dict, *, language: str, existing_plans: set[str]) -> Reading:
    """Read a plan workbook. `lookups` maps "actor", "region", "cercle", "plan" to {folded text: value};
    `existing_plans` holds the codes already in Sira (a plan is imported once)."""
    from openpyxl import load_workbook

    reader = _Reader(lookups)
    reader.language = "en" if language.startswith("en") else "fr"
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        reader.problem(_("file"), None, "", _("This file is not an Excel workbook (.xlsx)."))
        return reader.reading
    sheets = {}
    for sheet in SHEETS:
        sheets[sheet.key] = _sheet_rows(workbook, sheet, reader)
    workbook.close()
    reading = reader.reading

    def where(meta, row, key):
        title, heads = meta
        return (title, row["_row"], str(heads.get(key, key)))

    # Plan (one row)
    meta, rows = sheets["plan"]
    if meta is not None:
        if len(rows) != 1:
            reader.problem(meta[0], None, "", _("The plan sheet must hold exactly one plan (one row)."))
        for row in rows[:1]:
            code = reader.text(row.get("code"), where(meta, row, "code"), required=True, max_length=30)
            if code and code in existing_plans:
                reader.problem(
                    *where(meta, row, "code"),
                    _("A plan with the code “%(code)s” already exists.") % {"code": code},
                )
            first = reader.integer(
                row.get("start_year"), where(meta, row, "start_year"), required=True, low=2000, high=2100
            )
            last = reader.integer(
                row.get("end_year"), where(meta, row, "end_year"), required=True, low=2000, high=2100
            )
            if first and last and last < first:
                reader.problem(*where(meta, row, "end_year"), _("The last year comes before the first."))
            reading.plan = {
                "code": code,
                "title": reader.text(row.get("title"), where(meta, row, "title"), required=True),
                "start_year": first,
                "end_year": last,
                "region": reader.lookup(
                    "region", row.get("region"), where(meta, row, "region"), _("Unknown region “%(value)s”.")
                ),
                "follows": reader.lookup(
                    "plan", row.get("follows"), where(meta, row, "follows"), _("Unknown plan “%(value)s”.")
                ),
            }

    # Objectives
    meta, rows = sheets["objectives"]
    objective_codes = set()
    if meta is not None:
        for row in rows:
            code = reader.text(row.get("code"), where(meta, row, "code"), required=True, max_length=30)
            if code in objective_codes:
                reader.problem(
                    *where(meta, row, "code"), _("The code “%(code)s” appears twice.") % {"code": code}
                )
            objective_codes.add(code)
            reading.objectives.append(
                {
                    "code": code,
                    "axis": reader.code("axes", row.get("axis"), where(meta, row, "axis"), required=True),
                    "title": reader.text(row.get("title"), where(meta, row, "title"), required=True),
                }
            )
        if not rows:
            reader.problem(meta[0], None, "", _("No objective."))

    # Activities
    meta, rows = sheets["activities"]
    activity_codes = set()
    first_year, last_year = reading.plan.get("start_year"), reading.plan.get("end_year")
    if meta is not None:
        for row in rows:
            code = reader.text(row.get("code"), where(meta, row, "code"), required=True, max_length=30)
            if code in activity_codes:
                reader.problem(
                    *where(meta, row, "code"), _("The code “%(code)s” appears twice.") % {"code": code}
                )
            activity_codes.add(code)
            objective = reader.text(
                row.get("objective"), where(meta, row, "objective"), required=True, max_length=30
            )
            if objective and objective not in objective_codes:
                reader.problem(
                    *where(meta, row, "objective"),
                    _("No objective has the code “%(value)s”.") % {"value": objective},
                )
            unknown_actor = _("No actor or organisation is called “%(value)s”.")
            responsible = reader.lookup(
                "actor", row.get("responsible"), where(meta, row, "responsible"), unknown_actor
            )
            partners = []
            for part in str(row.get("partners") or "").split(";"):
                if part.strip():
                    partner = reader.lookup(
                        "actor", part.strip(), where(meta, row, "partners"), unknown_actor
                    )
                    if partner is not None:
                        partners.append(partner)
            region = reader.lookup(
                "region", row.get("region"), where(meta, row, "region"), _("Unknown region “%(value)s”.")
            )
            cercle = reader.lookup(
                "cercle", row.get("cercle"), where(meta, row, "cercle"), _("Unknown cercle “%(value)s”.")
            )
            if cercle is not None and region is not None and cercle[1] != region:
                reader.problem(*where(meta, row, "cercle"), _("This cercle is not in the region given."))
            start = reader.date(row.get("planned_start"), where(meta, row, "planned_start"), required=True)
            end = reader.date(row.get("planned_end"), where(meta, row, "planned_end"), required=True)
            if start and end and end < start:
                reader.problem(*where(meta, row, "planned_end"), _("The end cannot come before the start."))
            if first_year and last_year and start and not (first_year <= start.year <= last_year):
                reader.problem(
                    *where(meta, row, "planned_start"), _("This date is outside the plan's years.")
                )
            reading.activities.append(
                {
                    "code": code,
                    "objective": objective,
                    "title": reader.text(row.get("title"), where(meta, row, "title"), required=True),
                    "kind": reader.code("activity_kinds", row.get("kind"), where(meta, row, "kind"))
                    or "other",
                    "responsible": responsible,
                    "partners": partners,
                    "region": region,
                    "cercle": cercle,
                    "planned_start": start,
                    "planned_end": end,
                    "budget": reader.integer(row.get("budget"), where(meta, row, "budget"), high=10**15) or 0,
                    "funding_source": reader.code(
                        "funding_sources", row.get("funding_source"), where(meta, row, "funding_source")
                    ),
                    "funder": reader.text(row.get("funder"), where(meta, row, "funder"), max_length=200),
                }
            )

    # Indicators
    meta, rows = sheets["indicators"]
    if meta is not None:
        for row in rows:
            objective = reader.text(
                row.get("objective"), where(meta, row, "objective"), required=True, max_length=30
            )
            if objective and objective not in objective_codes:
                reader.problem(
                    *where(meta, row, "objective"),
                    _("No objective has the code “%(value)s”.") % {"value": objective},
                )
            targets = {}
            for year, value in sorted(row["_targets"].items()):
                number = reader.decimal(value, (meta[0], row["_row"], f"{year}"))
                if number is not None:
                    targets[str(year)] = format(number.normalize(), "f")
            baseline = reader.decimal(row.get("baseline"), where(meta, row, "baseline"))
            reading.indicators.append(
                {
                    "code": reader.text(
                        row.get("code"), where(meta, row, "code"), required=True, max_length=30
                    ),
                    "objective": objective,
                    "title": reader.text(row.get("title"), where(meta, row, "title"), required=True),
                    "unit": reader.text(row.get("unit"), where(meta, row, "unit"), max_length=60),
                    "baseline": baseline,
                    "baseline_year": reader.integer(
                        row.get("baseline_year"), where(meta, row, "baseline_year"), low=1990, high=2100
                    ),
                    "targets": targets,
                }
            )
    return reading


EXPLAIN = gettext_lazy(
    "The file was not imported: nothing has changed. Correct these cells and send it again."
)


def _workbook(rows: dict[str, list[list]], *, target_years, language: str):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS:
        ws = workbook.create_sheet(_name(sheet, language))
        headers = [_name(c, language) for c in sheet.columns]
        if sheet is INDICATORS:
            word = "Target" if language.startswith("en") else "Cible"
            headers += [f"{word} {year}" for year in target_years]
        ws.append(headers)
        for row in rows.get(sheet.key, []):
            ws.append([safe_cell(v) for v in row])
    return workbook


def workbook_from_rows(rows: dict[str, list[list]], *, target_years=(), language: str = "fr") -> io.BytesIO:
    """A plan workbook in the template's layout from rows per sheet key ("plan", "objectives",
    "activities", "indicators"; indicator rows end with one target per year of `target_years`): for
    the demo seed and tests, which go through the same import as a user's file."""
    out = io.BytesIO()
    _workbook(rows, target_years=target_years, language=language).save(out)
    out.seek(0)
    return out
