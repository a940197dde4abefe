"""What a role may do, independent of which records it sees (that is each app's access module)."""

from sira.accounts.models import Role, Scope

# Roles that register and edit case records within their scope.
CASE_EDITORS = frozenset({Role.FRONTLINE, Role.CASE_MANAGER, Role.INVESTIGATOR})
# Roles whose dashboard is national aggregates: they never see identities unless granted a case.
AGGREGATE_ROLES = frozenset({Role.STATISTICIAN, Role.ADMINISTRATOR})


def can_register_cases(user) -> bool:
    return user.is_authenticated and user.organisation_id is not None and user.role in CASE_EDITORS


def can_edit_in_scope(user) -> bool:
    return user.role in CASE_EDITORS and user.scope != Scope.GRANTED


def sees_aggregates(user) -> bool:
    return user.is_authenticated and user.role in AGGREGATE_ROLES
