"""Every change to referrals, the directory and notifications. Each verb runs in one transaction,
checks the rules of rules.py (the transition table among them) and writes its audit entry; pages,
the API, the deadline command and the demo seeding all call these.

A write that breaks a rule raises ValidationError with all its errors and changes nothing."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.cases import services as case_services
from sira.cases.models import Case, CaseGrant
from sira.core.vocab import label
from sira.referrals import access, catalogue, rules
from sira.referrals.models import FollowUpTask, Notification, Referral, ServiceOffering


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError({key: [message] for key, message in errors.items()})


def _now() -> dt.datetime:
    return timezone.now()


# ---------------------------------------------------------------------------------------------------
# Reading a case for a referral


def person_facts(case: Case) -> rules.Person:
    """What eligibility is checked on (no identity)."""
    return rules.Person(
        gender=case.person.gender,
        age=case.age_at_identification,
        nationalities=tuple(c.code for c in case.person.citizenships),
        forms=tuple(case.exploitations.values_list("form", flat=True)),
        region=case.identification_region_id,
    )


def _offer(o: ServiceOffering) -> rules.Offer:
    return rules.Offer(
        pk=o.pk,
        service=o.service,
        sexes=tuple(o.sexes or ()),
        age_min=o.age_min,
        age_max=o.age_max,
        nationalities=tuple(c.code for c in o.nationalities),
        forms=tuple(o.forms or ()),
        region=o.region_id,
        lat=o.latitude,
        lon=o.longitude,
        total=o.capacity_total,
        in_use=o.capacity_in_use,
    )


def suggestions(case: Case, service: str, *, limit: int = 10) -> list[tuple[ServiceOffering, float | None]]:
    """The providers to suggest for a case and a service (rules.suggest): never the case's own
    organisation, never a full one where places are counted."""
    offerings = {
        o.pk: o
        for o in ServiceOffering.objects.filter(service=service, active=True)
        .exclude(organisation_id=case.organisation_id)
        .select_related("organisation", "region", "cercle")
    }
    region = case.identification_region
    places = bool(catalogue.service_types().get(service, {}).get("places"))
    ranked = rules.suggest(
        [_offer(o) for o in offerings.values()],
        person_facts(case),
        service=service,
        places=places,
        origin=(region.centroid_lat, region.centroid_lon),
    )
    return [(offerings[offer.pk], km) for offer, km in ranked[:limit]]


def _display(case: Case, field: str) -> str:
    person = case.person
    if field == "age":
        return "" if case.age_at_identification is None else str(case.age_at_identification)
    if field == "gender":
        return person.get_gender_display()
    if field == "citizenships":
        return ", ".join(c.name for c in person.citizenships)
    if field == "primary_language":
        return person.get_primary_language_display()
    if field == "has_disability":
        return {True: _("yes"), False: _("no")}.get(person.has_disability, "")
    if field == "region":
        return str(case.identification_region)
    if field == "forms":
        return ", ".join(e.get_form_display() for e in case.exploitations.all())
    if field == "narrative":
        return case.narrative or ""
    return getattr(person, field) or ""


def packet(case: Case, fields) -> list[dict]:
    """The packet as it is (or would be) shared: each chosen field's label and value. The sender's
    preview and the receiver's page show exactly this."""
    return [
        {"field": f, "label": rules.PACKET_FIELDS[f], "value": _display(case, f)}
        for f in rules.PACKET_FIELDS
        if f in set(fields)
    ]


def default_packet(service: str, pathway: str = "") -> list[str]:
    if pathway and pathway in catalogue.pathways():
        return list(catalogue.pathways()[pathway]["packet"])
    return list(catalogue.service_types().get(service, {}).get("packet", []))


# ---------------------------------------------------------------------------------------------------
# Notifications


def email_enabled() -> bool:
    return bool(getattr(settings, "SIRA_REFERRAL_EMAIL", False))


