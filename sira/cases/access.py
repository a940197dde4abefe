"""The only place that decides which cases a user may see, change or export. Pages and API both call
these functions; a case outside a user's reach answers 404, exactly like a case that does not exist."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from sira.accounts.access import can_edit_in_scope, scope_q
from sira.cases.models import Case, CaseGrant

VIEW = "view"
CHANGE = "change"
EXPORT = "export"


def _scope_q(user) -> Q:
    return scope_q(
        user,
        organisation="organisation_id",
        owners=("owner", "identified_by"),
        region="identification_region_id",
    )


def _granted_q(user) -> Q:
    grantee = Q(user=user)
    if user.organisation_id is not None:
        grantee |= Q(organisation_id=user.organisation_id)
    grants = CaseGrant.objects.filter(grantee, case=OuterRef("pk"), revoked_at__isnull=True)
    return Q(Exists(grants))


def visible_cases(user, action: str = VIEW) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if action == CHANGE:
        if not can_edit_in_scope(user):
            return Case.objects.none()
        return Case.objects.filter(_scope_q(user))
    return Case.objects.filter(_scope_q(user) | _granted_q(user))


def get_case_for_user(user, pk, action: str = VIEW) -> Case:
    """The case if the user may see it (404 otherwise); 403 if they may see it but not do `action`."""
    try:
        case = visible_cases(user, VIEW).select_related("person").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != VIEW and not can(user, case, action):
        raise PermissionDenied
    return case


def can(user, case: Case, action: str) -> bool:
    return visible_cases(user, action).filter(pk=case.pk).exists()
