"""Enforcement statistics (sira.justice.stats) as the committee and the justice services see them.

Justice users (investigators, prosecutors) get the figures of the records they may see, in full: they
can read those records anyway. Everyone else gets the national figures with small-cell suppression
(counts below the threshold shown as "fewer than N"): the committee sees statistics, never records."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from sira.cases.services import statistics_cases
from sira.core.vocab import label
from sira.geo.models import Region
from sira.justice import access
from sira.justice import stats as justice_stats
from sira.justice.forms import PeriodForm
from sira.justice.models import Investigation
from sira.statistics import rules
from sira.statistics.suppression import suppress

FUNNEL_COUNTS = ("identified", "investigated", "prosecuted", "convicted")


def _suppress_tree(node):
    """Every count in the figures suppressed; medians (days) are kept only where their cohort is shown."""
    if isinstance(node, dict):
        return {
            k: (v if k.startswith("median") or k in ("start", "end") else _suppress_tree(v))
            for k, v in node.items()
        }
    if isinstance(node, int) and not isinstance(node, bool):
        return suppress(node)
    return node


def figures(user, period: justice_stats.Period) -> tuple[dict, bool]:
    """(figures, suppressed?) for a user and a period."""
    cases = statistics_cases().filter(identification_date__range=(period.start, period.end))
    if access.is_justice_user(user):
        investigations = access.investigations.visible(user)
        cases = cases.filter(investigations__in=investigations.values("pk")).distinct()
        return justice_stats.enforcement(period, justice_stats.collect(investigations, cases)), False
    result = justice_stats.enforcement(period, justice_stats.collect(Investigation.objects.all(), cases))
    funnel = result["funnel"]
    suppressed = _suppress_tree(result)
    _protect_margins(result, suppressed)
    # A median over a suppressed cohort could point at a person: drop it with its count.
    for count, median in (
        ("investigated", "median_days_to_investigation"),
        ("prosecuted", "median_days_to_prosecution"),
        ("convicted", "median_days_to_conviction"),
    ):
        if suppress(funnel[count]) is None:
            suppressed["funnel"][median] = None
    return suppressed, True


# Which total each breakdown column adds up to (by form a case may count under several forms: treated
# as the same relation, which only hides more).
_COLUMN_TOTALS = {
    "investigations_new": ("investigations", "new"),
    "investigations_continued": ("investigations", "continued"),
    "prosecutions_initiated": ("prosecutions", "initiated"),
    "prosecutions_continued": ("prosecutions", "continued"),
    "defendants_initiated": ("prosecutions", "defendants_initiated"),
    "convicted": ("convictions", "defendants"),
}


def _protect_margins(raw: dict, shown: dict) -> None:
    """Complementary suppression (sira.statistics.rules, the one rule): a hidden count in a breakdown
    must not be recoverable from the breakdown's total."""
    limit = settings.SIRA_SMALL_CELL_THRESHOLD

    def apply(cells: dict, total: int, put) -> int | None:
        protected, total_shown = rules.one_way(cells, total, limit)
        for key, value in protected.items():
            put(key, value)
        return total_shown

    for name in ("by_form", "by_region"):
        for column, (group, field) in _COLUMN_TOTALS.items():
            cells = {k: v.get(column, 0) for k, v in raw[name].items()}
            if not cells:
                continue
            total = apply(
                cells, raw[group][field], lambda k, v, n=name, c=column: shown[n][k].__setitem__(c, v)
            )
            if total is None:
                shown[group][field] = None
    apply(
        dict(raw["sentences"]),
        raw["convictions"]["defendants"],
        lambda k, v: shown["sentences"].__setitem__(k, v),
    )


def default_period(today: dt.date) -> justice_stats.Period:
    """The last complete calendar year, as annual reports use."""
    return justice_stats.Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))


def _period(data) -> justice_stats.Period | None:
    form = PeriodForm(data)
    if not form.is_valid():
        return None
    return justice_stats.Period(form.cleaned_data["start"], form.cleaned_data["end"])


def _rows(breakdown: dict, name: str) -> list[dict]:
    regions = {r.pk: str(r) for r in Region.objects.all()} if name == "region" else {}
    out = []
    for key, counts in breakdown.items():
        out.append(
            {
                "label": regions.get(key, key) if name == "region" else label("exploitation_form", key),
                **counts,
            }
        )
    return out


SENTENCE_LABELS = {
    "none": gettext_lazy("Suspended in full or fine only"),
    "under_1y": gettext_lazy("Under 1 year"),
    "1y_5y": gettext_lazy("1 to under 5 years"),
    "5y_10y": gettext_lazy("5 to under 10 years"),
    "10y_plus": gettext_lazy("10 years or more"),
    "life": gettext_lazy("Life imprisonment"),
}


@login_required
@require_GET
def page(request):
    today = dt.date.today()
    period = default_period(today)
    form = PeriodForm(request.GET or {"start": period.start, "end": period.end})
    if request.GET:
        period = _period(request.GET) or period
    result, suppressed = figures(request.user, period)
    return render(
        request,
        "justice/statistics.html",
        {
            "form": form,
            "r": result,
            "period": period,
            "suppressed": suppressed,
            "threshold": settings.SIRA_SMALL_CELL_THRESHOLD,
            "by_form": _rows(result["by_form"], "form"),
            "by_region": _rows(result["by_region"], "region"),
            "sentences": [(SENTENCE_LABELS[k], v) for k, v in result["sentences"].items()],
        },
    )


class EnforcementStatisticsView(APIView):
    """Enforcement statistics for a period (?start=YYYY-MM-DD&end=YYYY-MM-DD; default: last calendar
    year). Suppressed (null = fewer than the threshold) unless the user is a justice user, who sees
    the figures of their own records."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day of the period"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day of the period"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: None},
    )
    def get(self, request):
        if "start" in request.query_params or "end" in request.query_params:
            period = _period(request.query_params)
            if period is None:
                raise ValidationError(PeriodForm(request.query_params).errors)
        else:
            period = default_period(dt.date.today())
        result, suppressed = figures(request.user, period)
        return Response({**result, "suppressed": suppressed})
