"""Duplicates' state changes: a request to another organisation to confirm and share, its answer,
and the merge of two records of one person within an organisation. Each runs in one transaction and
writes its audit entry; no audit detail or notice names the person (case ids and references only)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from sira.accounts.models import Organisation, Role, User
from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.cases import access as case_access
from sira.cases import services as case_services
from sira.cases.models import Case, Person, PersonNameToken
from sira.duplicates import access, matching
from sira.duplicates.models import DuplicateRequest, PersonMerge
from sira.referrals.services import notify

REQUESTED = gettext_noop(
    "%(org)s asks whether one of your cases is the same person as one of theirs, and to share it "
    "(request %(ref)s)."
)
CONFIRMED = gettext_noop("%(org)s confirmed the probable duplicate and shared its case (request %(ref)s).")
DENIED = gettext_noop("%(org)s answered that it does not share a case for request %(ref)s.")


def matches(case: Case) -> list[matching.Match]:
    """Probable duplicates of the case's person across every organisation (not decrypted)."""
    own_cases = list(case.person.cases.values_list("pk", flat=True))
    return matching.find(case.person, own_cases)


def match_views(user, case: Case) -> list[dict]:
    """What a user is told of each probable duplicate of a case. A case the user may see: its number.
    One the user may not: only the organisation holding it (one line per organisation), with the
    request already sent, if any."""
    found = matches(case)
    if not found:
        return []
    visible = set(
        case_access.visible_cases(user).filter(pk__in=[m.case_id for m in found]).values_list("pk", flat=True)
    )
    requests = {
        r.target_organisation_id: r
        for r in DuplicateRequest.objects.filter(source_case=case).order_by("created_at", "pk")
    }
    cases = Case.objects.in_bulk([m.case_id for m in found if m.case_id in visible])
    orgs = Organisation.objects.in_bulk({m.organisation_id for m in found})
    views, seen_orgs = [], set()
    for m in found:
        if m.case_id in visible:
            other = cases[m.case_id]
            same_org = other.organisation_id == case.organisation_id
            views.append(
                {
                    "kind": "same_organisation" if same_org else "visible",
                    "case": other,
                    "organisation": orgs[m.organisation_id],
                    "can_merge": same_org and access.can_merge(user, case, other),
                }
            )
        elif m.organisation_id not in seen_orgs:
            seen_orgs.add(m.organisation_id)
            own = m.organisation_id == case.organisation_id
            views.append(
                {
                    "kind": "hidden_own" if own else "elsewhere",
                    "organisation": orgs[m.organisation_id],
                    "request": requests.get(m.organisation_id),
                    "can_request": (not own) and access.can_request(user, case),
                }
            )
    return views


def _notice(message: str, params: dict) -> str:
    texts = []
    for lang in ("fr", "en"):
        with override(lang):
            texts.append(_(message) % params)
    return " / ".join(texts)


def _tell(users, req: DuplicateRequest, event: str, message: str, org) -> None:
    params = {"org": org.name, "ref": req.reference}
    notify(
        users,
        key=f"duplicate:{req.pk}:{event}",
        text=_notice(message, params),
        url=reverse("duplicates:request", args=[req.pk]),
        message=message,
        params=params,
    )


def _answerers(case: Case) -> list:
    """Who is told of a request: the case's owner and the case managers of its organisation."""
    managers = User.objects.filter(
        organisation_id=case.organisation_id, role=Role.CASE_MANAGER, is_active=True
    )
    users = {u.pk: u for u in managers}
    users.setdefault(case.owner_id, case.owner)
    return [u for u in users.values() if case_access.can(u, case, case_access.CHANGE)]


@transaction.atomic
def request_confirmation(source_case: Case, *, by, organisation_id: int, request=None) -> DuplicateRequest:
    """Ask an organisation holding a probable duplicate of the case to confirm it and share its case.
    The case asked about is chosen here, from the matches: the asker never names it (nor learns it)."""
    if not access.can_request(by, source_case):
        raise PermissionDenied
    org_id = int(organisation_id)
    found = [m for m in matches(source_case) if m.organisation_id == org_id]
    seen = case_access.visible_cases(by).filter(pk__in=[m.case_id for m in found])
    visible = set(seen.values_list("pk", flat=True))
    best = [m for m in found if m.case_id not in visible]
    if not best or org_id == source_case.organisation_id:
        raise ValidationError({"organisation": _("No probable duplicate to ask this organisation about.")})
    target = Case.objects.select_related("owner").get(pk=best[0].case_id)
    existing = DuplicateRequest.objects.filter(
        source_case=source_case, target_case=target, state=DuplicateRequest.State.PENDING
    ).first()
    if existing is not None:
        return existing
    req = DuplicateRequest.objects.create(
        source_case=source_case,
        target_case=target,
        requesting_organisation_id=source_case.organisation_id,
        target_organisation_id=target.organisation_id,
        requested_by=by,
        score=best[0].score,
    )
    record(
        AuditEvent.Action.ACCESS_REQUESTED,
        actor=by,
        request=request,
        obj=req,
        source_case=source_case.pk,
        target_case=target.pk,
        organisation=target.organisation_id,
        score=req.score,
    )
    _tell(_answerers(target), req, "requested", REQUESTED, req.requesting_organisation)
    return req