def notify(users, *, key: str, text: str, url: str = "", message: str = "", params=None) -> int:
    """One notice per user and event (`key`): sending twice adds nothing. An e-mail goes too when
    configured (SIRA_REFERRAL_EMAIL), with the same text: a reference and a service, never a name."""
    created = 0
    for user in users:
        try:
            with transaction.atomic():
                Notification.objects.create(
                    user=user, key=key, text=text[:300], url=url, message=message, params=params or {}
                )
        except IntegrityError:
            continue
        created += 1
        if email_enabled() and user.email:
            transaction.on_commit(
                lambda u=user: send_mail(
                    "Sira",
                    f"{text}\n{getattr(settings, 'SIRA_SITE_URL', '')}{url}",
                    None,
                    [u.email],
                    fail_silently=True,
                )
            )
    return created


def _notice(referral: Referral, message: str) -> str:
    """A notice's text, in French (the working language) with the English after it."""
    texts = []
    for lang in ("fr", "en"):
        with override(lang):
            texts.append(
                _(message)
                % {"ref": referral.reference, "service": label("service_type", referral.service, lang)}
            )
    return " / ".join(texts)


def _tell(referral: Referral, users, event: str, message: str) -> None:
    url = reverse("referrals:detail", args=[referral.pk])
    notify(
        users,
        key=f"referral:{referral.pk}:{event}",
        text=_notice(referral, message),
        url=url,
        message=message,
        params={"ref": referral.reference, "service": referral.service},
    )


@transaction.atomic
def mark_read(user, notification_ids=None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=_now())


# ---------------------------------------------------------------------------------------------------
# Sending


def send_errors(case: Case, *, by, offering, service, shared_fields, urgent, urgent_reason, pathway=""):
    """Every rule a referral would break, without writing: the preview shows them before sending."""
    errors: dict[str, str] = {}
    if offering is None:
        errors["offering"] = _("Choose the provider to refer to.")
    else:
        if not offering.active:
            errors["offering"] = _("This service is no longer offered.")
        elif offering.service != service:
            errors["offering"] = _("This provider does not offer the service chosen.")
        elif (
            offering.organisation_id == by.organisation_id or offering.organisation_id == case.organisation_id
        ):
            errors["offering"] = _("A case is referred to another organisation, not to its own.")
        elif rules.ineligibility(_offer(offering), person_facts(case)):
            errors["offering"] = _("This service is not for this person (sex, age, nationality or form).")
    if service not in catalogue.service_types():
        errors["service"] = _("Choose the service needed.")
    if pathway:
        if pathway not in catalogue.pathways():
            errors["pathway"] = _("Unknown pathway.")
        else:
            errors |= rules.pathway_errors(catalogue.pathways()[pathway], person_facts(case))
    errors |= rules.check_packet(shared_fields)
    if offering is not None and "offering" not in errors:
        basis = case_services.sharing_basis(case, offering.organisation_id)
        errors |= rules.check_consent_gate(basis=basis, urgent=urgent, urgent_reason=urgent_reason)
    return errors


