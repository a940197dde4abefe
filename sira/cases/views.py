from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sira.accounts.access import (
    can_break_glass,
    can_register_cases,
    offers_break_glass,
    reviews_access,
    sees_aggregates,
)
from sira.audit.services import timeline
from sira.cases import access, export, panels, search, services
from sira.cases.filters import CaseListFilter, filter_fields_html
from sira.cases.forms import (
    AccessReviewForm,
    AssistanceForm,
    CaseEditForm,
    CaseRegistration,
    ClosureForm,
    ConsentRecordForm,
    EmergencyAccessForm,
    ErasureForm,
    GoalForm,
    NoteForm,
    PersonForm,
    RouteStopForm,
    ShareForm,
    SingleExploitationForm,
    WithdrawConsentForm,
    apply_service_errors,
    confirmed_warnings,
)
from sira.cases.models import EXPLOITATION_FIELDS, Case, CaseGoal, CaseGrant, Consent, Exploitation, RouteStop
from sira.core.vocab import label

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request):
    # A search is sent by POST and followed by a URL carrying a token, never the name (sira.cases.search).
    if request.method == "POST" or request.GET.get(search.SEARCH):
        params = request.POST if request.method == "POST" else request.GET
        return redirect_with(reverse("cases:list"), search.tokenised(params, request.user))
    params, expired = search.resolve(request.GET, request.user)
    if expired:
        messages.info(request, _("That search has expired: type it again."))
    cases = search.for_list(access.visible_cases(request.user))
    filterset = CaseListFilter(params, queryset=cases)
    page = search.paginate(
        filterset.qs,
        text=params.get(search.SEARCH, ""),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    rows = search.read_list_names(page.rows, by=request.user, request=request)
    query = request.GET.copy()
    for name in search.PAGING:
        query.pop(name, None)
    if expired:
        query.pop(search.TOKEN, None)
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": filterset,
            "filter_fields": filter_fields_html(filterset.form, get_language() or "fr"),
            "page": page,
            "rows": rows,
            "show_names": search.shows_names_on_list(request.user),
            "filtered": any(v for k, v in query.items() if k != search.TOKEN),
            "query": query.urlencode(),
            "can_register": can_register_cases(request.user),
            "can_break_glass": offers_break_glass(request.user),
            # National figures only: say so instead of an empty list (and an export of headers only).
            "aggregate_only": sees_aggregates(request.user) and not cases.exists(),
        },
    )


def redirect_with(url: str, params: dict):
    """303 to `url` with `params` in its query string (the next request is a GET)."""
    response = redirect(f"{url}?{urlencode(params)}" if params else url)
    response.status_code = 303
    return response


def registration_page(request, *, initial=None, register=None, context=None):
    """The guided registration, shared by a new case and a screening promoted into one. `register`
    is the service call that writes (services.register_case by default)."""
    if not can_register_cases(request.user):
        raise PermissionDenied
    register = register or services.register_case
    registration = CaseRegistration(request.POST or None, initial=initial)
    if request.method == "POST" and registration.is_valid():
        try:
            case = register(
                by=request.user,
                request=request,
                confirmed_warnings=registration.confirmed(),
                **registration.service_input(),
            )
        except services.NeedsConfirmation as pending:
            registration.warnings = pending.warnings
        except ValidationError as error:
            apply_service_errors(error, registration.targets())
        else:
            messages.success(request, _("Case %(number)s registered.") % {"number": case.case_number})
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"registration": registration, "forms": registration.forms(), **(context or {})},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    return registration_page(request)


@login_required
@require_GET
def case_detail(request, pk):
    case = access.get_case_for_user(request.user, pk)
    person = services.read_identity(case, by=request.user, request=request)
    can_edit = access.can(request.user, case, access.CHANGE)
    consents = [
        {"purpose": purpose, "label": label("consent_purpose", purpose), "consent": consent}
        for purpose, consent in services.current_consents(case).items()
    ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "person": person,
            "exploitations": case.exploitations.all(),
            "route": case.route.select_related("region", "cercle"),
            "consents": consents,
            "events": timeline(case)[:50],
            "panels": panels.render_panels(request, case, can_edit=can_edit),
            "can_edit": can_edit,
            "emergency": None if can_edit else access.emergency_grant(request.user, case),
            "can_erase": can_edit and access.can_erase(request.user, case),
        },
    )


