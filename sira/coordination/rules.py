"""The coordination rules, each once, pure (no I/O): an activity's state, the quarter without report,
what a report and an inspection must hold, the attendance rate."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from sira.coordination import catalogue

COMPLETED, ON_TIME, LATE, NOT_STARTED, CANCELLED = "completed", "on_time", "late", "not_started", "cancelled"
STATES = (COMPLETED, ON_TIME, LATE, NOT_STARTED, CANCELLED)
# "No report for a quarter": nothing reported in the last 92 days (three months) of a running activity.
QUARTER_DAYS = 92


def activity_state(planned_start: dt.date, planned_end: dt.date, status: str | None, as_of: dt.date) -> str:
    """Where an activity stands on `as_of`, from its planned dates and its latest report's status:
    completed or cancelled as reported; started → late once its planned end has passed, else on time;
    not started (or never reported) → late once its planned start has passed, else not started."""
    if status == "completed":
        return COMPLETED
    if status == "cancelled":
        return CANCELLED
    if status == "in_progress":
        return LATE if planned_end < as_of else ON_TIME
    return LATE if planned_start < as_of else NOT_STARTED


def is_running(planned_start: dt.date, state: str, as_of: dt.date) -> bool:
    """An activity expected to be under way (started or due to have started), not finished."""
    return planned_start <= as_of and state not in (COMPLETED, CANCELLED)


def silent_for_a_quarter(last_report: dt.date | None, as_of: dt.date) -> bool:
    return last_report is None or (as_of - last_report).days > QUARTER_DAYS


def rate(part: int, whole: int) -> float | None:
    """A share in percent to one decimal; None when there is nothing to divide by."""
    return None if whole == 0 else round(100 * part / whole, 1)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def runs_in_year(planned_start: dt.date, planned_end: dt.date, year: int) -> bool:
    first, last = year_bounds(year)
    return planned_start <= last and planned_end >= first


def _unknown(name: str, values) -> list[str]:
    known = set(catalogue.codes(name))
    return [v for v in values if v not in known]


def report_errors(kind: str, data: dict, *, planned_start: dt.date, today: dt.date) -> dict[str, list[str]]:
    """Every problem of an activity report at once, by field (empty: the report may be recorded)."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    status = data.get("status")
    if status not in ("not_started", "in_progress", "completed", "cancelled"):
        add("status", _("Choose a status."))
    as_of = data.get("as_of")
    if as_of and as_of > today:
        add("as_of", _("The date of progress cannot be in the future."))
    start, end = data.get("actual_start"), data.get("actual_end")
    if start and end and end < start:
        add("actual_end", _("The end cannot come before the start."))
    if start and as_of and start > as_of:
        add("actual_start", _("The activity cannot start after the date of progress."))
    if status in ("in_progress", "completed") and not start:
        add("actual_start", _("Give the date the activity started."))
    if status == "completed" and not end:
        add("actual_end", _("Give the date the activity ended."))
    if status == "not_started" and (start or end or data.get("amount_spent")):
        add("status", _("An activity not started has no dates or spending: choose “In progress”."))
    if kind == "training" and status in ("in_progress", "completed"):
        if not data.get("audience_types"):
            add("audience_types", _("Choose who was trained."))
        if not data.get("topics"):
            add("topics", _("Choose the topics of the training."))
        if not (data.get("participants_female") or data.get("participants_male")):
            add("participants_female", _("Give the number of participants by sex."))
    if kind == "awareness" and status in ("in_progress", "completed"):
        if not data.get("channels"):
            add("channels", _("Choose the channel of the campaign."))
        if "radio" in (data.get("channels") or []) and not data.get("radio_languages"):
            add("radio_languages", _("Give the languages of the radio broadcasts."))
        if not sum(data.get(k) or 0 for k in ("girls", "boys", "women", "men")):
            add("girls", _("Give the number of people reached."))
    for field, name in (
        ("audience_types", "audience_types"),
        ("topics", "topics"),
        ("channels", "channels"),
        ("radio_languages", "radio_languages"),
    ):
        if _unknown(name, data.get(field) or []):
            add(field, _("Unknown value."))
    return errors


def inspection_errors(data: dict, *, today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if data.get("date") and data["date"] > today:
        add("date", _("An inspection cannot be dated in the future."))
    if not data.get("cercle"):
        add("cercle", _("Choose a cercle."))
    if data.get("sector") not in catalogue.codes("sectors"):
        add("sector", _("Choose a sector."))
    violations = (data.get("child_labour_violations") or 0) + (data.get("forced_labour_violations") or 0)
    if (data.get("penalties_imposed") or 0) > violations:
        add("penalties_imposed", _("More penalties than violations found."))
    if (data.get("penalties_collected") or 0) > (data.get("penalties_imposed") or 0):
        add("penalties_collected", _("More penalties collected than imposed."))
    if (data.get("children_referred") or 0) > (data.get("children_removed") or 0):
        add("children_referred", _("More children referred than removed."))
    return errors


def decimal_text(value) -> str:
    """A figure of an indicator as stored in its targets (no float rounding)."""
    return format(Decimal(str(value)).normalize(), "f")
