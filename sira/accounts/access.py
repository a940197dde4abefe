"""What a role may do, independent of which records it sees (that is each app's access module)."""

from django.db.models import Q

from sira.accounts.models import Role, Scope

# Roles that register and edit case records within their scope.
CASE_EDITORS = frozenset({Role.FRONTLINE, Role.CASE_MANAGER, Role.INVESTIGATOR})
# Roles whose dashboard is national aggregates: they never see identities unless granted a case.
AGGREGATE_ROLES = frozenset({Role.STATISTICIAN, Role.ADMINISTRATOR})
# A condition every row meets, that keeps its meaning when combined with others.
ALL = Q(pk__isnull=False)


def can_register_cases(user) -> bool:
    return user.is_authenticated and user.organisation_id is not None and user.role in CASE_EDITORS


def can_edit_in_scope(user) -> bool:
    return user.role in CASE_EDITORS and user.scope != Scope.GRANTED


def sees_aggregates(user) -> bool:
    return user.is_authenticated and user.role in AGGREGATE_ROLES


def scope_q(user, *, organisation: str, owners: tuple[str, ...], region: str) -> Q:
    """Records within the user's standing scope (never those granted), for any model: the caller names
    the fields holding the owning organisation, the owning users and the region."""
    if user.scope == Scope.NATIONAL:
        # Not Q(): an empty Q vanishes when OR-ed with the grants (`Q() | grants` is just the grants).
        return ALL
    if user.organisation_id is None:
        return Q(pk__in=[])
    own_org = Q(**{organisation: user.organisation_id})
    if user.scope == Scope.ORGANISATION:
        return own_org
    if user.scope == Scope.REGION:
        region_id = user.organisation.region_id
        return Q(**{region: region_id}) if region_id else own_org
    if user.scope == Scope.OWN:
        mine = Q(pk__in=[])
        for owner in owners:
            mine |= Q(**{owner: user})
        return own_org & mine
    return Q(pk__in=[])