def _save_or_warn(request, call, targets):
    """Run a service write; on errors put them on the forms, on warnings return them to confirm, on
    a conflict (someone saved the record after the page was opened) return it to show."""
    try:
        return call(confirmed_warnings(request.POST)), [], None
    except services.NeedsConfirmation as pending:
        return None, pending.warnings, None
    except services.EditConflict as conflict:
        return None, [], conflict
    except ValidationError as error:
        apply_service_errors(error, targets)
        return None, [], None


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    data = request.POST or None
    person_form = PersonForm(data, instance=case.person, prefix="person")
    person_form.track_version(case.person.version)
    case_form = CaseEditForm(data, instance=case, prefix="case")
    case_form.track_version(case.version)
    warnings, conflict = [], None
    valid = request.method == "POST" and all([person_form.is_valid(), case_form.is_valid()])
    if request.method == "POST" and not valid:
        # Rules on what parsed too, so the worker sees every error in one round.
        errors = services.edit_errors(
            case,
            person={k: v for k, v in getattr(person_form, "cleaned_data", {}).items() if k != "version"},
            case_fields={k: v for k, v in getattr(case_form, "cleaned_data", {}).items() if k != "version"},
        )
        if errors:
            apply_service_errors(
                ValidationError({k: [v] for k, v in errors.items()}),
                {"person": person_form, "case": case_form},
            )
    if valid:
        changed, warnings, conflict = _save_or_warn(
            request,
            lambda confirmed: services.update_case(
                case,
                by=request.user,
                request=request,
                # Only what the worker changed, from the version they opened: nothing is lost.
                person=person_form.changed_input(person_form.cleaned_data),
                case_fields=case_form.changed_input(case_form.cleaned_data),
                confirmed_warnings=confirmed,
                version=case_form.expected_version(),
                person_version=person_form.expected_version(),
            ),
            {"person": person_form, "case": case_form},
        )
        if conflict is not None:
            fresh = Case.objects.select_related("person").get(pk=case.pk)
            person_form.show_conflict(conflict, fresh.person, part="person")
            case_form.show_conflict(conflict, fresh)
            services.read_identity(fresh, by=request.user, request=request)
        elif changed is not None and not person_form.errors and not case_form.errors:
            if changed:
                messages.success(request, _("Changes saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("cases:detail", pk=case.pk)
    if request.method == "GET":
        services.read_identity(case, by=request.user, request=request)
    return render(
        request,
        "cases/case_edit.html",
        {"case": case, "forms": [person_form, case_form], "warnings": warnings, "conflict": conflict},
    )


def _part_page(request, case, form, title, call, targets, current=None, part=""):
    """An add or edit page for one part of a case; `current` reads the part back after a conflict."""
    warnings, conflict = [], None
    if request.method == "POST" and form.is_valid():
        result, warnings, conflict = _save_or_warn(request, call, targets)
        if conflict is not None and current is not None:
            form.show_conflict(conflict, current(), part=part)
        elif result is not None and not form.errors:
            messages.success(request, _("Changes saved."))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/part_form.html",
        {
            "case": case,
            "form": form,
            "forms": [form],
            "title": title,
            "warnings": warnings,
            "conflict": conflict,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exploitation_edit(request, pk, exploitation_pk=None):
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    exploitation = None
    initial = {}
    if exploitation_pk is not None:
        exploitation = _part_or_404(Exploitation, case, exploitation_pk)
        initial = {f: getattr(exploitation, f) for f in EXPLOITATION_FIELDS}
    form = SingleExploitationForm(request.POST or None, initial=initial, prefix="exp")
    if exploitation is not None:
        form.track_version(exploitation.version)

    def call(confirmed):
        if exploitation is None:
            return services.add_exploitation(
                case,
                by=request.user,
                data=form.service_input(),
                confirmed_warnings=confirmed,
                request=request,
            )
        return services.update_exploitation(
            exploitation,
            by=request.user,
            data=form.changed_input(form.service_input()),
            confirmed_warnings=confirmed,
            request=request,
            version=form.expected_version(),
        )

    title = _("Add a form of exploitation") if exploitation is None else _("Edit the form of exploitation")
    current = (lambda: Exploitation.objects.get(pk=exploitation.pk)) if exploitation is not None else None
    return _part_page(
        request, case, form, title, call, {"exploitation": form}, current=current, part="exploitation"
    )


@login_required
@require_http_methods(["GET", "POST"])
def route_edit(request, pk, stop_pk=None):
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    stop = _part_or_404(RouteStop, case, stop_pk) if stop_pk is not None else None
    form = RouteStopForm(request.POST or None, instance=stop, prefix="route")
    if stop is not None:
        form.track_version(stop.version)

    def call(confirmed):
        if stop is None:
            return services.add_route_stop(case, by=request.user, data=form.service_input(), request=request)
        # The service compares with the row in the database, not with the instance the form changed.
        return services.update_route_stop(
            stop,
            by=request.user,
            data=form.changed_input(form.service_input()),
            request=request,
            version=form.expected_version(),
        )

    title = _("Add a place on the route") if stop is None else _("Edit the place on the route")
    current = (lambda: RouteStop.objects.get(pk=stop.pk)) if stop is not None else None
    return _part_page(request, case, form, title, call, {"route": form}, current=current, part="route")


@login_required
@require_POST
def part_remove(request, pk, part, part_pk):
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    model, remove = {
        "exploitation": (Exploitation, services.remove_exploitation),
        "route": (RouteStop, services.remove_route_stop),
    }.get(part, (None, None))
    if model is None:
        raise Http404
    try:
        version = request.POST.get("version") or None
        remove(_part_or_404(model, case, part_pk), by=request.user, request=request, version=version)
    except services.EditConflict as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Removed."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def consent_record(request, pk, purpose):
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    if purpose not in services.current_consents(case):
        raise Http404
    form = ConsentRecordForm(request.POST or None, purpose=purpose, prefix="consent")

    def call(confirmed):
        data = form.cleaned_data
        return services.record_consent(
            case,
            by=request.user,
            purpose=purpose,
            given=data["given"] == "yes",
            organisations=list(data.get("organisations") or []),
            recorded_on=data["recorded_on"],
            legal_basis=data.get("legal_basis") or "",
            justification=data.get("justification") or "",
            request=request,
        )

    title = _("Record consent: %(purpose)s") % {"purpose": label("consent_purpose", purpose)}
    return _part_page(request, case, form, title, call, {"consent": form, "consents": form})


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk, consent_pk):
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    consent = _part_or_404(Consent, case, consent_pk)
    form = WithdrawConsentForm(request.POST or None, prefix="consent")
    form.track_version(consent.version)

    def call(confirmed):
        return services.withdraw_consent(
            consent,
            by=request.user,
            on=form.cleaned_data["withdrawn_on"],
            request=request,
            version=form.expected_version(),
        )

    title = _("Record the withdrawal of consent: %(purpose)s") % {
        "purpose": label("consent_purpose", consent.purpose)
    }
    current = lambda: Consent.objects.get(pk=consent.pk)  # noqa: E731
    return _part_page(request, case, form, title, call, {"consent": form}, current=current, part="consent")


def _part_or_404(model, case, part_pk):
    try:
        return model.objects.get(pk=part_pk, case=case)
    except model.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def case_export(request):
    if request.GET.get(search.SEARCH):  # an old link with the name in it: the same export, tokenised
        return redirect_with(reverse("cases:export"), search.tokenised(request.GET, request.user))
    lines, name = export.export_cases(by=request.user, request=request, params=request.GET)
    return export.streaming_response(lines, name)


# ---------------------------------------------------------------------------------------------------
# Break-glass: emergency access, flagged to the case owner and the committee, reviewed.


@login_required
@require_http_methods(["GET", "POST"])
def emergency_access(request):
    if not can_break_glass(request.user):
        raise PermissionDenied
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.request_emergency_access(
                by=request.user,
                case_number=form.cleaned_data["case_number"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(error, {"": form})
        else:
            messages.warning(
                request,
                _(
                    "Emergency access granted until %(time)s. The case owner and the committee are told, "
                    "and the committee will review it."
                )
                % {"time": timezone.localtime(grant.expires_at).strftime("%H:%M")},
            )
            return redirect("cases:detail", pk=grant.case_id)
    return render(
        request,
        "cases/emergency_access.html",
        {"form": form, "forms": [form], "hours": services.emergency_hours()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def access_reviews(request):
    """Emergency accesses and urgent sharings: the committee reviews them; case owners see theirs."""
    flags = access.visible_flags(request.user)
    reviewer = reviews_access(request.user)
    if not reviewer and not flags.exists():
        raise PermissionDenied
    form = None
    if request.method == "POST":
        if not reviewer:
            raise PermissionDenied
        flag = get_object_or_404(flags, pk=request.POST.get("flag"))
        form = AccessReviewForm(request.POST, prefix=f"flag{flag.pk}")
        if form.is_valid():
            try:
                services.review_access_flag(
                    flag,
                    by=request.user,
                    verdict=form.cleaned_data["verdict"],
                    note=form.cleaned_data["review_note"],
                    request=request,
                )
            except ValidationError as error:
                apply_service_errors(error, {"": form})
            else:
                messages.success(request, _("Review recorded."))
                return redirect("cases:access_reviews")
    pending = [f for f in flags if not f.verdict]
    reviewed = [f for f in flags if f.verdict][:50]
    rows = [
        {"flag": f, "form": form if form is not None and form.prefix == f"flag{f.pk}" else None}
        for f in pending
    ]
    for row in rows:
        if reviewer and row["form"] is None:
            row["form"] = AccessReviewForm(prefix=f"flag{row['flag'].pk}")
    return render(
        request,
        "cases/access_reviews.html",
        {"pending": rows, "reviewed": reviewed, "reviewer": reviewer, "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_erase(request, pk):
    """Erasure of the person's identity on request (loi 2013-015), confirmed by typing the case number."""
    case = access.get_case_for_user(request.user, pk)
    if not access.can_erase(request.user, case):
        raise PermissionDenied
    form = ErasureForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        services.erase_person(case, by=request.user, ground=form.cleaned_data["ground"], request=request)
        messages.success(request, _("The identity is erased; the anonymous facts of the case remain."))
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/part_form.html",
        {"case": case, "form": form, "forms": [form], "title": _("Erase the identity"), "warnings": []},
    )


# ---------------------------------------------------------------------------------------------------
# Follow-up (notes, assistance, case plan, closure) and sharing (grants): issue 11.

FOLLOWUP_FORMS = {
    "note": NoteForm,
    "assistance": AssistanceForm,
    "goal": GoalForm,
    "close": ClosureForm,
}


def _followup_call(what, case, form, request):
    data, by = form.cleaned_data, request.user
    if what == "note":
        return services.add_note(case, by=by, text=data["text"], request=request)
    if what == "assistance":
        return services.record_assistance(
            case,
            by=by,
            service=data["service"],
            provider=data["provider"],
            given_on=data["given_on"],
            note=data["note"],
            request=request,
        )
    if what == "goal":
        return services.add_goal(case, by=by, text=data["text"], review_on=data["review_on"], request=request)
    return services.close_case(case, by=by, reason=data["closure_reason"], request=request)


FOLLOWUP_DONE = {
    "note": gettext_lazy("Note added."),
    "assistance": gettext_lazy("Assistance recorded."),
    "goal": gettext_lazy("Goal added to the case plan."),
    "close": gettext_lazy("Case closed."),
}


@login_required
@require_http_methods(["GET", "POST"])
def case_followup(request, pk):
    """The case worker's daily page: notes, assistance given, the case plan and closure."""
    case = access.get_case_for_user(request.user, pk)
    can_edit = access.can(request.user, case, access.CHANGE)
    forms_ = {what: cls(prefix=what) for what, cls in FOLLOWUP_FORMS.items()}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        what = request.POST.get("what", "")
        if what == "goal_status":
            goal = _part_or_404(CaseGoal, case, request.POST.get("goal") or 0)
            try:
                services.set_goal_status(
                    goal, by=request.user, status=request.POST.get("status"), request=request
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect_with(reverse("cases:followup", args=[case.pk]), {})
        if what not in FOLLOWUP_FORMS:
            raise Http404
        form = forms_[what] = FOLLOWUP_FORMS[what](request.POST, prefix=what)
        if form.is_valid():
            try:
                _followup_call(what, case, form, request)
            except ValidationError as error:
                apply_service_errors(error, {what: form})
            else:
                messages.success(request, FOLLOWUP_DONE[what])
                return redirect_with(reverse("cases:followup", args=[case.pk]), {})
    services.read_followup(case, by=request.user, request=request)
    return render(
        request,
        "cases/case_followup.html",
        {
            "case": case,
            "can_edit": can_edit,
            "closed": case.case_status in ("Closed", "ClosedReferred"),
            "forms": list(forms_.values()),
            "f": forms_,
            "notes": case.notes.select_related("author", "organisation")[:50],
            "assistance": case.assistance.select_related("provider", "recorded_by")[:50],
            "goals": case.goals.select_related("set_by"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_sharing(request, pk):
    """Share a case with an organisation or a person, see who has access and why, and revoke."""
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    form = ShareForm(request.POST or None, prefix="share")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_access(
                case,
                by=request.user,
                organisation=data["organisation"],
                user=data["user"],
                reason=data["reason"],
                urgent_reason=data["urgent_reason"],
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(error, {"share": form})
        else:
            messages.success(request, _("Access given."))
            return redirect_with(reverse("cases:sharing", args=[case.pk]), {})
    return render(
        request,
        "cases/case_sharing.html",
        {
            "case": case,
            "form": form,
            "forms": [form],
            "grants": access.grants_of(case),
            "consented": services.sharing_organisation_ids(case),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def grant_revoke(request, pk, grant_pk):
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    grant = get_object_or_404(CaseGrant, pk=grant_pk, case=case)
    try:
        services.revoke_grant(grant, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Access revoked."))
    return redirect_with(reverse("cases:sharing", args=[case.pk]), {})
