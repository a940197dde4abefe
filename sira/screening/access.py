"""Which screenings a user may see or change. A screening attached to a case follows the case's access;
one without a case follows the screener's organisation, like a case would."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from sira.accounts.access import can_edit_in_scope, can_register_cases, scope_q
from sira.cases import access as case_access
from sira.screening.models import Screening

VIEW = "view"
CHANGE = "change"


def _unattached_q(user) -> Q:
    scope = scope_q(user, organisation="organisation_id", owners=("screened_by",), region="region_id")
    return Q(case__isnull=True) & scope


def visible_screenings(user, action: str = VIEW) -> QuerySet[Screening]:
    if not user.is_authenticated or not user.is_active:
        return Screening.objects.none()
    if action == CHANGE:
        if not can_edit_in_scope(user):
            return Screening.objects.none()
        cases = case_access.visible_cases(user, case_access.CHANGE)
    else:
        cases = case_access.visible_cases(user)
    return Screening.objects.filter(_unattached_q(user) | Q(case__in=cases.values("pk")))


def get_screening_for_user(user, pk, action: str = VIEW) -> Screening:
    try:
        screening = visible_screenings(user).select_related("catalogue", "case").get(pk=pk)
    except (Screening.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != VIEW and not visible_screenings(user, action).filter(pk=pk).exists():
        raise PermissionDenied
    return screening


def can_screen(user) -> bool:
    return can_register_cases(user)
