"""Justice pages: thin — parse the form, ask access.py, call services.py, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sira.core.vocab import label
from sira.justice import access, forms, rules, services


def _form_page(request, form, title, back, call, done):
    """A form page: on a valid POST, call the service; its errors go back on the form, all at once."""
    if request.method == "POST" and form.is_valid():
        try:
            result = call(form.cleaned_data)
        except ValidationError as error:
            forms.show_errors(form, error)
        else:
            messages.success(request, done(result))
            return redirect(back)
    return render(request, "justice/form.html", {"form": form, "title": title, "back": back})


@login_required
@require_GET
def home(request):
    user = request.user
    if not access.is_justice_user(user):
        raise PermissionDenied
    investigations = access.investigations.visible(user).select_related("region")
    prosecutions = access.prosecutions.visible(user).select_related("investigation")
    return render(
        request,
        "justice/home.html",
        {
            "investigations": Paginator(investigations, 20).get_page(request.GET.get("page")),
            "prosecutions": Paginator(prosecutions, 20).get_page(request.GET.get("ppage")),
            "can_open": access.can_open_investigation(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def investigation_new(request):
    if not access.can_open_investigation(request.user):
        raise PermissionDenied
    form = forms.InvestigationForm(request.POST or None, user=request.user)

    def call(data):
        return services.open_investigation(
            by=request.user,
            request=request,
            agency=data["agency"],
            opened_on=data["opened_on"],
            region_id=data["region"].pk,
            forms=data["forms"],
            operation_type=data["operation_type"],
            cases=data["case_numbers"],
        )

    if request.method == "POST" and form.is_valid():
        try:
            investigation = call(form.cleaned_data)
        except ValidationError as error:
            forms.show_errors(form, error)
        else:
            messages.success(request, _("Investigation %(ref)s opened.") % {"ref": investigation.reference})
            return redirect("justice:investigation", pk=investigation.pk)
    return render(
        request,
        "justice/form.html",
        {"form": form, "title": _("Open an investigation"), "back": "justice:home"},
    )


@login_required
@require_GET
def investigation_detail(request, pk):
    investigation = access.investigations.get_for_user(request.user, pk)
    can_change = access.investigations.can(request.user, investigation, access.CHANGE)
    suspects = list(investigation.suspects.all())
    services.read_suspects(investigation, suspects, by=request.user, request=request)
    return render(
        request,
        "justice/investigation.html",
        {
            "investigation": investigation,
            "form_labels": ", ".join(label("exploitation_form", f) for f in investigation.forms),
            "can_change": can_change,
            "suspects": suspects,
            "cases": investigation.cases.all(),
            "prosecutions": access.prosecutions.visible(request.user).filter(investigation=investigation),
        },
    )


def _investigation_to_change(request, pk):
    return access.investigations.get_for_user(request.user, pk, access.CHANGE)


@login_required
@require_http_methods(["GET", "POST"])
def investigation_close(request, pk):
    investigation = _investigation_to_change(request, pk)
    return _form_page(
        request,
        forms.CloseForm(request.POST or None),
        _("Close investigation %(ref)s") % {"ref": investigation.reference},
        investigation.get_absolute_url(),
        lambda d: services.close_investigation(investigation, by=request.user, request=request, **d),
        lambda _r: _("Investigation closed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def suspect_new(request, pk):
    investigation = _investigation_to_change(request, pk)
    return _form_page(
        request,
        forms.SuspectForm(request.POST or None),
        _("Add a suspect to %(ref)s") % {"ref": investigation.reference},
        investigation.get_absolute_url(),
        lambda d: services.add_suspect(investigation, by=request.user, request=request, data=d),
        lambda _r: _("Suspect added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def prosecution_new(request, pk):
    investigation = _investigation_to_change(request, pk)
    return _form_page(
        request,
        forms.ProsecutionForm(request.POST or None),
        _("Transmit %(ref)s to the prosecutor") % {"ref": investigation.reference},
        investigation.get_absolute_url(),
        lambda d: services.open_prosecution(investigation, by=request.user, request=request, **d),
        lambda _r: _("Prosecution opened."),
    )


@login_required
@require_GET
def prosecution_detail(request, pk):
    prosecution = access.prosecutions.get_for_user(request.user, pk)
    charges = list(prosecution.charges.select_related("suspect", "article", "sentence"))
    for charge in charges:
        sentence = getattr(charge, "sentence", None)
        charge.review = [rules.review_reason_label(r) for r in sentence.review_reasons] if sentence else []
        charge.penalty = rules.penalty_text(charge.article)
    services.read_suspects(
        prosecution.investigation, {c.suspect for c in charges}, by=request.user, request=request
    )
    return render(
        request,
        "justice/prosecution.html",
        {
            "prosecution": prosecution,
            "can_change": access.prosecutions.can(request.user, prosecution, access.CHANGE),
            "charges": charges,
            "hearings": prosecution.hearings.all(),
            "appeals": prosecution.appeals.all(),
        },
    )


def _prosecution_to_change(request, pk):
    return access.prosecutions.get_for_user(request.user, pk, access.CHANGE)


@login_required
@require_http_methods(["GET", "POST"])
def charge_new(request, pk):
    prosecution = _prosecution_to_change(request, pk)
    form = forms.ChargeForm(request.POST or None, prosecution=prosecution)
    return _form_page(
        request,
        form,
        _("Add a charge"),
        prosecution.get_absolute_url(),
        lambda d: services.add_charge(
            prosecution,
            by=request.user,
            request=request,
            suspect=form.suspects.get(d["suspect"]),
            article_code=d["article"],
            offence_date=d["offence_date"],
        ),
        lambda c: (
            _("Charge added under %(article)s (text in force on the offence date).")
            % {"article": c.article.article}
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def hearing_new(request, pk):
    prosecution = _prosecution_to_change(request, pk)
    return _form_page(
        request,
        forms.HearingForm(request.POST or None),
        _("Record a hearing"),
        prosecution.get_absolute_url(),
        lambda d: services.add_hearing(prosecution, by=request.user, request=request, **d),
        lambda _r: _("Hearing recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def verdict(request, pk):
    prosecution = _prosecution_to_change(request, pk)
    initial = {"charge": request.GET.get("charge", "")}
    form = forms.VerdictForm(request.POST or None, prosecution=prosecution, initial=initial)

    def done(charge):
        sentence = getattr(charge, "sentence", None)
        if sentence is not None and sentence.needs_review:
            return _(
                "Verdict recorded. The sentence is outside the article's range: it is flagged for review."
            )
        return _("Verdict recorded.")

    return _form_page(
        request,
        form,
        _("Record a verdict"),
        prosecution.get_absolute_url(),
        lambda d: services.record_outcome(
            prosecution,
            by=request.user,
            request=request,
            charge=form.charges.get(d["charge"]),
            outcome=d["outcome"],
            outcome_date=d["outcome_date"],
            dropped_reason=d["dropped_reason"],
            sentence=form.sentence(),
        ),
        done,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request, pk):
    prosecution = _prosecution_to_change(request, pk)
    form = forms.AppealForm(request.POST or None, prosecution=prosecution)
    return _form_page(
        request,
        form,
        _("Record an appeal"),
        prosecution.get_absolute_url(),
        lambda d: services.record_appeal(
            prosecution,
            by=request.user,
            request=request,
            suspect=form.suspects.get(d["suspect"]),
            appealed_by=d["appealed_by"],
            filed_on=d["filed_on"],
            result=d["result"],
            decided_on=d["decided_on"],
        ),
        lambda _r: _("Appeal recorded."),
    )


@login_required
@require_GET
def catalogue(request):
    from sira.justice.models import LegalArticle

    articles = list(LegalArticle.objects.all())
    for a in articles:
        a.penalty = rules.penalty_text(a)
    return render(request, "justice/catalogue.html", {"articles": articles})


@login_required
@require_http_methods(["POST"])
def suspect_search(request):
    """Sent by POST so that a name never goes into an address, a log or the browser's history."""
    if not access.is_justice_user(request.user):
        raise PermissionDenied
    text = request.POST.get("q", "")[:200]
    found = list(access.find_suspects(request.user, text)[:50])
    return render(request, "justice/suspect_search.html", {"found": found, "searched": bool(text.strip())})
