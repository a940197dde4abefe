from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from sira.accounts.access import can_register_cases, sees_aggregates
from sira.cases import access
from sira.coordination import catalogue as coordination_catalogue
from sira.coordination import figures as coordination_figures
from sira.core.db import statistics_reads
from sira.geo.models import Cercle, Region
from sira.statistics import dashboard as panels_
from sira.statistics import layer, mapping, national
from sira.statistics import referral_figures as referral_stats


@login_required
@require_GET
def dashboard(request):
    """Each role's home: its own cases' figures, and for the national roles the suppressed national
    aggregates."""
    user = request.user
    context = {"can_register": can_register_cases(user), "aggregates": None}
    if sees_aggregates(user):
        with statistics_reads():  # from the replica when there is one (sira/core/db.py)
            context["aggregates"] = national.national_summary()
    cases = access.visible_cases(user)
    context["status_counts"] = national.by_status(cases)
    context["access_flags"] = access.visible_flags(user).filter(verdict="").count()
    context["referrals"] = referral_stats.dashboard_counts(user)
    context["recent"] = cases.select_related("identification_region").prefetch_related("exploitations")[:10]
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_GET
def referral_figures(request):
    """Coordination figures of the referral mechanism (suppressed below the threshold)."""
    return render(request, "referrals/figures.html", {"figures": referral_stats.figures(request.user)})


def _region_or_404(code):
    try:
        return Region.objects.get(pk=code)
    except Region.DoesNotExist:
        raise Http404 from None


def _overview(request, region=None):
    form = panels_.FilterForm(request.GET or None, region_fixed=region.pk if region else None)
    filters = form.filters() if request.GET else {}
    if region is not None:
        filters["region"] = region.pk
    with statistics_reads():
        items = panels_.panels(request.user, filters, region_page=region is not None)
        total = layer.run(layer.Query(filters=panels_.applicable("victims", filters)[0]), request.user)
    sections = [
        (key, title, [item for item in items if item["panel"].section == key])
        for key, title in panels_.SECTIONS.items()
    ]
    return render(
        request,
        "statistics/overview.html",
        {
            "form": form,
            "region": region,
            "regions": Region.objects.all(),
            "sections": sections,
            "total": total,
            "query_string": request.GET.urlencode(),
            "last_refresh": layer.last_refresh(),
        },
    )


@login_required
@require_GET
def overview(request):
    """The national statistics: every panel, filtered; hidden cells "<5" for users without record
    access (layer.has_record_access)."""
    return _overview(request)


@login_required
@require_GET
def region_overview(request, code):
    """One region's statistics: the same panels, places by cercle."""
    return _overview(request, _region_or_404(code))


