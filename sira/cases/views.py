from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sira.accounts.access import can_register_cases
from sira.audit.services import timeline
from sira.cases import access, export, search, services
from sira.cases.filters import CaseFilter
from sira.cases.forms import CaseEditForm, CaseRegistration, PersonForm
from sira.screening import access as screening_access
from sira.screening import services as screening_services

PAGE_SIZE = 25


@login_required
@require_GET
def case_list(request):
    cases = search.for_list(access.visible_cases(request.user))
    filterset = CaseFilter(request.GET, queryset=cases.prefetch_related("exploitations"))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = search.read_list_names(list(page.object_list), by=request.user, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "show_names": search.shows_names_on_list(request.user),
            "filtered": any(v for k, v in query.items() if k != "q"),
            "query": query.urlencode(),
            "can_register": can_register_cases(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    if not can_register_cases(request.user):
        raise PermissionDenied
    screening = None
    if screening_id := request.GET.get("screening"):
        screening = screening_access.get_screening_for_user(
            request.user, screening_id, screening_access.CHANGE
        )
    initial = screening_services.case_initial(screening) if screening else None
    registration = CaseRegistration(request.POST or None, initial=initial)
    if request.method == "POST" and registration.is_valid():
        case_input = registration.service_input()
        if screening is not None:
            case = screening_services.promote_to_case(
                screening, by=request.user, request=request, **case_input
            )
        else:
            case = services.register_case(by=request.user, request=request, **case_input)
        messages.success(request, _("Case %(number)s registered.") % {"number": case.case_number})
        return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"registration": registration, "screening": screening})


@login_required
@require_GET
def case_detail(request, pk):
    case = access.get_case_for_user(request.user, pk)
    person = services.read_identity(case, by=request.user, request=request)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "person": person,
            "exploitations": case.exploitations.all(),
            "route": case.route.select_related("region", "cercle"),
            "consents": case.consents.prefetch_related("organisations"),
            "events": timeline(case)[:50],
            "screenings": case.screenings.select_related("catalogue").order_by("-screened_on"),
            "can_edit": access.can(request.user, case, access.CHANGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = access.get_case_for_user(request.user, pk, access.CHANGE)
    person_form = PersonForm(request.POST or None, instance=case.person, prefix="person")
    case_form = CaseEditForm(request.POST or None, instance=case, prefix="case")
    if request.method == "POST" and person_form.is_valid() and case_form.is_valid():
        changed = services.update_case(
            case,
            by=request.user,
            request=request,
            person=person_form.cleaned_data,
            case_fields=case_form.cleaned_data,
        )
        if changed:
            messages.success(request, _("Changes saved."))
        return redirect("cases:detail", pk=case.pk)
    if request.method == "GET":
        services.read_identity(case, by=request.user, request=request)
    return render(request, "cases/case_edit.html", {"case": case, "forms": [person_form, case_form]})


@login_required
@require_GET
def case_export(request):
    body = export.export_cases(by=request.user, request=request, params=request.GET)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sira-cases.csv"'
    return response
