"""The annual national report's page: a year and a language, and the PDF to download. For the roles
that see national aggregates (``sees_aggregates``); a role-gated page answers 403 to the others, as
the project's other role pages do."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from sira.accounts.access import sees_aggregates
from sira.statistics import annual_report


def _allowed(request):
    if not sees_aggregates(request.user):
        raise PermissionDenied


def _page(request, *, year, language, errors=(), status=200):
    this_year = timezone.localdate().year
    return render(
        request,
        "statistics/annual_report_page.html",
        {
            "years": list(range(this_year, annual_report.FIRST_YEAR - 1, -1)),
            "year": str(year),
            "language": language,
            "languages": [("fr", "Français"), ("en", "English")],
            "errors": errors,
            "threshold": settings.SIRA_SMALL_CELL_THRESHOLD,
            "as_of": annual_report.as_of(),
        },
        status=status,
    )


@login_required
@require_GET
def page(request):
    _allowed(request)
    language = translation.get_language()[:2]
    return _page(
        request,
        year=timezone.localdate().year - 1,
        language=language if language in annual_report.LANGUAGES else "fr",
    )


@login_required
@require_GET
def download(request):
    _allowed(request)
    year, language = request.GET.get("year", ""), request.GET.get("lang", "")
    errors = annual_report.check(year, language)  # in the reader's language, every problem at once
    if errors:
        return _page(request, year=year, language=language, errors=errors, status=400)
    pdf = annual_report.produce(int(year), language, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = annual_report.filename(int(year), language)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