@login_required
@require_GET
def panel_csv(request, key):
    """One panel's figures as CSV, as suppressed as on the page."""
    panel = panels_.PANEL_BY_KEY.get(key)
    if panel is None:
        raise Http404
    region = request.GET.get("region_page")
    region = _region_or_404(region) if region else None
    form = panels_.FilterForm(request.GET or None, region_fixed=region.pk if region else None)
    filters = form.filters() if request.GET else {}
    if region is not None:
        filters["region"] = region.pk
    table = layer.run(panels_.panel_query(panel, filters, region_page=region is not None), request.user)
    response = HttpResponse(table.as_csv(get_language()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sira-{key}.csv"'
    return response


@gzip_page
@login_required
@require_GET
def map_page(request):
    """A choropleth of Mali by region or cercle for a measure and a kind of place."""
    measure = request.GET.get("measure", "victims")
    place = request.GET.get("place", "region")
    level = request.GET.get("level", "region")
    if (
        measure not in panels_.MAP_MEASURES
        or place not in panels_.MAP_PLACES
        or level not in ("region", "cercle")
    ):
        measure, place, level = "victims", "region", "region"
    if measure != "victims":
        place, level = "region", "region"
    form = panels_.FilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    filters.pop("region", None)
    query = panels_.map_query(measure, place, level, filters)
    with statistics_reads():
        table = layer.run(query, request.user)
    figures = {row.key[0]: row.value for row in table.rows}
    if level == "region":
        names = {r.pk: str(r) for r in Region.objects.all()}
    else:
        names = dict(Cercle.objects.values_list("code", "name_fr"))
    mapped = {code: figures.get(code, 0) for code in names}
    # Who does what where (issue 14): the coordination projects on the same regions, by form and axis.
    axis = request.GET.get("axis", "")
    axis = axis if axis in coordination_catalogue.codes("axes") else ""
    show_projects = level == "region" and request.GET.get("projects", "1") != "0"
    projects = (
        [
            r
            for r in coordination_figures.projects_by_region(
                filters.get("year"), form=filters.get("form") or None, axis=axis or None
            )
            if r["projects"]
        ]
        if show_projects
        else []
    )
    rows = [(names[code], value) for code, value in mapped.items()]
    if "" in figures:  # place not recorded: in the table, not on the map
        rows.append((str(layer.UNKNOWN), figures[""]))
    return render(
        request,
        "statistics/map.html",
        {
            "form": form,
            "svg": mapping.choropleth(
                level, mapped, names, table.threshold, {r["key"]: r["projects"] for r in projects}
            ),
            "projects": projects,
            "show_projects": show_projects,
            "axis": axis,
            "axes": [
                (c, coordination_catalogue.label("axes", c)) for c in coordination_catalogue.codes("axes")
            ],
            "legend": mapping.legend(mapped),
            "table": table,
            "rows": rows,
            "measure": measure,
            "place": place,
            "level": level,
            "measures": [(k, v) for k, v in layer.MEASURES.items()],
            "places": [(k, v[0]) for k, v in panels_.MAP_PLACES.items()],
            "query_string": request.GET.urlencode(),
        },
    )


def table_json(table: layer.Table) -> dict:
    return {
        "measure": table.query.measure,
        "by": list(table.query.by),
        "filters": table.query.filters,
        "suppressed": table.suppressed,
        "threshold": table.threshold,
        "total": table.total,
        "rows": [
            {
                "key": [list(k) if isinstance(k, tuple) else k for k in r.key],
                "labels": list(r.labels),
                "value": r.value,
            }
            for r in table.rows
        ],
    }


class StatisticsQueryView(APIView):
    """Any figure of the statistics layer: ?measure=victims&by=sex,age_group&year=2025&region=ML01.
    Values are null where hidden (fewer than the threshold, or hidden so that none can be derived)
    unless the user has record access for the whole query."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="statistics_query",
        parameters=[
            OpenApiParameter("measure", OpenApiTypes.STR, description="victims, screenings or referrals"),
            OpenApiParameter("by", OpenApiTypes.STR, description="up to two dimensions, comma-separated"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: None},
    )
    def get(self, request):
        params = request.query_params
        by = tuple(d for d in params.get("by", "").split(",") if d)
        filters, errors = {}, {}
        for name, value in params.items():
            if name in ("measure", "by", "format", "lang"):
                continue
            if name in layer.PERIODS:
                if not value.isdigit() or not 0 < int(value) < 10_000:
                    errors[name] = _("Give a whole number.")
                    continue
                value = int(value)
            filters[name] = value
        if errors:
            raise ValidationError(errors)
        try:
            query = layer.Query(measure=params.get("measure", "victims"), by=by, filters=filters)
        except layer.QueryError as error:
            raise ValidationError({"detail": str(error)}) from None
        with statistics_reads():
            return Response(table_json(layer.run(query, request.user)))


class StatisticsPanelView(APIView):
    """One dashboard panel's figures (the same filters as the page: year, quarter, region, sex,
    age_group, form)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="statistics_panel", responses={200: OpenApiTypes.OBJECT, 400: None, 404: None}
    )
    def get(self, request, key):
        panel = panels_.PANEL_BY_KEY.get(key)
        if panel is None:
            raise NotFound(_("No such figure."))
        form = panels_.FilterForm(request.query_params or None)
        if request.query_params and not form.is_valid():
            raise ValidationError(form.errors)
        filters = form.filters() if request.query_params else {}
        with statistics_reads():
            return Response(table_json(layer.run(panels_.panel_query(panel, filters), request.user)))
