from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sira.accounts.access import sees_aggregates
from sira.cases import access as case_access
from sira.screening import access, importer, services
from sira.screening.explain import explain, explain_result
from sira.screening.forms import AnswersForm, AttachForm, BankAnswersForm, DeterminationForm, ProfileForm
from sira.screening.messages import import_error
from sira.screening.models import ImportBatch, Screening
from sira.screening.xlsform import build_workbook


def _require_screener(user):
    if not access.can_screen(user):
        raise PermissionDenied


@login_required
@require_GET
def screening_list(request):
    screenings = access.visible_screenings(request.user).select_related("region", "case")
    page = Paginator(screenings, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/list.html",
        {
            "page": page,
            "can_screen": access.can_screen(request.user),
            "aggregate_only": sees_aggregates(request.user) and not page.paginator.count,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_new(request):
    _require_screener(request.user)
    catalogue = services.current_catalogue()
    form = ProfileForm(request.POST or None, catalogue=catalogue.catalogue)
    if request.method == "POST" and form.is_valid():
        screening = services.start_screening(by=request.user, request=request, profile=form.cleaned_data)
        return redirect("screening:questions", pk=screening.pk)
    return render(request, "screening/profile.html", {"form": form, "catalogue": catalogue})


@login_required
@require_http_methods(["GET", "POST"])
def screening_questions(request, pk):
    screening = access.get_screening_for_user(request.user, pk, access.CHANGE)
    if _is_bank(screening):
        return _bank_questions(request, screening)
    form = AnswersForm(request.POST or None, screening=screening)
    if request.method == "POST" and form.is_valid():
        services.complete_screening(
            screening, by=request.user, request=request, answers=form.answers(), urgent=form.urgent()
        )
        return redirect("screening:result", pk=screening.pk)
    return render(request, "screening/questions.html", {"screening": screening, "form": form})


def _is_bank(screening) -> bool:
    return getattr(screening.catalogue.catalogue, "schema", None) == "question_bank"


def _bank_questions(request, screening):
    form = BankAnswersForm(request.POST or None, screening=screening)
    clashes = []
    if request.method == "POST" and form.is_valid():
        services.complete_screening(
            screening, by=request.user, request=request, answers=form.answers(), urgent=[]
        )
        if screening.status == Screening.Status.COMPLETE:
            return redirect("screening:result", pk=screening.pk)
        bank = form.bank
        found = screening.result["contradictions"]
        clashes = [(bank.by_id[c["safe"]].label(), bank.by_id[c["risk"]].label()) for c in found]
        for qid in {c[k] for c in found for k in ("safe", "risk")}:
            form.add_error(f"q__{qid}", _("This answer contradicts another one: check both."))
    return render(
        request, "screening/questions_bank.html", {"screening": screening, "form": form, "clashes": clashes}
    )


@login_required
@require_GET
def screening_result(request, pk):
    screening = access.get_screening_for_user(request.user, pk)
    if screening.status != Screening.Status.COMPLETE:
        return redirect("screening:questions", pk=pk)
    can_change = access.visible_screenings(request.user, access.CHANGE).filter(pk=pk).exists()
    bank = _is_bank(screening)
    explanation = (
        explain_result(screening.catalogue.catalogue, screening.result, screening.answers)
        if bank
        else explain(screening)
    )
    return render(
        request,
        "screening/result_bank.html" if bank else "screening/result.html",
        {
            "screening": screening,
            "explanation": explanation,
            "current_version": services.current_catalogue().version,
            "can_change": can_change,
            "determination_form": DeterminationForm(initial={"status": screening.determination}),
            "attach_form": AttachForm(cases=None),
        },
    )


@login_required
@require_POST
def screening_determine(request, pk):
    screening = access.get_screening_for_user(request.user, pk, access.CHANGE)
    form = DeterminationForm(request.POST)
    if form.is_valid():
        services.record_determination(
            screening,
            by=request.user,
            request=request,
            status=form.cleaned_data["status"],
            justification=form.cleaned_data["justification"],
        )
        messages.success(request, _("Your determination is recorded."))
    else:
        messages.error(request, _("Give a determination and its justification."))
    return redirect("screening:result", pk=pk)


@login_required
@require_POST
def screening_attach(request, pk):
    screening = access.get_screening_for_user(request.user, pk, access.CHANGE)
    form = AttachForm(request.POST, cases=case_access.visible_cases(request.user, case_access.CHANGE))
    if form.is_valid():
        services.attach_to_case(screening, form.cleaned_data["case_number"], by=request.user, request=request)
        messages.success(request, _("The screening is attached to the case."))
        return redirect("cases:detail", pk=screening.case_id)
    messages.error(request, form.errors["case_number"][0])
    return redirect("screening:result", pk=pk)


@login_required
@require_GET
def xlsform_download(request):
    catalogue = services.current_catalogue()
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="sira-screening-{catalogue.version}.xlsx"'
    build_workbook(catalogue).save(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require_screener(request.user)
    if request.method == "POST":
        try:
            importer.check_declared_size(request.META.get("CONTENT_LENGTH"))  # before the body is read
            upload = request.FILES.get("file")
            importer.check_upload(upload)
            batch = importer.start_import(
                by=request.user, file_name=upload.name, content=upload.read(), request=request
            )
        except importer.ImportFileError as exc:
            messages.error(request, str(exc))  # the whole file is refused: nothing was imported
        else:
            return redirect("screening:import_progress", pk=batch.pk)
    return render(
        request,
        "screening/import_upload.html",
        {"max_mb": settings.SIRA_UPLOAD_MAX_BYTES // 1_000_000},
        status=400 if request.method == "POST" else 200,
    )


def _own_batch(request, pk) -> ImportBatch:
    return get_object_or_404(ImportBatch, pk=pk, imported_by=request.user)


@login_required
@require_GET
def import_progress(request, pk):
    batch = _own_batch(request, pk)
    if batch.finished_at:
        errors = [import_error(e) for entry in batch.report for e in entry["errors"]]
        return render(
            request,
            "screening/import_report.html",
            {"batch": batch, "counts": batch.counts(), "errors": errors},
        )
    return render(request, "screening/import_progress.html", {"batch": batch})


@login_required
@require_POST
def import_step(request, pk):
    """Each call processes the next chunk: no background worker, and a dropped connection loses nothing."""
    batch = importer.process(_own_batch(request, pk))
    if "application/json" not in request.headers.get("Accept", ""):
        return redirect("screening:import_progress", pk=batch.pk)  # the no-JavaScript path
    return JsonResponse(
        {
            "processed": batch.processed_rows,
            "total": batch.total_rows,
            "finished": batch.finished_at is not None,
            "report_url": reverse("screening:import_progress", args=[batch.pk]),
        }
    )
