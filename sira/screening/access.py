"""Which screenings a user may see or change. A screening attached to a case follows the case's access;
one without a case follows the screener's organisation, like a case would."""

from django.db.models import Q, QuerySet

from sira.accounts.access import CHANGE, VIEW, RecordPolicy, can_edit_in_scope, can_register_cases, scope_q
from sira.cases import access as case_access
from sira.screening.models import Screening

__all__ = ["CHANGE", "VIEW", "can_screen", "get_screening_for_user", "policy", "visible_screenings"]


def _unattached_q(user) -> Q:
    scope = scope_q(user, organisation="organisation_id", owners=("screened_by",), region="region_id")
    return Q(case__isnull=True) & scope


class ScreeningPolicy(RecordPolicy):
    model = Screening
    related = ("catalogue", "case")

    def visible(self, user, action: str = VIEW) -> QuerySet[Screening]:
        if not user.is_authenticated or not user.is_active:
            return Screening.objects.none()
        if action == CHANGE:
            if not can_edit_in_scope(user):
                return Screening.objects.none()
            cases = case_access.visible_cases(user, case_access.CHANGE)
        else:
            cases = case_access.visible_cases(user)
        return Screening.objects.filter(_unattached_q(user) | Q(case__in=cases.values("pk")))


policy = ScreeningPolicy()
visible_screenings = policy.visible
get_screening_for_user = policy.get_for_user


def can_screen(user) -> bool:
    return can_register_cases(user)
