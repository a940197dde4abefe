"""Pages of duplicates: thin — parse, ask access, call services, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sira.accounts.models import Organisation
from sira.cases import access as case_access
from sira.cases import services as case_services
from sira.duplicates import access, services


def _see_other(to, *args):
    response = redirect(to, *args)
    response.status_code = 303
    return response


def _error_text(error: ValidationError) -> str:
    return " ".join(m for messages_ in error.message_dict.values() for m in messages_)


@login_required
@require_http_methods(["GET", "POST"])
def ask(request, case_pk, org_pk):
    """Ask an organisation holding a probable duplicate to confirm and share it."""
    case = case_access.get_case_for_user(request.user, case_pk)
    if not access.can_request(request.user, case):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=org_pk)
    views = [v for v in services.match_views(request.user, case) if v["kind"] == "elsewhere"]
    view = next((v for v in views if v["organisation"].pk == organisation.pk), None)
    if view is None:
        raise PermissionDenied
    if request.method == "POST":
        try:
            req = services.request_confirmation(
                case, by=request.user, organisation_id=organisation.pk, request=request
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Request %(ref)s sent to %(org)s.") % {"ref": req.reference, "org": organisation.name},
            )
            return _see_other("cases:detail", case.pk)
    return render(request, "duplicates/ask.html", {"case": case, "organisation": organisation, "match": view})


@login_required
@require_GET
def request_list(request):
    reqs = access.visible_requests(request.user)
    uid = request.user.organisation_id
    return render(
        request,
        "duplicates/requests.html",
        {
            "received": [r for r in reqs if r.target_organisation_id == uid],
            "sent": [r for r in reqs if r.requesting_organisation_id == uid],
        },
    )


@login_required
@require_GET
def request_detail(request, pk):
    req = access.get_request_for_user(request.user, pk)
    answering = access.can_answer(request.user, req)
    context = {"req": req, "answering": answering, "asker": access.is_asker(request.user, req)}
    if answering:
        consent = case_services.sharing_basis(req.target_case, req.requesting_organisation_id)
        context |= {"target": req.target_case, "consent": consent}
    return render(request, "duplicates/request.html", context)


@login_required
@require_POST
def request_answer(request, pk, answer):
    req = access.get_request_for_user(request.user, pk)
    call = {"confirm": services.confirm_request, "deny": services.deny_request}.get(answer)
    if call is None or not access.can_answer(request.user, req):
        raise PermissionDenied
    try:
        call(req, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Answer recorded."))
    return _see_other("duplicates:request", req.pk)


@login_required
@require_http_methods(["GET", "POST"])
def merge(request, pk, other_pk):
    """Two records of one person in the organisation: shown side by side, then made one."""
    case = case_access.get_case_for_user(request.user, pk, case_access.CHANGE)
    other = case_access.get_case_for_user(request.user, other_pk, case_access.CHANGE)
    if not access.can_merge(request.user, case, other):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.merge(case, other, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The two records are now one person; both histories are kept."))
            return _see_other("cases:detail", case.pk)
    people = [(c, case_services.read_identity(c, by=request.user, request=request)) for c in (case, other)]
    return render(request, "duplicates/merge.html", {"case": case, "other": other, "people": people})
