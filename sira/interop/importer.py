"""Reading HTCDS and CTDC files: decoding, the header, and each row checked into the values a case is
registered with. Every problem is named by row and column in the user's language; nothing here writes
(sira/interop/services.py writes what this reads, in bulk).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2."""

import codecs
import csv
import datetime as dt
import hashlib
import hmac
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sira.cases import rules as case_rules
from sira.core.crypto import blind_index_keys
from sira.interop import catalogue, rules

HTCDS, CTDC = "htcds", "ctdc"
FORMATS = (HTCDS, CTDC)

# Columns a file must have, and those read when present.
REQUIRED = {
    CTDC: ("yearOfRegistration", "gender", "ageBroad", "citizenship"),
    HTCDS: ("prs_Gender", "sira_IdentificationDate", "sira_IdentificationRegion"),
}
OPTIONAL = {
    CTDC: (
        "Datasource",
        "CountryOfExploitation",
        "isForcedLabour",
        "isSexualExploit",
        "isOtherExploit",
        "isForcedMarriage",
        "isForcedMilitary",
        "isOrganRemoval",
    ),
    HTCDS: (
        "prs_FirstName",
        "prs_MiddleName",
        "prs_SecondName",
        "prs_Birthdate",
        "prs_Citizenship",
        "vic_AgeAtIdentification",
        "vic_TraffickingStatus",
        "sira_TypeOfExploitation",
        "vic_TypeOfExploitation",
        "vic_ForcedLabourIndustry",
        "cas_Status",
        "sira_IdentificationContext",
        "sira_SourceRecordId",
        "cas_CaseNumber",
    ),
}


@dataclass
class Problem:
    row: int  # 0: the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row and not self.column:
            return self.message
        where = (
            _("row %(row)d, column %(column)s") % {"row": self.row, "column": self.column or "—"}
            if self.row
            else self.column
        )
        return _("%(where)s: %(message)s") % {"where": where, "message": self.message}


@dataclass
class Parsed:
    """One row as the values a case is registered with."""

    row: int
    source_key: str
    person: dict
    case: dict
    forms: list = field(default_factory=list)  # [(form, industry)]
    exploitation_country: str = ""


@dataclass
class Bad:
    row: int
    source_key: str
    raw: dict
    problems: list


def _key(fmt: str, text: str) -> str:
    return hmac.new(blind_index_keys()[0], f"interop\x1f{fmt}\x1f{text}".encode(), hashlib.sha256).hexdigest()


class Lines:
    """The file's text lines, decoded as UTF-8 (a byte-order mark is dropped); a line that is not
    UTF-8 is named and read with replacement characters so the rest can still be checked.
    `done` is how many bytes have been read (for the progress bar)."""

    def __init__(self, binary):
        self.binary = binary
        self.done = 0
        self.problems: list[Problem] = []

    def __iter__(self) -> Iterator[str]:
        for number, raw in enumerate(self.binary, start=1):
            self.done += len(raw)
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.problems.append(
                    Problem(
                        0,
                        "",
                        _(
                            "line %(line)d is not UTF-8 text (byte 0x%(byte)02x at position %(position)d); "
                            "save the file as UTF-8"
                        )
                        % {"line": number, "byte": raw[exc.start], "position": exc.start + 1},
                    )
                )
                yield raw.decode("utf-8", errors="replace")


def header_problems(fmt: str, header: list[str]) -> list[Problem]:
    missing = [c for c in REQUIRED[fmt] if c not in header]
    problems = [Problem(1, c, _("required column missing")) for c in missing]
    for name, n in Counter(header).items():
        if n > 1 and name:
            problems.append(Problem(1, name, _("column given %(n)d times") % {"n": n}))
    return problems