@transaction.atomic
def send_referral(
    case: Case,
    *,
    by,
    offering: ServiceOffering,
    service: str,
    shared_fields,
    urgent: bool = False,
    urgent_reason: str = "",
    message: str = "",
    pathway: str = "",
    request=None,
    synthetic: bool = False,
    now: dt.datetime | None = None,
) -> Referral:
    """Send a case to a provider for a service, carrying only `shared_fields`. Callers check that
    `by` may refer the case (access.can_refer)."""
    case = Case.objects.select_related("person", "identification_region").get(pk=case.pk)
    if pathway and pathway in catalogue.pathways():
        urgent = urgent or bool(catalogue.pathways()[pathway].get("urgent"))
    _raise_if(
        send_errors(
            case,
            by=by,
            offering=offering,
            service=service,
            shared_fields=shared_fields,
            urgent=urgent,
            urgent_reason=urgent_reason,
            pathway=pathway,
        )
    )
    basis = case_services.sharing_basis(case, offering.organisation_id)
    now = now or _now()
    facts = person_facts(case)
    referral = Referral.objects.create(
        case=case,
        sender_id=by.organisation_id,
        sent_by=by,
        receiver_id=offering.organisation_id,
        offering=offering,
        service=service,
        pathway=pathway,
        urgent=urgent,
        shared_fields=[f for f in rules.PACKET_FIELDS if f in set(shared_fields)],
        basis=basis or CaseGrant.Basis.URGENT,
        urgent_reason=(urgent_reason or "").strip() if basis is None else "",
        needs_review=basis is None,
        gender=facts.gender,
        age=facts.age,
        nationality=facts.nationalities[0] if facts.nationalities else "",
        region_id=facts.region,
        forms=list(facts.forms),
        message=(message or "").strip(),
        sent_at=now,
        due_at=rules.response_deadline(
            sent_at=now,
            urgent=urgent,
            service=catalogue.service_types()[service],
            pathway=catalogue.pathways().get(pathway) if pathway else None,
        ),
        is_synthetic=synthetic,
    )
    record(
        AuditEvent.Action.CREATE,
        actor=by,
        request=request,
        obj=referral,
        case=case.pk,
        receiver=referral.receiver_id,
        service=service,
        pathway=pathway,
        urgent=urgent,
        basis=referral.basis,
        needs_review=referral.needs_review,
        shared_fields=referral.shared_fields,
        state=referral.state,
    )
    _tell(
        referral,
        access.organisation_users(referral.receiver_id),
        "sent",
        gettext_noop("New referral %(ref)s: %(service)s."),
    )
    if referral.needs_review:
        _tell(
            referral,
            access.coordinators(),
            "review",
            gettext_noop("Urgent referral %(ref)s (%(service)s) sent without consent: to review."),
        )
    return referral


# ---------------------------------------------------------------------------------------------------
# The workflow: each transition checks the table (rules.TRANSITIONS) for the user's side.


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update().select_related("case", "receiver", "sender").get(pk=referral.pk)
    )


def _move(fresh: Referral, action: str, *, by, request, errors=None, **detail) -> Referral:
    before = fresh.state
    fresh.state = rules.next_state(before, action)
    fresh.save()
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=fresh,
        case=fresh.case_id,
        transition=action,
        state_from=before,
        state=fresh.state,
        **detail,
    )
    return fresh


def _check(fresh: Referral, action: str, by, extra: dict | None = None) -> None:
    errors = rules.check_transition(state=fresh.state, action=action, side=access.side(by, fresh))
    _raise_if(errors or (extra or {}))


def _end_access(fresh: Referral, *, by, request) -> None:
    if fresh.grant_id and fresh.grant.revoked_at is None:
        case_services.revoke_grant(fresh.grant, by=by, request=request, limited_ok=True)


@transaction.atomic
def accept_referral(referral: Referral, *, by, case_worker, request=None, now=None) -> Referral:
    """The receiver takes the person on and names the case worker; from now on (and while the
    referral is open) its workers read exactly the shared fields (a grant limited to them)."""
    fresh = _locked(referral)
    extra = {}
    if case_worker is None:
        extra = {"case_worker": _("Choose a case worker of your organisation.")}
    else:
        extra = rules.check_case_worker(
            worker_org_id=case_worker.organisation_id,
            receiver_id=fresh.receiver_id,
            active=case_worker.is_active,
        )
    _check(fresh, "accept", by, extra)
    fresh.grant = case_services.grant_access(
        fresh.case,
        by=by,
        organisation=fresh.receiver,
        reason=f"Referral {fresh.reference}",
        urgent_reason=fresh.urgent_reason or "",
        fields=fresh.shared_fields,
        request=request,
    )
    fresh.case_worker = case_worker
    fresh.responded_at = now or _now()
    _move(fresh, "accept", by=by, request=request, case_worker=case_worker.pk, grant=fresh.grant.pk)
    _tell(
        fresh,
        access.organisation_users(fresh.sender_id),
        "accepted",
        gettext_noop("Referral %(ref)s (%(service)s) accepted."),
    )
    return fresh


