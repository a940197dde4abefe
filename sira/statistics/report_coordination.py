"""The annual report's coordination section (issue 14, item 7): the National Action Plan's execution,
training and awareness reach, committee attendance and the labour-inspection table, from
`sira.coordination.figures` (the statistics layer sits above coordination and reads its rows).

These figures count activities, reports and inspections, not victims, so they are shown as
reported; the two lines of the inspection table that count children (removed from work, referred)
are hidden below the small-cell threshold like any count of persons."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from sira.coordination import figures
from sira.statistics import charts, rules

CHILD_LINES = ("children_removed", "children_referred")


def _matrix(title: str, columns: list[str], rows: list[tuple[str, list]], *, note: str = "") -> dict:
    """A plain table block: a label per row, formatted cells, the last row a total when asked."""
    return {
        "title": title,
        "matrix": {
            "columns": columns,
            "rows": [
                (label, [(c if isinstance(c, str) else charts.fmt(c)) for c in cells])
                for label, cells in rows
            ],
        },
        "chart": None,
        "note": note,
    }


def _percent(value) -> str:
    return "—" if value is None else f"{charts.fmt(round(value))} %"


def _label(row: dict) -> str:
    return _("Total") if row["key"] == "total" else row["label"]


def plan_blocks(year: int) -> list[dict]:
    execution = figures.plan_execution(year)
    blocks = [
        _matrix(
            _("Execution of the action plan by axis"),
            [
                _("Activities"),
                _("Completed"),
                _("On time"),
                _("Late"),
                _("Not started"),
                _("Budget (CFA francs)"),
                _("Spent (CFA francs)"),
            ],
            [
                (
                    _label(r),
                    [
                        r["activities"],
                        r["completed"],
                        r["on_time"],
                        r["late"],
                        r["not_started"],
                        r["budget"],
                        r["spent"],
                    ],
                )
                for r in execution
            ],
            note=_(
                "Activities planned to run during the year; spent is each activity's latest reported amount."
            ),
        )
    ]
    trainings = [r for r in figures.training_reach(year) if r["trainings"] or r["key"] == "total"]
    blocks.append(
        _matrix(
            _("Trainings by audience"),
            [_("Trainings"), _("Women"), _("Men"), _("Participants")],
            [(_label(r), [r["trainings"], r["female"], r["male"], r["participants"]]) for r in trainings],
            note=_("A training for several audiences counts under each; the total counts it once."),
        )
    )
    awareness = [r for r in figures.awareness_reach(year) if r["campaigns"] or r["key"] == "total"]
    blocks.append(
        _matrix(
            _("Awareness campaigns by channel"),
            [_("Campaigns"), _("Girls"), _("Boys"), _("Women"), _("Men"), _("People reached")],
            [
                (_label(r), [r["campaigns"], r["girls"], r["boys"], r["women"], r["men"], r["reached"]])
                for r in awareness
            ],
            note=_("A campaign on several channels counts under each; the total counts it once."),
        )
    )
    attendance = [r for r in figures.attendance_rates(year) if r["meetings"]]
    if attendance:
        blocks.append(
            _matrix(
                _("Attendance at committee meetings"),
                [_("Meetings"), _("Present"), _("Attendance rate")],
                [(r["label"], [r["meetings"], r["present"], _percent(r["rate"])]) for r in attendance],
            )
        )
    years = [year - 1, year]
    labels = figures.inspection_labels()
    lines = []
    for r in figures.inspection_table(years):
        cells = [r[str(y)] for y in years]
        if r["key"] in CHILD_LINES:  # counts of children: hidden below the threshold
            cells = [rules.suppress(v, settings.SIRA_SMALL_CELL_THRESHOLD) for v in cells]
        lines.append((labels[r["key"]], [charts.fmt(v) for v in cells]))
    blocks.append(
        _matrix(
            _("Labour inspections (child-labour report layout)"),
            [str(y) for y in years],
            lines,
            note=_("From the inspection records; counts of children below the threshold are shown as “<5”."),
        )
    )
    return blocks
