from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sira.accounts.access import can_register_cases, sees_aggregates
from sira.cases import access
from sira.core.db import statistics_reads
from sira.statistics import national
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
