"""Pages of the referral mechanism: thin — parse, ask access, call services, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sira.cases import access as case_access
from sira.cases.forms import apply_service_errors
from sira.geo.loaders import DATA as GEO_DATA
from sira.referrals import access, catalogue, rules, services
from sira.referrals.forms import (
    AcceptForm,
    CapacityForm,
    CompleteForm,
    DeclineForm,
    DirectorySearchForm,
    SendForm,
    ServiceChoiceForm,
    TaskForm,
)
from sira.referrals.models import FollowUpTask, Notification, ServiceOffering

PAGE_SIZE = 25


def _see_other(url):
    response = redirect(url)
    response.status_code = 303
    return response


# ---------------------------------------------------------------------------------------------------
# Directory and map


def directory_queryset(params: dict):
    offerings = ServiceOffering.objects.filter(active=True).select_related("organisation", "region", "cercle")
    if params.get("q"):
        q = params["q"]
        offerings = offerings.filter(
            Q(name__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(organisation__acronym__icontains=q)
            | Q(cercle__name_fr__icontains=q)
            | Q(region__name_fr__icontains=q)
        )
    if params.get("service"):
        offerings = offerings.filter(service=params["service"])
    if params.get("region"):
        offerings = offerings.filter(region=params["region"])
    if params.get("free"):
        offerings = offerings.filter(
            Q(capacity_total__isnull=True) | Q(capacity_in_use__lt=F("capacity_total"))
        )
    rows = list(offerings)
    gender, age = params.get("gender"), params.get("age")
    if gender or age is not None:
        person = rules.Person(gender=gender or "", age=age, nationalities=(), forms=(), region=None)
        rows = [
            o
            for o in rows
            if not [
                r
                for r in rules.ineligibility(services._offer(o), person)
                if r in (("sex",) if gender else ()) + (("age",) if age is not None else ())
            ]
        ]
    return rows


@login_required
@require_GET
def directory(request):
    form = DirectorySearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    page = Paginator(directory_queryset(params), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/directory.html",
        {"form": form, "page": page, "query": query.urlencode(), "mine": request.user.organisation_id},
    )


@login_required
@require_http_methods(["GET", "POST"])
def offering_places(request, pk):
    offering = get_object_or_404(ServiceOffering.objects.select_related("organisation"), pk=pk)
    if not access.can_manage_offering(request.user, offering):
        raise PermissionDenied
    form = CapacityForm(
        request.POST or None,
        initial={"capacity_total": offering.capacity_total, "capacity_in_use": offering.capacity_in_use},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_capacity(
                offering,
                by=request.user,
                total=form.cleaned_data["capacity_total"],
                in_use=form.cleaned_data["capacity_in_use"],
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(error, {"places": form})
        else:
            messages.success(request, _("Places updated."))
            return _see_other(reverse("referrals:directory") + f"?q={offering.organisation.acronym}")
    return render(request, "referrals/places.html", {"offering": offering, "form": form, "forms": [form]})


@login_required
@require_GET
def service_map(request):
    return render(request, "referrals/map.html", {"services": catalogue.service_choices()})


@login_required
@require_GET
@cache_control(max_age=86400, private=True)
def boundaries(request):
    """Mali's regions as shipped with the app (sira/geo/data): the map needs no tile server."""
    return HttpResponse((GEO_DATA / "mali_adm1.geojson").read_bytes(), content_type="application/geo+json")


def offering_feature(o: ServiceOffering) -> dict:
    lat, lon = (
        (o.latitude, o.longitude)
        if o.latitude is not None
        else (o.region.centroid_lat, o.region.centroid_lon)
    )
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": o.pk,
            "name": o.name,
            "provider": str(o.organisation),
            "service": o.service,
            "service_label": o.get_service_display(),
            "region": str(o.region),
            "hours": o.hours,
            "contact": o.contact,
            "free": o.free_places,
            "total": o.capacity_total,
        },
    }


@login_required
@require_GET
def services_geojson(request):
    form = DirectorySearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    features = [offering_feature(o) for o in directory_queryset(params)]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
    )


