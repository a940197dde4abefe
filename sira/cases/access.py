"""The only place that decides which cases a user may see, change or export. Pages, API, exports and
the apps above the registry all call it; a case outside a user's reach answers 404, exactly like a
case that does not exist."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from sira.accounts.access import (
    CHANGE,
    EXPORT,
    VIEW,
    RecordPolicy,
    can_edit_in_scope,
    reviews_access,
    scope_q,
)
from sira.accounts.models import Role, Scope
from sira.cases.models import AccessFlag, Case, CaseGrant

__all__ = [
    "CHANGE",
    "EXPORT",
    "VIEW",
    "can",
    "can_erase",
    "get_case_for_user",
    "grants_of",
    "policy",
    "shared_fields",
    "visible_cases",
    "visible_flags",
]


def _scope_q(user) -> Q:
    return scope_q(
        user,
        organisation="organisation_id",
        owners=("owner", "identified_by"),
        region="identification_region_id",
    )


def _granted_ids(user) -> list[int]:
    """The cases granted to the user or to their organisation (grants are few: need-to-know)."""
    # A grant limited to some fields (a referral's packet) never opens the case itself.
    grants = _live_grants(user).filter(fields__isnull=True)
    return sorted(set(grants.values_list("case_id", flat=True)))


def _live_grants(user):
    grantee = Q(user=user)
    if user.organisation_id is not None:
        grantee |= Q(organisation_id=user.organisation_id)
    live = Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    return CaseGrant.objects.filter(grantee, live)


def shared_fields(user, case) -> frozenset[str]:
    """The fields of a case a user may read through live limited grants (an accepted referral's
    packet): their union, or nothing. Those fields are shown only on the referral's page."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    rows = _live_grants(user).filter(case=case, fields__isnull=False).values_list("fields", flat=True)
    return frozenset(f for fields in rows for f in fields)


def grants_of(case):
    """Who has access to a case and why: its grants, live first (the sharing page)."""
    return case.grants.select_related("organisation", "user", "granted_by").order_by(
        "revoked_at", "-created_at"
    )


class CasePolicy(RecordPolicy):
    model = Case
    related = ("person",)

    def visible(self, user, action: str = VIEW) -> QuerySet[Case]:
        """The cases a user may see (or change, or export).

        Written so that PostgreSQL reads a list page through an index in the list's order and stops
        after the page (measured in docs/scale.md): national scope adds no condition at all; the other
        scopes are one indexed column (organisation, region or owner) OR a short list of granted ids
        read first. `scope OR EXISTS(grant)` or `OR id IN (subquery)` make the planner guess half the
        table matches and walk the whole index for a small organisation; a UNION of ids sorts the whole
        visible set on every page."""
        if not user.is_authenticated or not user.is_active:
            return Case.objects.none()
        if action == CHANGE and not can_edit_in_scope(user):
            return Case.objects.none()
        if user.scope == Scope.NATIONAL:
            return Case.objects.all()
        scope = _scope_q(user)
        if action == CHANGE:
            return Case.objects.filter(scope)
        granted = _granted_ids(user)
        return Case.objects.filter(scope | Q(pk__in=granted) if granted else scope)


policy = CasePolicy()


def emergency_grant(user, case) -> CaseGrant | None:
    """The user's live emergency (break-glass) grant on a case, if that is how they see it."""
    return (
        CaseGrant.objects.filter(
            case=case,
            user=user,
            basis=CaseGrant.Basis.EMERGENCY,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def visible_flags(user) -> QuerySet[AccessFlag]:
    """Emergency accesses and urgent sharings a user is shown: all of them for the committee's
    reviewers; those on the cases they own for everyone else (the owner is told)."""
    flags = AccessFlag.objects.select_related("case", "raised_by", "reviewed_by", "grant")
    if not user.is_authenticated or not user.is_active:
        return flags.none()
    if reviews_access(user):
        return flags
    return flags.filter(case__owner=user)


visible_cases = policy.visible
get_case_for_user = policy.get_for_user
can = policy.can


def can_erase(user, case) -> bool:
    """Erasing a person's identity (on request, loi 2013-015) is for a case manager who may change the
    case: the organisation's data controller, not every worker."""
    return user.is_authenticated and user.role == Role.CASE_MANAGER and can(user, case, CHANGE)
