"""Figures for coordinating the referral mechanism: referrals by service type and by provider, the
acceptance rate, the median response time and the unmet needs (declines for lack of capacity or of a
service for that sex/age) by region. Through the project's statistics rules: persons who refused
statistics are left out, and small cells are hidden from users without national record access."""

from django.conf import settings
from django.db.models import Count, F

from sira.accounts.models import Organisation
from sira.cases.services import statistics_cases
from sira.core.vocab import label
from sira.geo.models import Region
from sira.referrals import rules
from sira.referrals.models import Referral
from sira.statistics import layer
from sira.statistics import rules as disclosure
from sira.statistics.suppression import suppress


def sees_small_cells(user) -> bool:
    """Only a user who may read every case record sees counts below the threshold (the layer's rule)."""
    return layer.has_record_access(user, layer.Query(measure="referrals"))


def _cell(n: int, full: bool):
    return n if full else suppress(n)


def _rate(accepted: int, answered: int, full: bool):
    if not full and suppress(answered) is None:
        return None
    return rules.acceptance_rate(accepted, answered)


def figures(user, referrals=None) -> dict:
    full = sees_small_cells(user)
    referrals = Referral.objects.all() if referrals is None else referrals
    referrals = referrals.filter(case__in=statistics_cases().values("pk"))
    answered = referrals.filter(responded_at__isnull=False)
    accepted = answered.filter(decline_reason="")

    def by(field, labeller):
        total = dict(referrals.values_list(field).annotate(n=Count("id")).order_by())
        ok = dict(accepted.values_list(field).annotate(n=Count("id")).order_by())
        ans = dict(answered.values_list(field).annotate(n=Count("id")).order_by())
        shown = total
        if not full:  # complementary suppression against the number of referrals (sira.statistics.rules)
            shown, _all = disclosure.one_way(total, sum(total.values()), settings.SIRA_SMALL_CELL_THRESHOLD)
        rows = [
            {
                "label": labeller(key),
                "n": shown[key],
                "rate": _rate(ok.get(key, 0), ans.get(key, 0), full),
            }
            for key, n in total.items()
        ]
        return sorted(rows, key=lambda r: str(r["label"]))

    providers = dict(Organisation.objects.values_list("pk", "name"))
    regions = {r.pk: str(r) for r in Region.objects.all()}
    durations = [
        row["d"]
        for row in answered.annotate(d=F("responded_at") - F("sent_at")).values("d")
        if row["d"] is not None
    ]
    median = rules.median_hours(durations) if (full or suppress(len(durations)) is not None) else None
    unmet = (
        referrals.filter(state=rules.DECLINED, decline_reason__in=rules.UNMET_REASONS)
        .values_list("region_id", "service", "decline_reason")
        .annotate(n=Count("id"))
        .order_by("region_id", "service")
    )
    return {
        "full": full,
        "total": _cell(referrals.count(), full),
        "rate": _rate(accepted.count(), answered.count(), full),
        "median_hours": median,
        "by_service": by("service", lambda code: label("service_type", code)),
        "by_provider": by("receiver_id", lambda pk: providers.get(pk, "?")),
        "unmet": [
            {
                "region": regions.get(region, "?"),
                "service": label("service_type", service),
                "reason": Referral.DeclineReason(reason).label,
                "n": _cell(n, full),
            }
            for region, service, reason, n in unmet
        ],
    }


def dashboard_counts(user) -> dict:
    """Overdue referrals for the dashboards: received and sent by the user's organisation, and for the
    committee's coordinators all of them, with those sent without consent to review."""
    from sira.accounts.access import reviews_access
    from sira.referrals import access, services

    visible = access.visible_referrals(user)
    overdue = services.overdue(visible)
    counts = {
        "incoming_open": visible.filter(receiver_id=user.organisation_id, state=rules.SENT).count()
        if user.organisation_id
        else 0,
        "incoming_overdue": overdue.filter(receiver_id=user.organisation_id).count()
        if user.organisation_id
        else 0,
        "sent_overdue": overdue.filter(sender_id=user.organisation_id).count() if user.organisation_id else 0,
    }
    if reviews_access(user):
        counts["all_overdue"] = overdue.count()
        counts["to_review"] = visible.filter(needs_review=True).count()
    return counts