# ---------------------------------------------------------------------------------------------------
# Referring a case


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request, case_pk):
    """Choose the service → Sira suggests providers → pick one → preview the packet → send."""
    case = case_access.get_case_for_user(request.user, case_pk)
    if not access.can_refer(request.user, case):
        raise PermissionDenied
    choice = ServiceChoiceForm(request.GET or None)
    service = pathway = ""
    if choice.is_valid():
        service, pathway = choice.cleaned_data["service"], choice.cleaned_data["pathway"]
        if pathway:
            service = catalogue.pathways()[pathway]["service"]
    context = {"case": case, "choice": choice, "service": service, "pathway": pathway}
    offering = None
    if service and request.GET.get("offering", "").isdigit():
        offering = (
            ServiceOffering.objects.filter(pk=request.GET["offering"], service=service)
            .select_related("organisation", "region")
            .first()
        )
        if offering is None:
            raise Http404
    if service and offering is None:
        context["suggestions"] = services.suggestions(case, service)
        context["places"] = catalogue.service_types()[service].get("places")
        return render(request, "referrals/new.html", context)
    if offering is None:
        return render(request, "referrals/new.html", context)
    form = SendForm(
        request.POST or None, initial={"shared_fields": services.default_packet(service, pathway)}
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        args = {
            "offering": offering,
            "service": service,
            "shared_fields": data["shared_fields"],
            "urgent": data["urgent"],
            "urgent_reason": data["urgent_reason"],
            "pathway": pathway,
        }
        if "send" in request.POST:
            try:
                referral = services.send_referral(
                    case, by=request.user, message=data["message"], request=request, **args
                )
            except ValidationError as error:
                apply_service_errors(error, {"send": form})
            else:
                messages.success(request, _("Referral %(ref)s sent.") % {"ref": referral.reference})
                return _see_other(reverse("referrals:detail", args=[referral.pk]))
        else:
            errors = services.send_errors(case, by=request.user, **args)
            if errors:
                apply_service_errors(ValidationError({k: [v] for k, v in errors.items()}), {"send": form})
            else:
                # The sender reads its own case: the preview shows exactly what would be shared.
                preview = services.packet(case, data["shared_fields"])
    basis = services.case_services.sharing_basis(case, offering.organisation_id)
    context |= {
        "offering": offering,
        "form": form,
        "forms": [form],
        "preview": preview,
        "consented": basis is not None,
    }
    return render(request, "referrals/new.html", context)


# ---------------------------------------------------------------------------------------------------
# A referral, its actions, the intake queue and the sent list


@login_required
@require_GET
def referral_detail(request, pk):
    referral = access.get_referral_for_user(request.user, pk)
    side = access.side(request.user, referral)
    now = timezone.now()
    context = {
        "referral": referral,
        "side": side,
        "actions": rules.allowed_actions(referral.state, side) if side else [],
        "packet": services.read_packet(referral, by=request.user, request=request),
        "shared_labels": [rules.PACKET_FIELDS[f] for f in referral.shared_fields if f in rules.PACKET_FIELDS],
        "overdue": rules.is_overdue(state=referral.state, due_at=referral.due_at, now=now),
        "tasks": referral.tasks.all(),
        "today": timezone.localdate(),
        "open": referral.state in rules.OPEN_STATES,
        "pathway_label": catalogue.pathway_label(referral.pathway),
        "accept_form": AcceptForm(
            organisation_id=referral.receiver_id, prefix="accept", initial={"case_worker": request.user.pk}
        ),
        "decline_form": DeclineForm(prefix="decline"),
        "complete_form": CompleteForm(prefix="complete"),
        "task_form": TaskForm(prefix="task"),
        "can_see_case": side == rules.SENDER,
    }
    return render(request, "referrals/detail.html", context)


ACTION_FORMS = {"accept": AcceptForm, "decline": DeclineForm, "complete": CompleteForm}
ACTION_DONE = {
    "accept": gettext_lazy("Referral accepted."),
    "decline": gettext_lazy("Referral declined."),
    "start": gettext_lazy("Service started."),
    "complete": gettext_lazy("Service completed: recorded on the case."),
    "withdraw": gettext_lazy("Referral withdrawn."),
}


def action_arguments(action: str, data: dict) -> dict:
    if action == "accept":
        return {"case_worker": data.get("case_worker")}
    if action == "decline":
        return {"reason": data.get("decline_reason", ""), "note": data.get("decline_note", "")}
    if action == "complete":
        return {"note": data.get("note", "")}
    return {}


@login_required
@require_POST
def referral_action(request, pk, action):
    referral = access.get_referral_for_user(request.user, pk)
    if action not in rules.TRANSITIONS:
        raise Http404
    data = {}
    if action in ACTION_FORMS:
        kwargs = {"organisation_id": referral.receiver_id} if action == "accept" else {}
        form = ACTION_FORMS[action](request.POST, prefix=action, **kwargs)
        form.is_valid()
        data = form.cleaned_data
    try:
        services.TRANSITION_SERVICES[action](
            referral, by=request.user, request=request, **action_arguments(action, data)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(ACTION_DONE[action]))
    return _see_other(reverse("referrals:detail", args=[referral.pk]))


@login_required
@require_POST
def task_add(request, pk):
    referral = access.get_referral_for_user(request.user, pk)
    form = TaskForm(request.POST, prefix="task")
    if form.is_valid():
        try:
            services.add_task(referral, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Follow-up planned."))
    else:
        messages.error(request, _("Give the kind of follow-up and its due date."))
    return _see_other(reverse("referrals:detail", args=[referral.pk]))


@login_required
@require_POST
def task_done(request, pk, task_pk):
    referral = access.get_referral_for_user(request.user, pk)
    task = get_object_or_404(FollowUpTask, pk=task_pk, referral=referral)
    try:
        services.complete_task(task, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _see_other(reverse("referrals:detail", args=[referral.pk]))


@login_required
@require_GET
def referral_list(request, box):
    """The intake queue (referrals received) or the referrals sent, overdue first flagged."""
    user = request.user
    referrals = access.visible_referrals(user).select_related("receiver", "sender", "region", "case_worker")
    if box == "incoming":
        referrals = referrals.filter(receiver_id=user.organisation_id)
    elif box == "sent":
        referrals = referrals.filter(sender_id=user.organisation_id)
    elif box == "review" and access.reviews_access(user):
        referrals = referrals.filter(Q(needs_review=True) | Q(escalated_at__isnull=False))
    else:
        raise Http404
    state = request.GET.get("state", "")
    if state == "open":
        referrals = referrals.filter(state__in=[rules.SENT, *rules.OPEN_STATES])
    elif state in rules.STATES:
        referrals = referrals.filter(state=state)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for r in page:
        r.is_overdue = rules.is_overdue(state=r.state, due_at=r.due_at, now=now)
    return render(
        request,
        "referrals/list.html",
        {"page": page, "box": box, "state": state, "states": rules.STATE_LABELS},
    )


# ---------------------------------------------------------------------------------------------------
# Notifications


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        services.mark_read(request.user)
        return _see_other(reverse("referrals:notifications"))
    page = Paginator(Notification.objects.filter(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/notifications.html", {"page": page})


def unread_count(request) -> dict:
    """Context processor: the notices badge in the menu (one indexed count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
