"""What a role may do, independent of which records it sees (that is each app's access module)."""

from django.db.models import Q

from sira.accounts.models import Role, Scope

# Roles that register and edit case records within their scope.
CASE_EDITORS = frozenset({Role.FRONTLINE, Role.CASE_MANAGER, Role.INVESTIGATOR})
# Roles whose dashboard is national aggregates: they never see identities unless granted a case.
AGGREGATE_ROLES = frozenset({Role.STATISTICIAN, Role.ADMINISTRATOR})
# A condition every row meets, that keeps its meaning when combined with others.
ALL = Q(pk__isnull=False)


# Break-glass (emergency access to a case outside one's scope): the roles that meet victims in person
# and may face an emergency at night or at a border — never national/aggregate roles, prosecutors
# (no emergency of theirs is met by reading a case) or anyone of an international partner organisation.
BREAK_GLASS_ROLES = frozenset({Role.FRONTLINE, Role.CASE_MANAGER, Role.INVESTIGATOR, Role.SERVICE_PROVIDER})
EXTERNAL_ORG_TYPES = frozenset({"InternationalOrganisation"})
# The committee (CNCLTP secretariat): national roles of a ministry service review emergency access.
COMMITTEE_ORG_TYPES = frozenset({"MinistryService"})


def _org_type(user) -> str:
    return user.organisation.org_type if user.organisation_id is not None else ""


def can_break_glass(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role in BREAK_GLASS_ROLES
        and user.organisation_id is not None
        and _org_type(user) not in EXTERNAL_ORG_TYPES
    )


def offers_break_glass(user) -> bool:
    """Whether to show the link to the emergency-access page (a role check, no query: the page itself
    asks `can_break_glass`, which also refuses partner organisations)."""
    return user.is_authenticated and user.role in BREAK_GLASS_ROLES


def reviews_access(user) -> bool:
    """Committee and secretariat users who review emergency access and urgent sharing."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role in AGGREGATE_ROLES
        and _org_type(user) in COMMITTEE_ORG_TYPES
    )


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


VIEW = "view"
CHANGE = "change"
EXPORT = "export"


class RecordPolicy:
    """The shape of every app's access policy: an app says which records a user may see for an
    action (`visible`); finding one record and asking "may they?" follow from it, the same way in every
    app. A record outside a user's reach answers 404, exactly like one that does not exist; one the
    user may see but not act on answers 403."""

    model = None
    related: tuple[str, ...] = ()

    def visible(self, user, action: str = VIEW):
        raise NotImplementedError

    def get_for_user(self, user, pk, action: str = VIEW):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        try:
            record = self.visible(user, VIEW).select_related(*self.related).get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if action != VIEW and not self.can(user, record, action):
            raise PermissionDenied
        return record

    def can(self, user, record, action: str) -> bool:
        return self.visible(user, action).filter(pk=record.pk).exists()
