"""Changes to accounts, and the separation of duties around them.

A user's *access* is what decides what they may reach: role, scope, organisation, staff and superuser
status, groups and permissions (ACCESS_FIELDS). Nobody changes their own access. An administrator's
change to someone else's access is held as a pending AccessChange until a second administrator, who is
neither the requester nor the account concerned, approves it; a new account has no access until then.
Every step is written to the audit chain, with the access codes and ids (never names or contacts)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sira.accounts.models import DEFAULT_SCOPE, AccessChange, Role, Scope, User
from sira.audit.models import AuditEvent
from sira.audit.services import record

ACCESS_FIELDS = ("role", "scope", "organisation", "is_staff", "is_superuser", "groups", "user_permissions")
MANY = ("groups", "user_permissions")
# What a new account holds until its access is approved: no organisation, so no case and no figure.
NO_ACCESS = {
    "role": Role.FRONTLINE,
    "scope": Scope.OWN,
    "organisation": None,
    "is_staff": False,
    "is_superuser": False,
}
# Who may approve or reject a held change, besides being a second person.
DECIDER_PERMISSION = "accounts.change_user"

SELF_CHANGE = gettext_lazy(
    "You cannot change your own access (role, scope, organisation, staff or superuser status, groups, "
    "permissions). Ask another administrator."
)


def _code(field: str, value):
    """A field's value as stored in an AccessChange and in the audit log: codes and ids."""
    if field in MANY:
        return sorted(getattr(v, "pk", v) for v in (value or []))
    if field == "organisation":
        return getattr(value, "pk", value)
    return value


def access_of(user: User) -> dict:
    """The user's current access, as codes and ids."""
    values = {f: _code(f, getattr(user, f)) for f in ACCESS_FIELDS if f not in MANY and f != "organisation"}
    values["organisation"] = user.organisation_id
    for field in MANY:
        values[field] = sorted(getattr(user, field).values_list("pk", flat=True)) if user.pk else []
    return values


def refuse_self_change(by: User, user: User, fields) -> None:
    """Nobody changes their own access, whatever the path (admin, any page, any service)."""
    if user.pk is not None and by.pk == user.pk and set(fields) & set(ACCESS_FIELDS):
        raise ValidationError(SELF_CHANGE, code="self_access_change")


@transaction.atomic
def request_access_change(user: User, *, by: User, proposed: dict, request=None) -> AccessChange | None:
    """Hold a change to `user`'s access for a second administrator's approval. `proposed` maps access
    fields to their new values (instances or ids); fields absent or unchanged are left alone. Returns the
    pending change, or None when nothing would change."""
    current = access_of(user)
    wanted = {f: _code(f, v) for f, v in proposed.items() if f in ACCESS_FIELDS}
    if "scope" in wanted and not wanted["scope"]:  # left blank: the new role's default
        wanted["scope"] = DEFAULT_SCOPE[Role(wanted.get("role") or current["role"])].value
    changes = {f: [current[f], new] for f, new in wanted.items() if new != current[f]}
    if not changes:
        return None
    refuse_self_change(by, user, changes)
    change = AccessChange.objects.create(user=user, requested_by=by, changes=changes)
    record(
        AuditEvent.Action.ACCESS_REQUESTED,
        actor=by,
        request=request,
        obj=user,
        change=change.pk,
        changes=changes,
    )
    return change


@transaction.atomic
def create_user(user: User, *, by: User, proposed: dict, fields=(), request=None) -> AccessChange | None:
    """Save a new account (built by a form) with no access, and hold the access asked for it."""
    for field, value in NO_ACCESS.items():
        setattr(user, field, value)
    user.save()
    other = sorted(f for f in fields if f not in ACCESS_FIELDS and not f.startswith("password"))
    record(AuditEvent.Action.CREATE, actor=by, request=request, obj=user, fields=other, via="admin")
    return request_access_change(user, by=by, proposed=proposed, request=request)


@transaction.atomic
def update_user(user: User, *, by: User, fields, proposed: dict, request=None) -> AccessChange | None:
    """Save a change to an account made by a form (`user` carries the new values, `fields` names the
    fields changed): everything but its access at once, its access held for approval."""
    refuse_self_change(by, user, fields)
    saved = User.objects.get(pk=user.pk)
    for field in ACCESS_FIELDS:
        if field not in MANY:
            setattr(user, field, getattr(saved, field))
    user.save()
    other = sorted(f for f in fields if f not in ACCESS_FIELDS)
    if other:
        record(AuditEvent.Action.CHANGE, actor=by, request=request, obj=user, fields=other, via="admin")
    return request_access_change(user, by=by, proposed=proposed, request=request)


