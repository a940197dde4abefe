"""Coordination pages: thin — parse, ask access, call services or figures, render."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sira.coordination import access, catalogue, figures, importer, rules, services
from sira.coordination.forms import (
    ActorForm,
    CloseDecisionForm,
    DecisionForm,
    DirectoryFilter,
    InspectionForm,
    MeetingForm,
    PlanImportForm,
    ProjectForm,
    ReportForm,
    apply_errors,
)
from sira.coordination.models import Activity, Actor, Decision, Meeting, Plan
from sira.core.spreadsheet import safe_cell
from sira.referrals.access import visible_referrals


def _see_other(url):
    response = redirect(url)
    response.status_code = 303
    return response


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


def _form_page(request, form, title, *, back, note="", submit=None):
    return render(
        request,
        "coordination/form.html",
        {
            "form": form,
            "forms": [form],
            "title": title,
            "back": back,
            "note": note,
            "submit": submit or _("Save"),
        },
    )


@login_required
@require_GET
def home(request):
    today = timezone.localdate()
    return render(
        request,
        "coordination/home.html",
        {
            "plans": Plan.objects.all(),
            "alerts": figures.alerts(as_of=today),
            "open_decisions": Decision.objects.filter(closed_on__isnull=True).select_related(
                "owner", "meeting"
            ),
            "today": today,
            "mine": access.reportable_activities(request.user).select_related("objective__plan")[:50],
            "secretariat": access.is_secretariat(request.user),
            "inspector": access.is_labour_inspector(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request):
    if not access.can_edit_plans(request.user):
        raise PermissionDenied
    form = PlanImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.import_plan(
                form.cleaned_data["file"], by=request.user, language=get_language() or "fr", request=request
            )
        except services.PlanRefused as refused:
            problems = [str(p) for p in refused.problems]
        else:
            messages.success(request, _("Plan imported."))
            return _see_other(reverse("coordination:plan", args=[plan.pk]))
    return render(
        request,
        "coordination/plan_import.html",
        {"form": form, "forms": [form], "problems": problems, "explain": importer.EXPLAIN},
    )


@login_required
@require_GET
def plan_template(request):
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    response = HttpResponse(
        importer.template(language),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="sira-plan-{language}.xlsx"'
    return response


@login_required
@require_GET
def plan_detail(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    today = timezone.localdate()
    activities = list(
        Activity.objects.filter(objective__plan=plan)
        .select_related("objective", "responsible", "region", "cercle")
        .prefetch_related("partners")
    )
    status = figures.activity_status(activities, today)
    axes = []
    for code in catalogue.codes("axes"):
        objectives = []
        for objective in plan.objectives.filter(axis=code).prefetch_related("indicators"):
            rows = [(a, status[a.pk]) for a in activities if a.objective_id == objective.pk]
            objectives.append({"objective": objective, "activities": rows})
        if objectives:
            axes.append({"code": code, "label": catalogue.label("axes", code), "objectives": objectives})
    year = _year(request)
    return render(
        request,
        "coordination/plan.html",
        {
            "plan": plan,
            "axes": axes,
            "year": year,
            "execution": figures.plan_execution(year, plan=plan),
            "states": {s: s for s in rules.STATES},
        },
    )


@login_required
@require_GET
def activity_detail(request, pk):
    activity = get_object_or_404(
        Activity.objects.select_related("objective__plan", "responsible", "region", "cercle"), pk=pk
    )
    status = figures.activity_status([activity], timezone.localdate())[activity.pk]
    return render(
        request,
        "coordination/activity.html",
        {
            "activity": activity,
            "status": status,
            "reports": activity.reports.select_related("organisation"),
            "can_report": access.can_report(request.user, activity),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_report(request, pk):
    activity = get_object_or_404(Activity.objects.select_related("objective__plan", "responsible"), pk=pk)
    if not access.can_report(request.user, activity):
        raise PermissionDenied
    form = ReportForm(request.POST or None, kind=activity.kind, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.report_activity(activity, by=request.user, data=form.cleaned_data, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Report recorded."))
            return _see_other(reverse("coordination:activity", args=[activity.pk]))
    return render(
        request, "coordination/report_form.html", {"form": form, "forms": [form], "activity": activity}
    )


@login_required
@require_GET
def meetings(request):
    year = _year(request)
    return render(
        request,
        "coordination/meetings.html",
        {
            "meetings": Meeting.objects.prefetch_related("attendance__member"),
            "rates": figures.attendance_rates(year),
            "year": year,
            "open_decisions": Decision.objects.filter(closed_on__isnull=True).select_related(
                "owner", "meeting"
            ),
            "today": timezone.localdate(),
            "secretariat": access.is_secretariat(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    if not access.can_edit_meetings(request.user):
        raise PermissionDenied
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        present = list(data["present"])
        absent = [m for m in Actor.objects.filter(committee_member=True) if m not in present]
        try:
            meeting = services.record_meeting(
                by=request.user,
                date=data["date"],
                title=data["title"],
                place=data["place"],
                minutes=data["minutes"],
                present=present,
                absent=absent,
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Meeting recorded."))
            return _see_other(reverse("coordination:meeting", args=[meeting.pk]))
    return _form_page(request, form, _("Record a committee meeting"), back=reverse("coordination:meetings"))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not access.can_edit_meetings(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_decision(meeting, by=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                return _see_other(reverse("coordination:meeting", args=[meeting.pk]))
    return render(
        request,
        "coordination/meeting.html",
        {
            "meeting": meeting,
            "attendance": meeting.attendance.select_related("member"),
            "decisions": meeting.decisions.select_related("owner"),
            "form": form,
            "forms": [form],
            "secretariat": access.is_secretariat(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def decision_close(request, pk):
    decision = get_object_or_404(Decision.objects.select_related("owner"), pk=pk)
    if not access.can_close_decision(request.user, decision):
        raise PermissionDenied
    form = CloseDecisionForm(request.POST)
    try:
        services.close_decision(
            decision, by=request.user, note=form.data.get("note", "")[:500], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision closed."))
    return _see_other(reverse("coordination:meeting", args=[decision.meeting_id]))


@login_required
@require_GET
def directory(request):
    form = DirectoryFilter(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    region = params.get("region")
    projects = figures.projects(
        region=region.code if region else None,
        form=params.get("form") or None,
        axis=params.get("axis") or None,
    )
    actors = Actor.objects.select_related("region")
    if region:
        actors = actors.filter(region=region) | Actor.objects.filter(projects__regions=region)
    return render(
        request,
        "coordination/directory.html",
        {
            "filter": form,
            "projects": projects,
            "actors": actors.distinct(),
            "editor": access.can_edit_directory(request.user),
            "query": request.GET.urlencode(),
            "by_region": [
                r
                for r in figures.projects_by_region(
                    form=params.get("form") or None, axis=params.get("axis") or None
                )
                if r["projects"]
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def actor_new(request):
    if not access.can_edit_directory(request.user):
        raise PermissionDenied
    form = ActorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_actor(by=request.user, data=form.cleaned_data, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Actor added."))
            return _see_other(reverse("coordination:directory"))
    return _form_page(request, form, _("Add an actor"), back=reverse("coordination:directory"))


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    form = ProjectForm(request.POST or None)
    if not access.is_secretariat(request.user):
        mine = (
            Actor.objects.filter(organisation_id=request.user.organisation_id)
            if request.user.organisation_id
            else Actor.objects.none()
        )
        if not mine.exists():
            raise PermissionDenied
        form.fields["actor"].queryset = mine
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "budget": form.cleaned_data["budget"] or 0}
        data["forms"] = data.pop("exploitation_forms")
        try:
            services.save_project(by=request.user, data=data, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Project added."))
            return _see_other(reverse("coordination:directory"))
    return _form_page(request, form, _("Add a project"), back=reverse("coordination:directory"))


@login_required
@require_GET
def coordination_map(request):
    return render(request, "coordination/map.html", {"filter": DirectoryFilter(request.GET or None)})


@login_required
@require_GET
def map_geojson(request):
    """Projects and plan activities as points at their region's (or cercle's) centre, with what the
    committee needs in the popup: who, what, state, people reached. No person's data."""
    form = DirectoryFilter(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    region = params.get("region")
    features = []
    for p in figures.projects(
        region=region.code if region else None,
        form=params.get("form") or None,
        axis=params.get("axis") or None,
    ):
        for r in p.regions.all():
            if region and r != region:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [r.centroid_lon, r.centroid_lat]},
                    "properties": {
                        "layer": "project",
                        "title": p.title,
                        "actor": str(p.actor),
                        "region": str(r),
                        "budget": p.budget,
                    },
                }
            )
    activities = Activity.objects.select_related("region", "cercle", "responsible", "objective").filter(
        region__isnull=False
    )
    if region:
        activities = activities.filter(region=region)
    if params.get("axis"):
        activities = activities.filter(objective__axis=params["axis"])
    activities = list(activities)
    status = figures.activity_status(activities, timezone.localdate())
    labels = {
        rules.COMPLETED: _("completed"),
        rules.ON_TIME: _("on time"),
        rules.LATE: _("late"),
        rules.NOT_STARTED: _("not started"),
        rules.CANCELLED: _("cancelled"),
    }
    for a in activities:
        place = a.cercle or a.region
        report = status[a.pk]["report"]
        reached = (report.reached + report.participants_female + report.participants_male) if report else 0
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.centroid_lon, place.centroid_lat]},
                "properties": {
                    "layer": "activity",
                    "id": a.pk,
                    "title": f"{a.code} {a.title}",
                    "actor": str(a.responsible or "—"),
                    "region": str(a.region),
                    "state": status[a.pk]["state"],
                    "state_label": labels[status[a.pk]["state"]],
                    "reached": reached,
                    "url": reverse("coordination:activity", args=[a.pk]),
                },
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
    )


