"""Who may see and act on duplicates. Built on the registry's case policy: a match at another
organisation is shown as that organisation's name only, to anyone who sees the new case; asking
needs the right to change that case; answering needs the right to change the case asked about, in
its own organisation; merging, the right to change both cases, both of one's own organisation."""

from django.db.models import Q
from django.http import Http404

from sira.accounts.access import can_register_cases
from sira.cases import access as case_access
from sira.duplicates.models import DuplicateRequest


def can_request(user, source_case) -> bool:
    """A worker of the case's own organisation who may change it (the grant, if any, goes to that
    organisation: a national-scope user of another one does not ask on its behalf)."""
    return (
        can_register_cases(user)
        and user.organisation_id == source_case.organisation_id
        and case_access.can(user, source_case, case_access.CHANGE)
    )


def can_answer(user, req: DuplicateRequest) -> bool:
    return (
        user.is_authenticated
        and user.organisation_id is not None
        and user.organisation_id == req.target_organisation_id
        and case_access.can(user, req.target_case, case_access.CHANGE)
    )


def can_merge(user, case_a, case_b) -> bool:
    return (
        user.is_authenticated
        and user.organisation_id is not None
        and case_a.person_id != case_b.person_id
        and case_a.person.organisation_id == user.organisation_id
        and case_b.person.organisation_id == user.organisation_id
        and case_access.can(user, case_a, case_access.CHANGE)
        and case_access.can(user, case_b, case_access.CHANGE)
    )


def visible_requests(user):
    """Requests sent by the user's organisation, and those received that the user may answer."""
    if not user.is_authenticated or user.organisation_id is None:
        return DuplicateRequest.objects.none()
    answerable = case_access.visible_cases(user, case_access.CHANGE).values("pk")
    return DuplicateRequest.objects.filter(
        Q(requesting_organisation_id=user.organisation_id)
        | Q(target_organisation_id=user.organisation_id, target_case__in=answerable)
    ).select_related("requesting_organisation", "target_organisation", "source_case")


def get_request_for_user(user, pk) -> DuplicateRequest:
    try:
        return visible_requests(user).get(pk=int(pk))
    except (DuplicateRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_asker(user, req: DuplicateRequest) -> bool:
    return user.organisation_id == req.requesting_organisation_id