def record_password_change(user: User, *, by: User, request=None) -> None:
    record(AuditEvent.Action.CHANGE, actor=by, request=request, obj=user, fields=["password"], via="admin")


def may_decide(by: User) -> bool:
    return by.is_active and by.is_staff and by.has_perm(DECIDER_PERMISSION)


def _refuse_decision(change: AccessChange, by: User, *, approving: bool) -> None:
    if change.status != AccessChange.Status.PENDING:
        raise ValidationError(_("This access change has already been decided."), code="decided")
    if not may_decide(by):
        raise ValidationError(_("Only an administrator may decide on access changes."), code="not_admin")
    if by.pk == change.user_id:
        raise ValidationError(_("You cannot decide on a change to your own access."), code="own_account")
    if approving and by.pk == change.requested_by_id:
        raise ValidationError(
            _("A second administrator must approve this change: you requested it."), code="same_person"
        )


@transaction.atomic
def approve_access_change(change: AccessChange, *, by: User, request=None) -> User:
    """Apply a held change, if the account's access is still what it was when the change was asked."""
    change = AccessChange.objects.select_for_update().get(pk=change.pk)
    _refuse_decision(change, by, approving=True)
    user = User.objects.select_for_update().get(pk=change.user_id)
    current = access_of(user)
    stale = sorted(f for f, (before, _after) in change.changes.items() if current[f] != before)
    if stale:
        raise ValidationError(
            _("The account's access has changed since this request (%(fields)s): reject it and ask again.")
            % {"fields": ", ".join(stale)},
            code="stale",
        )
    for field, (_before, after) in change.changes.items():
        if field in MANY:
            getattr(user, field).set(after)
        elif field == "organisation":
            user.organisation_id = after
        else:
            setattr(user, field, after)
    user.save()
    change.status, change.decided_by, change.decided_at = AccessChange.Status.APPROVED, by, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        AuditEvent.Action.ACCESS_APPROVED,
        actor=by,
        request=request,
        obj=user,
        change=change.pk,
        requested_by=change.requested_by.username,
        changes=change.changes,
    )
    return user


@transaction.atomic
def reject_access_change(change: AccessChange, *, by: User, request=None) -> None:
    """Refuse a held change (the requester may withdraw it); the account keeps its access."""
    change = AccessChange.objects.select_for_update().get(pk=change.pk)
    _refuse_decision(change, by, approving=False)
    change.status, change.decided_by, change.decided_at = AccessChange.Status.REJECTED, by, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    record(AuditEvent.Action.ACCESS_REJECTED, actor=by, request=request, obj=change.user, change=change.pk)


def may_delete(user: User) -> bool:
    """An account that appears in the audit log stays, as evidence: deactivate it instead."""
    return not AuditEvent.objects.filter(actor=user).exists()


def describe(change: AccessChange) -> str:
    """The change for the approver, in their language: "role: Frontline worker → Prosecutor; …"."""
    from sira.accounts.models import Organisation

    def label(field, value):
        if field == "role":
            return str(Role(value).label)
        if field == "scope":
            return str(Scope(value).label)
        if field == "organisation":
            return str(Organisation.objects.filter(pk=value).first() or "—")
        if field in ("is_staff", "is_superuser"):
            return _("yes") if value else _("no")
        related = User._meta.get_field(field).related_model.objects.filter(pk__in=value)
        return ", ".join(sorted(map(str, related))) or "—"

    parts = []
    for field, (before, after) in sorted(change.changes.items()):
        name = User._meta.get_field(field).verbose_name
        parts.append(format_lazy("{}: {} → {}", name, label(field, before), label(field, after)))
    return "; ".join(str(p) for p in parts)



def password_changed(request) -> None:
    """Record a password change made on the password page. The change itself ends the user's API tokens
    (tokens.py compares the password a token was created under) and Django ends their other sessions."""
    record(AuditEvent.Action.CHANGE, request=request, obj=request.user, fields=["password"])