class Reader:
    """Rows of a file as `Parsed` or `Bad`, in file order. Decoding and header problems are in
    `file_problems` (the caller checks them once the rows are read: a decoding problem may come late)."""

    def __init__(self, fmt: str, binary, *, today: dt.date):
        self.fmt = fmt
        self.lines = Lines(binary)
        self.today = today
        self.occurrences: Counter = Counter()
        self.header: list[str] = []
        self.header_problems: list[Problem] = []
        self.rows_read = 0

    @property
    def file_problems(self) -> list[Problem]:
        return self.header_problems + self.lines.problems

    def __iter__(self):
        reader = csv.reader(self.lines)
        try:
            self.header = [h.strip() for h in next(reader)]
        except StopIteration:
            self.header_problems = [Problem(0, "", _("the file is empty"))]
            return
        self.header_problems = header_problems(self.fmt, self.header)
        if self.header_problems:
            for _cells in reader:  # still read to the end: every decoding problem is named too
                pass
            return
        width = len(self.header)
        parse = _parse_ctdc if self.fmt == CTDC else _parse_htcds
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            self.rows_read += 1
            if len(cells) != width:
                raw = dict(zip(self.header, cells, strict=False))
                message = _("%(found)d cells where the header has %(expected)d") % {
                    "found": len(cells),
                    "expected": width,
                }
                yield Bad(number, self._source_key(raw), raw, [Problem(number, "", message)])
                continue
            raw = dict(zip(self.header, cells, strict=True))
            key = self._source_key(raw)
            problems: list[Problem] = []
            parsed = parse(raw, number, problems, self.today)
            if problems:
                yield Bad(number, key, raw, problems)
            else:
                parsed.source_key = key
                yield parsed

    def _source_key(self, raw: dict) -> str:
        """The file's own record id when it has one, else the row's content and how many identical
        rows came before it in the file (so re-importing a file finds each of its records again)."""
        own = (raw.get("sira_SourceRecordId") or raw.get("cas_CaseNumber") or "").strip()
        if own:
            return _key(self.fmt, "id\x1f" + own)
        content = "\x1e".join(f"{k}\x1f{(raw.get(k) or '').strip()}" for k in self.header)
        digest = hashlib.blake2b(content.encode(), digest_size=16).digest()
        self.occurrences[digest] += 1
        return _key(self.fmt, f"row\x1f{content}\x1f{self.occurrences[digest]}")


# ---------------------------------------------------------------------------------------------------
# CTDC


def _country(value: str, column: str, number: int, problems: list, unknown) -> str:
    value = (value or "").strip().upper()
    if value in unknown:
        return ""
    if value not in catalogue.countries():
        problems.append(Problem(number, column, _("unknown country code “%(value)s”") % {"value": value}))
        return ""
    return value


def _parse_ctdc(raw: dict, number: int, problems: list, today: dt.date) -> Parsed:
    c = catalogue.ctdc()
    year = rules.parse_year(raw["yearOfRegistration"])
    if year is None:
        problems.append(
            Problem(
                number,
                "yearOfRegistration",
                _("“%(value)s” is not a year (four digits)") % {"value": raw["yearOfRegistration"]},
            )
        )
    elif year > today.year:
        problems.append(Problem(number, "yearOfRegistration", _("the year is in the future")))
    gender = c["gender_in"].get(raw["gender"].strip())
    if gender is None:
        problems.append(_unknown(number, "gender", raw["gender"], c["gender_in"]))
    band = raw["ageBroad"].strip()
    age = None
    if band and band != c["missing"]:
        band = rules.normalise_band(band, c["age_band_separators"])
        age = rules.band_low(band, c["age_bands"])
        if age is None:
            problems.append(_unknown(number, "ageBroad", raw["ageBroad"], [b[0] for b in c["age_bands"]]))
    unknown = set(c["unknown_countries"])
    citizenship = _country(raw["citizenship"], "citizenship", number, problems, unknown)
    exploitation_country = _country(
        raw.get("CountryOfExploitation", ""), "CountryOfExploitation", number, problems, unknown
    )
    forms = []
    for column, form in c["forms_in"].items():
        try:
            if rules.flag(raw.get(column, "")):
                forms.append((form, ""))
        except ValueError:
            problems.append(
                Problem(number, column, _("“%(value)s” is not 0, 1 or -99") % {"value": raw[column]})
            )
    source = (raw.get("Datasource") or "").strip()
    context = c["datasource_in"].get(source, "Other") if source else "Other"
    if source and source not in c["datasource_in"]:
        problems.append(_unknown(number, "Datasource", source, c["datasource_in"]))
    return Parsed(
        row=number,
        source_key="",
        person={"gender": gender or "", "citizenships": [citizenship] if citizenship else []},
        case={
            "identification_date": dt.date(year, 1, 1) if year else None,
            "identification_context": context,
            "age_at_identification": age,
        },
        forms=forms,
        exploitation_country=exploitation_country,
    )


def _unknown(number: int, column: str, value: str, allowed) -> Problem:
    return Problem(
        number,
        column,
        _("unknown value “%(value)s” (expected one of: %(allowed)s)")
        % {"value": value, "allowed": ", ".join(sorted(a for a in allowed if a))},
    )


# ---------------------------------------------------------------------------------------------------
# HTCDS (the columns of Sira's own HTCDS export, sira/cases/export.py, plus the identity columns)


