"""The annual national report on trafficking in persons: a PDF built from the protected tables of
``report_data`` (never from the models), with the charts of ``charts``, in French or English.

``check()`` names every problem of a request (year, language) in the reader's language; ``build_pdf()``
renders the HTML template with WeasyPrint. Fonts are the system's (DejaVu), and the URL fetcher
refuses anything but the inline content: building a report never touches the network."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sira.statistics import charts, layer, report_coordination, report_data

LANGUAGES = ("fr", "en")
FIRST_YEAR = 2000


def long_date(day: dt.date) -> str:
    """A date as the language writes it in prose: "1er janvier 2025", "1 January 2025"."""
    text = formats.date_format(day, "j F Y")
    return "1er" + text[1:] if day.day == 1 and translation.get_language().startswith("fr") else text


def as_of() -> str | None:
    """When the statistics tables were last refreshed (the report's figures are as of then)."""
    refreshed = layer.last_refresh()
    if refreshed is None:
        return None
    return formats.date_format(timezone.localtime(refreshed.finished_at), "j F Y, H:i")


def check(year, language) -> list[str]:
    """Every problem of a report request, in the active language (empty when it can be built)."""
    errors = []
    this_year = timezone.localdate().year
    try:
        year_ok = FIRST_YEAR <= int(str(year)) <= this_year
    except (TypeError, ValueError):
        year_ok = False
    if not year_ok:
        errors.append(
            _("The year must be a number between %(first)s and %(last)s (given: “%(given)s”).")
            % {"first": FIRST_YEAR, "last": this_year, "given": year}
        )
    if language not in LANGUAGES:
        errors.append(
            _("The language must be “fr” (French) or “en” (English) (given: “%(given)s”).")
            % {"given": language}
        )
    return errors


@dataclass
class Section:
    title: str
    tables: list


def _rows(table: report_data.Table) -> list[tuple[str, str, bool]]:
    """(label, figure as written in the language, suppressed?) for the template."""
    return [(lbl, charts.fmt(value), value is None) for _k, lbl, value in table.rows]


def _chart_pairs(table: report_data.Table, short_keys: bool) -> list[tuple[str, int | None]]:
    """What a chart draws: the table's rows without the empty categories (the table keeps them); with
    ``short_keys``, the category code (age bands: "15-17") where the axis is narrow."""
    return [
        (str(key).replace("-", "–") if short_keys and key != report_data.UNKNOWN else lbl, value)
        for key, lbl, value in table.rows
        if value != 0
    ]


def _block(title, table, *, chart=None, note="", total_label=None):
    svg = None
    if not table.rows:
        chart = None  # the table says there is nothing; no empty picture beside it
    if chart == "bar":
        svg = charts.bar_chart(_chart_pairs(table, False), title=title)
    elif chart == "vertical":
        svg = charts.bar_chart(_chart_pairs(table, True), title=title, orientation="vertical")
    elif chart == "line":  # a trend keeps its zeros: every period is on the axis
        svg = charts.line_chart(table.pairs(), title=title)
    return {
        "title": title,
        "rows": _rows(table),
        "total": None if total_label is None else (total_label, charts.fmt(table.total), table.total is None),
        "chart": svg,
        "note": note,
    }


def _grid_block(title, g: report_data.Grid, *, note=""):
    """A two-way table (rows × columns with margins) and its stacked bars."""
    series = [
        (label, [values[i] for _c, _l, values, _m in g.rows]) for i, (_code, label) in enumerate(g.columns)
    ]
    svg = (
        charts.stacked_bars([label for _c, label, _v, _m in g.rows], series, title=title) if g.rows else None
    )
    return {
        "title": title,
        "grid": {
            "columns": [label for _c, label in g.columns],
            "rows": [
                (label, [(charts.fmt(v), v is None) for v in values], (charts.fmt(m), m is None))
                for _c, label, values, m in g.rows
            ],
            "margins": [(charts.fmt(m), m is None) for m in g.column_margins],
            "total": (charts.fmt(g.total), g.total is None),
        },
        "chart": svg,
        "note": note,
    }


def context(year: int) -> dict:
    """Everything the template shows, in the active language."""
    t = report_data.table
    total_label = _("Total")
    profile = report_data.victims_profile(year)  # sex, age, children, age × sex: protected together
    by_sex, by_age = profile["sex"], profile["child"]
    assisted = t("assistance", None, year)
    stages, sentences = report_data.enforcement(year)
    key_figures = [
        (_("Victims identified"), by_sex.total),
        (_("… of whom children"), by_age.value("child")),
        (_("Persons assisted"), assisted.total),
        (_("New investigations"), stages.value("investigations_new")),
        (_("Convicted defendants"), stages.value("convicted")),
    ]
    sections = [
        Section(
            _("Victims identified"),
            [
                _block(_("Victims identified by sex"), by_sex, chart="bar", total_label=total_label),
                _block(
                    _("Victims identified by age group"),
                    profile["age_group"],
                    chart="vertical",
                    total_label=total_label,
                    note=_("Age at identification."),
                ),
                _grid_block(
                    _("Victims identified by age group and sex"),
                    profile["age_by_sex"],
                ),
                _block(_("Children and adults"), by_age, total_label=total_label),
                _block(
                    _("Victims identified by nationality"),
                    t("victims", "nationality", year),
                    total_label=total_label,
                    note=_("First citizenship recorded."),
                ),
                _block(
                    _("Victims identified by form of exploitation"),
                    t("victims", "form", year),
                    chart="bar",
                    total_label=_("Victims (all forms)"),
                    note=_("A victim who suffered several forms is counted under each of them."),
                ),
                _block(
                    _("Victims identified by region of identification"),
                    t("victims", "region", year),
                    chart="bar",
                    total_label=total_label,
                ),
                _block(
                    _("Victims identified by month"),
                    t("victims", "month", year),
                    chart="line",
                    total_label=total_label,
                ),
                _block(
                    _("Main routes: region of origin → region of exploitation"),
                    report_data.routes(year),
                    chart="bar",
                    note=_(
                        "The largest routes among victims whose places of origin and exploitation are "
                        "recorded; routes hidden by disclosure control are not listed."
                    ),
                ),
            ],
        ),
        Section(
            _("Assistance and referrals"),
            [
                _block(
                    _("Persons assisted, by service"),
                    assisted,
                    chart="bar",
                    total_label=_("Persons assisted (all services)"),
                    note=_("A person assisted by several services is counted under each of them."),
                ),
                _block(
                    _("Referrals sent, by service"),
                    t("referrals", None, year),
                    chart="bar",
                    total_label=total_label,
                ),
            ],
        ),
        Section(
            _("Law enforcement"),
            [
                _block(
                    _("Investigations, prosecutions, convictions"),
                    stages,
                    chart="bar",
                    note=_(
                        "Investigations and prosecutions opened in the year (new) or opened earlier "
                        "and still open during the year (continued); defendants are counted once "
                        "per prosecution."
                    ),
                ),
                _block(
                    _("Sentences (convicted defendants, longest term to serve)"),
                    sentences,
                    total_label=_("Convicted defendants"),
                ),
            ],
        ),
        Section(
            _("Screening activity"),
            [
                _block(
                    _("Screenings completed, by result of the indicators"),
                    t("screenings", "outcome", year),
                    chart="bar",
                    total_label=total_label,
                ),
                _block(
                    _("Screenings completed, by the worker's determination"),
                    t("screenings", "determination", year),
                    total_label=total_label,
                ),
            ],
        ),
        Section(_("Coordination and the National Action Plan"), report_coordination.plan_blocks(year)),
    ]
    today = timezone.localdate()
    refreshed = layer.last_refresh()
    return {
        "as_of": (
            formats.date_format(timezone.localtime(refreshed.finished_at), "j F Y, H:i")
            if refreshed
            else None
        ),
        "year": year,
        "language": translation.get_language(),
        "made_on": long_date(today),
        "period": (long_date(dt.date(year, 1, 1)), long_date(dt.date(year, 12, 31))),
        "sections": sections,
        "key_figures": [(lbl, charts.fmt(value)) for lbl, value in key_figures],
        "threshold": settings.SIRA_SMALL_CELL_THRESHOLD,
        "total_word": _("Total"),
    }


def render_html(year: int, language: str) -> str:
    with translation.override(language):
        return render_to_string("statistics/annual_report.html", context(year))


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"the report fetches nothing: {url}")


def build_pdf(year: int, language: str) -> bytes:
    from weasyprint import HTML

    html = render_html(year, language)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def filename(year: int, language: str) -> str:
    with translation.override(language):
        return _("annual-report-trafficking-%(year)s-%(lang)s.pdf") % {"year": year, "lang": language}


def produce(year: int, language: str, *, actor=None, request=None) -> bytes:
    """The report's PDF, with its audit entry (who produced which statistics output)."""
    from sira.audit.models import AuditEvent
    from sira.audit.services import record

    pdf = build_pdf(year, language)
    # An export like any other (the audit's actions are a closed list): its kind says which.
    record(
        AuditEvent.Action.EXPORT,
        actor=actor,
        request=request,
        kind="annual_report",
        year=year,
        language=language,
    )
    return pdf
