"""The only place that decides which cases a user may see, change or export. Pages, API, exports and
the apps above the registry all call it; a case outside a user's reach answers 404, exactly like a
case that does not exist."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from sira.accounts.access import CHANGE, EXPORT, VIEW, RecordPolicy, can_edit_in_scope, scope_q
from sira.cases.models import Case, CaseGrant

__all__ = ["CHANGE", "EXPORT", "VIEW", "can", "get_case_for_user", "policy", "visible_cases"]


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


class CasePolicy(RecordPolicy):
    model = Case
    related = ("person",)

    def visible(self, user, action: str = VIEW) -> QuerySet[Case]:
        if not user.is_authenticated or not user.is_active:
            return Case.objects.none()
        if action == CHANGE:
            if not can_edit_in_scope(user):
                return Case.objects.none()
            return Case.objects.filter(_scope_q(user))
        return Case.objects.filter(_scope_q(user) | _granted_q(user))


policy = CasePolicy()
visible_cases = policy.visible
get_case_for_user = policy.get_for_user
can = policy.can