@transaction.atomic
def decline_referral(
    referral: Referral, *, by, reason: str, note: str = "", request=None, now=None
) -> Referral:
    fresh = _locked(referral)
    extra = rules.check_decline(reason=reason, reasons=set(Referral.DeclineReason.values), note=note)
    _check(fresh, "decline", by, extra)
    fresh.decline_reason, fresh.decline_note = reason, (note or "").strip()
    fresh.responded_at = fresh.ended_at = now or _now()
    _move(fresh, "decline", by=by, request=request, reason=reason, unmet=reason in rules.UNMET_REASONS)
    _tell(
        fresh,
        access.organisation_users(fresh.sender_id),
        "declined",
        gettext_noop("Referral %(ref)s (%(service)s) declined."),
    )
    return fresh


@transaction.atomic
def start_service(referral: Referral, *, by, request=None, now=None) -> Referral:
    fresh = _locked(referral)
    _check(fresh, "start", by)
    fresh.started_at = now or _now()
    return _move(fresh, "start", by=by, request=request)


@transaction.atomic
def complete_referral(referral: Referral, *, by, note: str = "", request=None, now=None) -> Referral:
    """The receiver confirms the service was given: the assistance is recorded on the case, and the
    receiver's access to the shared fields ends."""
    fresh = _locked(referral)
    _check(fresh, "complete", by)
    fresh.ended_at = now or _now()
    assistance = case_services.record_assistance(
        fresh.case,
        by=by,
        service=fresh.service,
        provider=fresh.receiver,
        given_on=timezone.localdate(fresh.ended_at),
        note=note,
        referral_id=fresh.pk,
        request=request,
    )
    _end_access(fresh, by=by, request=request)
    _move(fresh, "complete", by=by, request=request, assistance=assistance.pk)
    _tell(
        fresh,
        access.organisation_users(fresh.sender_id),
        "completed",
        gettext_noop("Referral %(ref)s (%(service)s) completed."),
    )
    return fresh


@transaction.atomic
def withdraw_referral(referral: Referral, *, by, request=None, now=None) -> Referral:
    """The sender takes the referral back; any access the receiver had ends now."""
    fresh = _locked(referral)
    _check(fresh, "withdraw", by)
    fresh.ended_at = now or _now()
    _end_access(fresh, by=by, request=request)
    _move(fresh, "withdraw", by=by, request=request)
    _tell(
        fresh,
        access.organisation_users(fresh.receiver_id),
        "withdrawn",
        gettext_noop("Referral %(ref)s (%(service)s) withdrawn by the sender."),
    )
    return fresh


def end_for_withdrawn_consent(referral: Referral, *, by, request=None, now=None) -> Referral:
    """The person withdrew the consent an open referral rested on: it ends as withdrawn (whoever
    recorded the withdrawal), both sides are told, and its access has already ended with the consent."""
    fresh = _locked(referral)
    if fresh.state not in rules.OPEN_STATES:  # accepted or in service: what a grant rests on
        return fresh
    fresh.ended_at = now or _now()
    _move(fresh, "withdraw", by=by, request=request, reason="consent_withdrawn")
    _tell(
        fresh,
        [*access.organisation_users(fresh.receiver_id), *access.organisation_users(fresh.sender_id)],
        "consent-withdrawn",
        gettext_noop("Referral %(ref)s (%(service)s) ended: the person withdrew consent to share."),
    )
    return fresh


TRANSITION_SERVICES = {
    "accept": accept_referral,
    "decline": decline_referral,
    "start": start_service,
    "complete": complete_referral,
    "withdraw": withdraw_referral,
}


def read_packet(referral: Referral, *, by, request=None) -> list[dict]:
    """The shared fields a receiver may read now (access.packet_fields), logged as a reading."""
    fields = access.packet_fields(by, referral)
    if not fields:
        return []
    case = Case.objects.select_related("person", "identification_region").get(pk=referral.case_id)
    case_services.read_shared(case, fields=sorted(fields), by=by, request=request)
    return packet(case, fields)


# ---------------------------------------------------------------------------------------------------
# Follow-up tasks, capacity