@login_required
@require_GET
def inspections(request):
    year = _year(request)
    years = [year - 2, year - 1, year]
    return render(
        request,
        "coordination/inspections.html",
        {
            "records": access.inspections.visible(request.user).select_related("cercle")[:100],
            "table": _inspection_rows(years),
            "years": years,
            "by_sector": figures.inspections_by_sector(year),
            "year": year,
            "inspector": access.is_labour_inspector(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    if not access.is_labour_inspector(request.user):
        raise PermissionDenied
    form = InspectionForm(
        request.POST or None,
        referrals=visible_referrals(request.user),
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_inspection(by=request.user, data=form.cleaned_data, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Inspection recorded."))
            return _see_other(reverse("coordination:inspections"))
    return _form_page(
        request,
        form,
        _("Record a labour inspection"),
        back=reverse("coordination:inspections"),
        note=_("Figures only: no child's name here."),
    )


def _inspection_rows(years):
    labels = figures.inspection_labels()
    return [
        {"label": labels[r["key"]], "values": [r[str(y)] for y in years], **r}
        for r in figures.inspection_table(years)
    ]


TABLES = (
    "execution_axis",
    "execution_region",
    "training_audience",
    "training_topic",
    "awareness_channel",
    "awareness_language",
    "inspections",
    "attendance",
    "projects_region",
)


def _tables(year, region):
    return {
        "execution_axis": figures.plan_execution(year, region),
        "execution_region": figures.plan_execution(year, by="region"),
        "training_audience": figures.training_reach(year, region),
        "training_topic": figures.training_reach(year, region, by="topic"),
        "awareness_channel": figures.awareness_reach(year, region),
        "awareness_language": figures.awareness_reach(year, region, by="language"),
        "inspections": figures.inspection_table([year - 1, year], region),
        "attendance": figures.attendance_rates(year),
        "projects_region": figures.projects_by_region(year),
    }


@login_required
@require_GET
def monitoring(request):
    year = _year(request)
    region = request.GET.get("region", "")
    from sira.geo.models import Region

    region = region if Region.objects.filter(pk=region).exists() else None
    tables = _tables(year, region)
    table = request.GET.get("csv")
    if table in TABLES:
        rows = tables[table]
        if table == "inspections":
            labels = figures.inspection_labels()
            rows = [{"indicator": labels[r["key"]], **r} for r in rows]
        out = io.StringIO()
        fields = list(rows[0].keys()) if rows else ["key"]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: safe_cell(v if v is not None else "") for k, v in r.items()})
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="sira-{table}-{year}.csv"'
        return response
    inspection_years = [year - 1, year]
    return render(
        request,
        "coordination/monitoring.html",
        {
            "year": year,
            "region": region or "",
            "regions": Region.objects.all(),
            "t": tables,
            "inspection_rows": _inspection_rows(inspection_years),
            "inspection_years": inspection_years,
        },
    )