def _pending(req: DuplicateRequest, by) -> DuplicateRequest:
    fresh = DuplicateRequest.objects.select_for_update().select_related("target_case").get(pk=req.pk)
    if not access.can_answer(by, fresh):
        raise PermissionDenied
    if fresh.state != DuplicateRequest.State.PENDING:
        raise ValidationError({"state": _("This request has already been answered.")})
    return fresh


@transaction.atomic
def confirm_request(req: DuplicateRequest, *, by, request=None) -> DuplicateRequest:
    """The same person: share the case with the asking organisation, as sharing does — through the
    consent gate (the person's active consent to share with that organisation), or not at all."""
    fresh = _pending(req, by)
    grant = case_services.grant_access(
        fresh.target_case,
        by=by,
        organisation=fresh.requesting_organisation,
        reason=_("Probable duplicate confirmed (request %(ref)s)") % {"ref": fresh.reference},
        request=request,
    )
    fresh.state = DuplicateRequest.State.CONFIRMED
    fresh.decided_by, fresh.decided_at, fresh.grant = by, timezone.now(), grant
    fresh.save(update_fields=["state", "decided_by", "decided_at", "grant"])
    record(
        AuditEvent.Action.ACCESS_APPROVED,
        actor=by,
        request=request,
        obj=fresh,
        grant=grant.pk,
        state=fresh.state,
    )
    _tell([fresh.requested_by], fresh, "confirmed", CONFIRMED, fresh.target_organisation)
    return fresh


@transaction.atomic
def deny_request(req: DuplicateRequest, *, by, request=None) -> DuplicateRequest:
    """Not the same person, or not to be shared: the asker learns only that the answer is no."""
    fresh = _pending(req, by)
    fresh.state = DuplicateRequest.State.DENIED
    fresh.decided_by, fresh.decided_at = by, timezone.now()
    fresh.save(update_fields=["state", "decided_by", "decided_at"])
    record(AuditEvent.Action.ACCESS_REJECTED, actor=by, request=request, obj=fresh, state=fresh.state)
    _tell([fresh.requested_by], fresh, "denied", DENIED, fresh.target_organisation)
    return fresh


# ---------------------------------------------------------------------------------------------------
# Merge within an organisation.

# Relations to a person that a merge does not move: its own name tokens (rebuilt) and merge records.
NOT_MOVED = ("cases.personnametoken", "duplicates.personmerge")


def person_relations():
    """Every relation pointing to Person, from Django's meta API (any app, present or future)."""
    return [
        rel for rel in Person._meta.get_fields() if rel.is_relation and rel.auto_created and not rel.concrete
    ]


def _move(rel, merged: Person, kept: Person) -> tuple[str, list]:
    model = rel.related_model
    label = f"{model._meta.label_lower}.{rel.field.name}"
    if rel.many_to_many:
        through = rel.through if hasattr(rel, "through") else rel.field.remote_field.through
        source = rel.field.m2m_reverse_field_name()
        rows = through.objects.filter(**{f"{source}_id": merged.pk})
        ids = list(rows.values_list("pk", flat=True))
        owner = rel.field.m2m_field_name()
        already = set(
            through.objects.filter(**{f"{source}_id": kept.pk}).values_list(f"{owner}_id", flat=True)
        )
        rows.filter(**{f"{owner}_id__in": already}).delete()
        through.objects.filter(pk__in=ids).update(**{f"{source}_id": kept.pk})
        return label, ids
    rows = model._default_manager.filter(**{rel.field.name: merged})
    ids = list(rows.values_list("pk", flat=True))
    rows.update(**{rel.field.name: kept})
    return label, ids


@transaction.atomic
def merge(kept_case: Case, merged_case: Case, *, by, request=None) -> PersonMerge:
    """Make the person of `merged_case` one with the person of `kept_case`: every row pointing to the
    merged person (their cases, and through them every history: exploitations, route, consents,
    notes, assistance, grants, referrals, screenings, justice links…) now points to the kept person.
    Nothing is deleted; the merged person's row stays, without name tokens."""
    kept_case = Case.objects.select_related("person").get(pk=kept_case.pk)
    merged_case = Case.objects.select_related("person").get(pk=merged_case.pk)
    if not access.can_merge(by, kept_case, merged_case):
        raise PermissionDenied
    kept = Person.objects.select_for_update().get(pk=kept_case.person_id)
    merged = Person.objects.select_for_update().get(pk=merged_case.person_id)
    if PersonMerge.objects.filter(merged__in=[kept, merged]).exists():
        raise ValidationError({"merge": _("One of these records has already been merged.")})
    moved = {}
    for rel in person_relations():
        if rel.related_model._meta.label_lower in NOT_MOVED:
            continue
        label, ids = _move(rel, merged, kept)
        if ids:
            moved[label] = ids
    PersonNameToken.objects.filter(person=merged).delete()
    PersonNameToken.rebuild(kept)
    result = PersonMerge.objects.create(
        organisation_id=kept.organisation_id, kept=kept, merged=merged, merged_by=by, moved=moved
    )
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=kept,
        fields=["merge"],
        merged_person=merged.pk,
        merge=result.pk,
        moved={k: len(v) for k, v in moved.items()},
        cases=[kept_case.pk, merged_case.pk],
    )
    return result