@transaction.atomic
def add_task(referral: Referral, *, by, kind: str, due_on, request=None) -> FollowUpTask:
    errors = {}
    if access.side(by, referral) is None:
        errors["__all__"] = _("Only the two organisations of a referral can plan its follow-up.")
    if kind not in FollowUpTask.Kind.values:
        errors["kind"] = _("Choose the kind of follow-up.")
    if due_on is None:
        errors["due_on"] = _("Give the due date.")
    if referral.state in rules.ENDED_STATES:
        errors["__all__"] = _("This referral has ended.")
    _raise_if(errors)
    task = FollowUpTask.objects.create(referral=referral, kind=kind, due_on=due_on, created_by=by)
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=referral,
        task=task.pk,
        kind=kind,
        due_on=str(due_on),
    )
    return task


@transaction.atomic
def complete_task(task: FollowUpTask, *, by, request=None) -> FollowUpTask:
    fresh = FollowUpTask.objects.select_for_update().select_related("referral").get(pk=task.pk)
    if access.side(by, fresh.referral) is None or fresh.done_at:
        _raise_if({"__all__": _("This follow-up cannot be marked done.")})
    fresh.done_at = _now()
    fresh.save(update_fields=["done_at"])
    record(AuditEvent.Action.CHANGE, actor=by, request=request, obj=fresh.referral, task=fresh.pk, done=True)
    return fresh


@transaction.atomic
def update_capacity(offering: ServiceOffering, *, by, total, in_use, request=None) -> ServiceOffering:
    """The provider's count of its places (total, in use)."""
    fresh = ServiceOffering.objects.select_for_update().get(pk=offering.pk)
    errors = (
        {}
        if access.can_manage_offering(by, fresh)
        else {"__all__": _("Only the provider updates its places.")}
    )
    errors |= rules.check_capacity(total=total, in_use=in_use)
    _raise_if(errors)
    before = (fresh.capacity_total, fresh.capacity_in_use)
    fresh.capacity_total, fresh.capacity_in_use = total, in_use
    fresh.capacity_updated_at = _now()
    fresh.save(update_fields=["capacity_total", "capacity_in_use", "capacity_updated_at"])
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=fresh,
        fields=["capacity_total", "capacity_in_use"],
        before=list(before),
        after=[total, in_use],
    )
    return fresh


# ---------------------------------------------------------------------------------------------------
# Deadlines: escalation and reminders (manage.py referral_deadlines, run by a timer).


def overdue(referrals=None, *, now=None):
    """The referrals still waiting for an answer after their deadline (rules.is_overdue, as a query)."""
    now = now or _now()
    referrals = Referral.objects.all() if referrals is None else referrals
    return referrals.filter(state=rules.SENT, due_at__lt=now)


@transaction.atomic
def run_deadlines(*, now=None) -> dict:
    """Escalate every overdue referral once (to the committee's coordinators, and tell both sides)
    and remind of follow-up tasks due. Idempotent: a second run at the same time does nothing."""
    now = now or _now()
    escalated = 0
    for referral in overdue(now=now).filter(escalated_at__isnull=True).select_for_update():
        if not rules.is_overdue(state=referral.state, due_at=referral.due_at, now=now):
            continue
        referral.escalated_at = now
        referral.save(update_fields=["escalated_at"])
        record(
            AuditEvent.Action.CHANGE,
            obj=referral,
            fields=["escalated_at"],
            escalated=True,
            username="referral_deadlines",
        )
        message = gettext_noop("Referral %(ref)s (%(service)s): no answer by its deadline.")
        users = [
            *access.coordinators(),
            *access.organisation_users(referral.sender_id),
            *access.organisation_users(referral.receiver_id),
        ]
        _tell(referral, users, "overdue", message)
        escalated += 1
    reminded = 0
    today = timezone.localdate(now)
    tasks = FollowUpTask.objects.filter(done_at__isnull=True, reminded_at__isnull=True, due_on__lte=today)
    for task in tasks.select_related("referral").select_for_update():
        task.reminded_at = now
        task.save(update_fields=["reminded_at"])
        referral = task.referral
        _tell(
            referral,
            access.organisation_users(referral.receiver_id),
            f"task:{task.pk}",
            gettext_noop("Follow-up due for referral %(ref)s (%(service)s)."),
        )
        reminded += 1
    return {"escalated": escalated, "reminded": reminded}
