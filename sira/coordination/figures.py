"""The monitoring figures of coordination, as rows (lists of dicts with stable keys): plan execution,
training and awareness reach, the labour-inspection table, attendance, projects by region. Pages,
CSV and (after the merge) the statistics layer and annual report read these; none of them counts a
case or a person's record, so they need no disclosure control of their own."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sira.coordination import catalogue, rules
from sira.coordination.models import Activity, ActivityReport, Actor, Attendance, Inspection, Meeting, Project
from sira.geo.models import Region


def _as_of(year: int | None, as_of: dt.date | None) -> dt.date:
    today = as_of or timezone.localdate()
    return min(today, dt.date(year, 12, 31)) if year else today


def activity_status(activities, as_of: dt.date) -> dict[int, dict]:
    """For each activity: its state on `as_of`, its latest report (as of that date) and the last date
    it was reported on."""
    latest: dict[int, ActivityReport] = {}
    reports = ActivityReport.objects.filter(
        activity__in=[a.pk for a in activities], as_of__lte=as_of
    ).order_by("as_of", "id")
    for report in reports:
        latest[report.activity_id] = report
    out = {}
    for a in activities:
        report = latest.get(a.pk)
        state = rules.activity_state(a.planned_start, a.planned_end, report.status if report else None, as_of)
        out[a.pk] = {"state": state, "report": report, "last_report": report.as_of if report else None}
    return out


def _activities(year=None, region=None, plan=None):
    qs = Activity.objects.select_related("objective", "region", "responsible")
    if plan is not None:
        qs = qs.filter(objective__plan=plan)
    if region:
        qs = qs.filter(region_id=region)
    if year:
        first, last = rules.year_bounds(year)
        qs = qs.filter(planned_start__lte=last, planned_end__gte=first)
    return list(qs)


def plan_execution(
    year: int | None = None,
    region: str | None = None,
    *,
    plan=None,
    by: str = "axis",
    as_of: dt.date | None = None,
) -> list[dict]:
    """Activities planned to run in `year` (any year if None), grouped by axis or by region: how many
    completed, on time, late, not started, cancelled; budget planned and spent to date (CFA francs;
    spent is each activity's latest reported amount). The last row, key "total", sums them."""
    when = _as_of(year, as_of)
    activities = _activities(year, region, plan)
    status = activity_status(activities, when)
    groups: dict[str, dict] = {}

    def row(key, label):
        return groups.setdefault(
            key,
            {
                "key": key,
                "label": label,
                "activities": 0,
                **{s: 0 for s in rules.STATES},
                "budget": 0,
                "spent": 0,
            },
        )

    if by == "axis":
        for code in catalogue.codes("axes"):
            row(code, catalogue.label("axes", code))
    for a in activities:
        if by == "axis":
            key, label = a.objective.axis, catalogue.label("axes", a.objective.axis)
        else:
            key, label = (a.region_id or "", str(a.region) if a.region else "—")
        r = row(key, label)
        s = status[a.pk]
        r["activities"] += 1
        r[s["state"]] += 1
        r["budget"] += a.budget
        r["spent"] += s["report"].amount_spent if s["report"] else 0
    rows = (
        sorted(groups.values(), key=lambda r: (by != "axis", r["key"]))
        if by != "axis"
        else list(groups.values())
    )
    total = {
        "key": "total",
        "label": "",
        "activities": 0,
        **{s: 0 for s in rules.STATES},
        "budget": 0,
        "spent": 0,
    }
    for r in rows:
        for k in ("activities", *rules.STATES, "budget", "spent"):
            total[k] += r[k]
    for r in [*rows, total]:
        r["spent_rate"] = rules.rate(r["spent"], r["budget"])
        r["on_schedule_rate"] = rules.rate(r["completed"] + r["on_time"], r["activities"] - r["cancelled"])
    return [*rows, total]


def alerts(*, plan=None, as_of: dt.date | None = None) -> dict[str, list]:
    """What the committee must see: late activities, activities without a responsible, running
    activities with no report for a quarter (92 days)."""
    when = as_of or timezone.localdate()
    activities = _activities(plan=plan)
    status = activity_status(activities, when)
    late = [a for a in activities if status[a.pk]["state"] == rules.LATE]
    unowned = [a for a in activities if a.responsible_id is None]
    silent = [
        a
        for a in activities
        if rules.is_running(a.planned_start, status[a.pk]["state"], when)
        and rules.silent_for_a_quarter(status[a.pk]["last_report"], when)
    ]
    return {"late": late, "unowned": unowned, "silent": silent}


def _reports(year, region, kind):
    qs = ActivityReport.objects.filter(activity__kind=kind).exclude(status__in=["not_started", "cancelled"])
    if year:
        qs = qs.filter(as_of__year=year)
    if region:
        qs = qs.filter(activity__region_id=region)
    return qs


def training_reach(year: int | None = None, region: str | None = None, *, by: str = "audience") -> list[dict]:
    """Trainings reported, by audience type or by topic: reports, female and male participants.
    A training for several audiences (or topics) counts in each; the "total" row counts it once."""
    name, field = ("audience_types", "audience_types") if by == "audience" else ("topics", "topics")
    rows = {
        code: {"key": code, "label": catalogue.label(name, code), "trainings": 0, "female": 0, "male": 0}
        for code in catalogue.codes(name)
    }
    total = {"key": "total", "label": "", "trainings": 0, "female": 0, "male": 0}
    for report in _reports(year, region, "training"):
        for target in [rows[c] for c in getattr(report, field) if c in rows] + [total]:
            target["trainings"] += 1
            target["female"] += report.participants_female
            target["male"] += report.participants_male
    out = [*rows.values(), total]
    for r in out:
        r["participants"] = r["female"] + r["male"]
    return out


def awareness_reach(year: int | None = None, region: str | None = None, *, by: str = "channel") -> list[dict]:
    """Awareness campaigns reported, by channel (or by radio language): reports and people reached by
    sex and age group. A campaign on several channels counts in each; "total" counts it once."""
    name, field = ("channels", "channels") if by == "channel" else ("radio_languages", "radio_languages")
    people = ("girls", "boys", "women", "men")
    rows = {
        code: {"key": code, "label": catalogue.label(name, code), "campaigns": 0, **dict.fromkeys(people, 0)}
        for code in catalogue.codes(name)
    }
    total = {"key": "total", "label": "", "campaigns": 0, **dict.fromkeys(people, 0)}
    for report in _reports(year, region, "awareness"):
        for target in [rows[c] for c in getattr(report, field) if c in rows] + [total]:
            target["campaigns"] += 1
            for p in people:
                target[p] += getattr(report, p)
    out = [*rows.values(), total]
    for r in out:
        r["reached"] = sum(r[p] for p in people)
    return out


INSPECTION_ROWS = (
    "inspectors",
    "inspections",
    "at_worksite",
    "child_labour_violations",
    "penalties_imposed",
    "penalties_collected",
    "forced_labour_violations",
    "children_removed",
    "children_referred",
)


def inspection_labels() -> dict[str, str]:
    """The DOL table's line labels, in the active language (pages, CSV, annual report)."""
    return {
        "inspectors": _("Number of labour inspectors (who recorded an inspection)"),
        "inspections": _("Number of labour inspections conducted"),
        "at_worksite": _("Number conducted at worksite"),
        "child_labour_violations": _("Number of child labour violations found"),
        "penalties_imposed": _("Number of child labour violations for which penalties were imposed"),
        "penalties_collected": _("Number of child labour penalties imposed that were collected"),
        "forced_labour_violations": _("Number of forced labour violations found"),
        "children_removed": _("Number of children removed from work"),
        "children_referred": _("Number of children referred to services"),
    }


def inspection_figures(year: int, region: str | None = None) -> dict[str, int]:
    qs = Inspection.objects.filter(date__year=year)
    if region:
        qs = qs.filter(cercle__region_id=region)
    sums = qs.aggregate(
        inspections=Count("id"),
        inspectors=Count("inspector", distinct=True),
        at_worksite=Count("id", filter=Q(at_worksite=True)),
        child_labour_violations=Sum("child_labour_violations"),
        penalties_imposed=Sum("penalties_imposed"),
        penalties_collected=Sum("penalties_collected"),
        forced_labour_violations=Sum("forced_labour_violations"),
        children_removed=Sum("children_removed"),
        children_referred=Sum("children_referred"),
    )
    return {k: sums[k] or 0 for k in INSPECTION_ROWS}


def inspection_table(years: list[int], region: str | None = None) -> list[dict]:
    """The labour-law enforcement table of the child-labour report (US DOL), one row per line of the
    report and one column per year: {"key", str(year): value, ...}. Inspectors are those who recorded
    an inspection in the year."""
    by_year = {year: inspection_figures(year, region) for year in years}
    return [{"key": key, **{str(year): by_year[year][key] for year in years}} for key in INSPECTION_ROWS]


def inspections_by_sector(year: int, region: str | None = None) -> list[dict]:
    qs = Inspection.objects.filter(date__year=year)
    if region:
        qs = qs.filter(cercle__region_id=region)
    sums = {
        r["sector"]: r
        for r in qs.values("sector").annotate(
            inspections=Count("id"),
            child_labour_violations=Sum("child_labour_violations"),
            children_removed=Sum("children_removed"),
        )
    }
    return [
        {
            "key": code,
            "label": catalogue.label("sectors", code),
            "inspections": sums.get(code, {}).get("inspections", 0),
            "child_labour_violations": sums.get(code, {}).get("child_labour_violations") or 0,
            "children_removed": sums.get(code, {}).get("children_removed") or 0,
        }
        for code in catalogue.codes("sectors")
    ]


def attendance_rates(year: int) -> list[dict]:
    """Each committee member's attendance over the year's meetings: held, present, rate (%)."""
    held = Meeting.objects.filter(date__year=year).count()
    present = dict(
        Attendance.objects.filter(meeting__date__year=year, present=True)
        .values_list("member")
        .annotate(n=Count("id"))
    )
    members = Actor.objects.filter(Q(committee_member=True) | Q(pk__in=present.keys()))
    return [
        {
            "key": m.pk,
            "label": str(m),
            "name": m.name,
            "meetings": held,
            "present": present.get(m.pk, 0),
            "rate": rules.rate(present.get(m.pk, 0), held),
        }
        for m in members
    ]


def _projects(year=None, region=None, form=None, axis=None):
    qs = Project.objects.select_related("actor", "donor").prefetch_related("regions")
    if year:
        first, last = rules.year_bounds(year)
        qs = qs.filter(start__lte=last).filter(Q(end__isnull=True) | Q(end__gte=first))
    if region:
        qs = qs.filter(regions=region)
    projects = list(qs.distinct())
    if form:
        projects = [p for p in projects if form in p.forms]
    if axis:
        projects = [p for p in projects if axis in p.axes]
    return projects


def projects(year=None, region=None, form=None, axis=None) -> list[Project]:
    return _projects(year, region, form, axis)


def projects_by_region(
    year: int | None = None, *, form: str | None = None, axis: str | None = None
) -> list[dict]:
    """Per region (COD 2015 code): projects running there, distinct actors, their budget (a project in
    several regions counts whole in each), and the activities of plans located there."""
    rows = {
        r.code: {"key": r.code, "label": str(r), "projects": 0, "actors": set(), "budget": 0}
        for r in Region.objects.all()
    }
    for p in _projects(year, None, form, axis):
        for region in p.regions.all():
            row = rows[region.code]
            row["projects"] += 1
            row["actors"].add(p.actor_id)
            row["budget"] += p.budget
    out = []
    for row in rows.values():
        out.append({**row, "actors": len(row["actors"])})
    return out


def activities_by_region(year: int | None = None, *, as_of: dt.date | None = None) -> list[dict]:
    """Per region: activities of the plans, their states, and people reached by what was reported."""
    when = _as_of(year, as_of)
    activities = [a for a in _activities(year) if a.region_id]
    status = activity_status(activities, when)
    reached = defaultdict(int)
    reports = ActivityReport.objects.filter(activity__in=[a.pk for a in activities], as_of__lte=when)
    for report in reports.select_related("activity"):
        reached[report.activity.region_id] += (
            report.reached + report.participants_female + report.participants_male
        )
    rows = {}
    for a in activities:
        row = rows.setdefault(
            a.region_id,
            {"key": a.region_id, "label": str(a.region), "activities": 0, **{s: 0 for s in rules.STATES}},
        )
        row["activities"] += 1
        row[status[a.pk]["state"]] += 1
    for key, row in rows.items():
        row["reached"] = reached[key]
    return sorted(rows.values(), key=lambda r: r["key"])