def _date(raw: dict, column: str, number: int, problems: list) -> dt.date | None:
    text = (raw.get(column) or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(
            Problem(number, column, _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": text})
        )
        return None


def _code(raw: dict, column: str, vocabulary: str, number: int, problems: list, default: str = "") -> str:
    text = (raw.get(column) or "").strip()
    if not text:
        return default
    if text not in catalogue.codes(vocabulary):
        problems.append(_unknown(number, column, text, catalogue.codes(vocabulary)))
        return default
    return text


def _parse_htcds(raw: dict, number: int, problems: list, today: dt.date) -> Parsed:
    identification_date = _date(raw, "sira_IdentificationDate", number, problems)
    if identification_date is None and not any(p.column == "sira_IdentificationDate" for p in problems):
        problems.append(Problem(number, "sira_IdentificationDate", _("a date is required")))
    birth_date = _date(raw, "prs_Birthdate", number, problems)
    gender = _code(raw, "prs_Gender", "gender", number, problems)
    if not gender and not (raw.get("prs_Gender") or "").strip():
        problems.append(Problem(number, "prs_Gender", _("a value is required")))
    citizenships = []
    for code in filter(None, (c.strip().upper() for c in (raw.get("prs_Citizenship") or "").split(";"))):
        if code in catalogue.countries():
            citizenships.append(code)
        else:
            problems.append(
                Problem(number, "prs_Citizenship", _("unknown country code “%(value)s”") % {"value": code})
            )
    region = (raw.get("sira_IdentificationRegion") or "").strip().upper()
    if region not in catalogue.regions():
        problems.append(_unknown(number, "sira_IdentificationRegion", region, catalogue.regions()))
    age_text = (raw.get("vic_AgeAtIdentification") or "").strip()
    age = None
    if age_text:
        if age_text.isdigit() and int(age_text) <= case_rules.MAX_AGE:
            age = int(age_text)
        else:
            problems.append(
                Problem(
                    number, "vic_AgeAtIdentification", _("“%(value)s” is not an age") % {"value": age_text}
                )
            )
    forms_column = (
        "sira_TypeOfExploitation"
        if (raw.get("sira_TypeOfExploitation") or "").strip()
        else ("vic_TypeOfExploitation")
    )
    forms = []
    industry = _code(raw, "vic_ForcedLabourIndustry", "industry", number, problems)
    for form in filter(None, (f.strip() for f in (raw.get(forms_column) or "").split(";"))):
        if form in catalogue.codes("exploitation_form"):
            forms.append((form, industry))
        else:
            problems.append(_unknown(number, forms_column, form, catalogue.codes("exploitation_form")))
    names = {
        "first_name": (raw.get("prs_FirstName") or "").strip(),
        "middle_name": (raw.get("prs_MiddleName") or "").strip(),
        "last_name": (raw.get("prs_SecondName") or "").strip(),
    }
    person = {
        **{k: v or None for k, v in names.items()},
        "birth_date": birth_date,
        "gender": gender,
        "citizenships": citizenships,
    }
    case = {
        "identification_date": identification_date,
        "identification_context": _code(
            raw, "sira_IdentificationContext", "identification_context", number, problems, "Other"
        ),
        "identification_region_id": region,
        "trafficking_status": _code(
            raw,
            "vic_TraffickingStatus",
            "trafficking_status",
            number,
            problems,
            "PossibleVictimOfTrafficking",
        ),
        "case_status": _code(raw, "cas_Status", "case_status", number, problems, "Active"),
    }
    if case["case_status"] in case_rules.CLOSED_STATUSES:
        # A closed case needs its closure reason, which HTCDS files carry as free text: imported open.
        case["case_status"] = "FollowUp"
    # The registry's own rules on dates (one place for them).
    columns = {"person.birth_date": "prs_Birthdate", "case.identification_date": "sira_IdentificationDate"}
    checked = {"birth_date": birth_date}
    if not problems:
        errors = case_rules.check_person(checked, identification_date=identification_date, today=today)
        errors |= case_rules.check_case({"identification_date": identification_date}, today=today)
        for path, message in errors.items():
            problems.append(Problem(number, columns.get(path, path), str(message)))
    case["age_at_identification"] = (
        age
        if age is not None
        else case_rules.age_at_identification(
            birth_date=birth_date, estimated_age=None, identification_date=identification_date
        )
    )
    return Parsed(row=number, source_key="", person=person, case=case, forms=forms)
