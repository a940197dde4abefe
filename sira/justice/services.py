"""State changes of the justice chain. Every entry path (pages, API, demo seeding) calls these; each
runs in one transaction, checks rules.py, and writes its audit event in the same transaction. Audit
details carry ids, codes and field names only, never a suspect's or victim's identity.

Bad input raises django.core.exceptions.ValidationError with every error at once; nothing changes."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.core.crypto import blind_index
from sira.justice import rules
from sira.justice.choices import Outcome
from sira.justice.models import (
    SUSPECT_IDENTITY_FIELDS,
    Appeal,
    Charge,
    Hearing,
    Investigation,
    LegalArticle,
    Prosecution,
    ReferenceCounter,
    Sentence,
    Suspect,
    SuspectNameToken,
)

CREATE, CHANGE = AuditEvent.Action.CREATE, AuditEvent.Action.CHANGE


def _today() -> dt.date:
    return timezone.localdate()


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError({key: [message] for key, message in errors.items()})


def _bump(obj) -> None:
    type(obj).objects.filter(pk=obj.pk).update(version=F("version") + 1)
    obj.version += 1


def next_reference(organisation, year: int) -> str:
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
            organisation=organisation, year=year
        )
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"ENQ-{(organisation.acronym or 'ORG').upper()}-{year}-{counter.last:04d}"


def articles_in_force(on: dt.date):
    """The article versions a charge may name for an offence committed on `on`."""
    return [a for a in LegalArticle.objects.all() if rules.in_force(a, on)]


def article_for(code: str, offence_date: dt.date) -> LegalArticle | None:
    return rules.article_in_force(LegalArticle.objects.filter(code=code), code, offence_date)


# ---------------------------------------------------------------------------------------------------
# Investigations


@transaction.atomic
def open_investigation(
    *, by, agency, opened_on, region_id, forms, operation_type, cases=(), request=None, synthetic=False
) -> Investigation:
    """`cases`: Case records the caller has checked the user may see (their victims)."""
    _raise_if(rules.check_investigation(opened_on=opened_on, forms=forms, today=_today()))
    investigation = Investigation.objects.create(
        reference=next_reference(by.organisation, opened_on.year),
        organisation=by.organisation,
        agency=agency,
        opened_on=opened_on,
        region_id=region_id,
        forms=sorted(set(forms)),
        operation_type=operation_type,
        opened_by=by,
        is_synthetic=synthetic,
    )
    investigation.cases.set(cases)
    record(
        CREATE,
        actor=by,
        request=request,
        obj=investigation,
        event="open_investigation",
        agency=agency,
        forms=investigation.forms,
        cases=sorted(c.pk for c in cases),
    )
    return investigation


@transaction.atomic
def close_investigation(investigation, *, by, closed_on, closing_reason, request=None) -> Investigation:
    investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
    errors = rules.check_closing(
        opened_on=investigation.opened_on, closed_on=closed_on, reason=closing_reason, today=_today()
    )
    if investigation.status == "closed":
        errors["status"] = _("The investigation is already closed.")
    _raise_if(errors)
    investigation.status, investigation.closed_on, investigation.closing_reason = (
        "closed",
        closed_on,
        closing_reason,
    )
    investigation.save(update_fields=["status", "closed_on", "closing_reason", "updated_at"])
    _bump(investigation)
    record(
        CHANGE,
        actor=by,
        request=request,
        obj=investigation,
        event="close_investigation",
        fields=["status", "closed_on", "closing_reason"],
        closing_reason=closing_reason,
        version=investigation.version,
    )
    return investigation


@transaction.atomic
def add_suspect(investigation, *, by, data: dict, request=None, synthetic=False) -> Suspect:
    errors = {}
    if not any(data.get(f) for f in ("first_name", "last_name", "alias")):
        errors["last_name"] = _("Give at least a name or an alias.")
    if not data.get("gender"):
        errors["gender"] = _("Give the suspect's sex.")
    _raise_if(errors)
    suspect = Suspect.objects.create(
        investigation=investigation,
        is_synthetic=synthetic,
        **{k: data.get(k) for k in SUSPECT_IDENTITY_FIELDS},
        gender=data["gender"],
        nationality=data.get("nationality") or "",
        roles=sorted(set(data.get("roles") or [])),
        is_public_official=bool(data.get("is_public_official")),
    )
    record(
        CREATE,
        actor=by,
        request=request,
        obj=suspect,
        event="add_suspect",
        investigation=investigation.pk,
        fields=sorted(k for k in SUSPECT_IDENTITY_FIELDS if data.get(k)),  # names of fields, never values
        roles=suspect.roles,
        is_public_official=suspect.is_public_official,
    )
    return suspect


def rebuild_suspect_name_tokens(batch_size: int = 500) -> int:
    """After a blind-index key rotation (sira.core.keys): every suspect's tokens under the new key."""
    count = 0
    for suspect in Suspect.objects.iterator(chunk_size=batch_size):
        with transaction.atomic():
            Suspect.objects.filter(pk=suspect.pk).update(last_name_index=blind_index(suspect.last_name or ""))
            SuspectNameToken.rebuild(suspect)
        count += 1
    return count


# ---------------------------------------------------------------------------------------------------
# Prosecutions


@transaction.atomic
def open_prosecution(
    investigation, *, by, organisation, court, opened_on, court_reference="", request=None, synthetic=False
) -> Prosecution:
    """The investigation transmitted to a prosecutor's office or court (`organisation`), whose
    prosecutors then record the charges, hearings and verdicts."""
    errors = rules.check_prosecution(
        opened_on=opened_on, investigation_opened_on=investigation.opened_on, today=_today()
    )
    if organisation is None or organisation.org_type != "ProsecutionCourt":
        errors["organisation"] = _("Choose the prosecutor's office or court.")
    _raise_if(errors)
    prosecution = Prosecution.objects.create(
        investigation=investigation,
        organisation=organisation,
        court=court,
        court_reference=court_reference,
        opened_on=opened_on,
        opened_by=by,
        is_synthetic=synthetic,
    )
    record(
        CREATE,
        actor=by,
        request=request,
        obj=prosecution,
        event="open_prosecution",
        investigation=investigation.pk,
        court=court,
        organisation=organisation.pk,
    )
    return prosecution


@transaction.atomic
def add_charge(prosecution, *, by, suspect, article_code, offence_date, request=None) -> Charge:
    """Charge a suspect of the prosecution's investigation under the text of `article_code` in force
    on the offence date."""
    errors = {}
    if suspect is None or suspect.investigation_id != prosecution.investigation_id:
        errors["suspect"] = _("Choose a suspect of this investigation.")
    article = article_for(article_code, offence_date) if offence_date else None
    if not offence_date:
        errors["offence_date"] = _("Give the offence date.")
    else:
        errors |= rules.check_charge(article=article, offence_date=offence_date, today=_today())
    if (
        not errors
        and Charge.objects.filter(prosecution=prosecution, suspect=suspect, article=article).exists()
    ):
        errors["article"] = _("This suspect is already charged under this article.")
    _raise_if(errors)
    charge = Charge.objects.create(
        prosecution=prosecution, suspect=suspect, article=article, offence_date=offence_date
    )
    if prosecution.closed_on is not None:  # a new charge reopens the prosecution until decided
        Prosecution.objects.filter(pk=prosecution.pk).update(closed_on=None)
        prosecution.closed_on = None
    record(
        CREATE,
        actor=by,
        request=request,
        obj=charge,
        event="add_charge",
        prosecution=prosecution.pk,
        suspect=suspect.pk,
        article=article.code,
        article_valid_from=article.valid_from.isoformat(),
    )
    return charge


@transaction.atomic
def add_hearing(prosecution, *, by, date, kind, note="", request=None) -> Hearing:
    _raise_if(rules.check_dates(prosecution.opened_on, date, _today(), closed="date"))
    hearing = Hearing.objects.create(
        prosecution=prosecution, date=date, kind=kind, note=note or None, recorded_by=by
    )
    record(
        CREATE,
        actor=by,
        request=request,
        obj=hearing,
        event="add_hearing",
        prosecution=prosecution.pk,
        kind=kind,
    )
    return hearing


SENTENCE_FIELDS = ("prison_months", "suspended_months", "life", "fine_fcfa", "other")


@transaction.atomic
def record_outcome(
    prosecution,
    *,
    by,
    charge,
    outcome,
    outcome_date=None,
    dropped_reason="",
    sentence: dict | None = None,
    request=None,
) -> Charge:
    """The court's decision on one charge (`charge` None is refused for a conviction: a conviction
    without a charge does not exist). A sentence outside the article's range is saved and flagged
    for review. When every charge is decided, the prosecution is closed on the last decision's date."""
    if charge is not None and charge.prosecution_id != prosecution.pk:
        charge = None
    sentence = {
        k: v for k, v in (sentence or {}).items() if k in SENTENCE_FIELDS and v not in (None, "", 0, False)
    }
    _raise_if(
        rules.check_outcome(
            charge=charge,
            outcome=outcome,
            outcome_date=outcome_date,
            dropped_reason=dropped_reason,
            sentence=sentence,
            opened_on=prosecution.opened_on,
            today=_today(),
        )
    )
    charge = Charge.objects.select_for_update().select_related("article").get(pk=charge.pk)
    charge.outcome = outcome
    charge.outcome_date = outcome_date if outcome != Outcome.PENDING else None
    charge.dropped_reason = dropped_reason if outcome == Outcome.DROPPED else ""
    charge.save(update_fields=["outcome", "outcome_date", "dropped_reason"])
    _bump(charge)
    reasons = []
    Sentence.objects.filter(charge=charge).delete()
    if outcome == Outcome.CONVICTED and sentence:
        values = {
            "prison_months": int(sentence.get("prison_months") or 0),
            "suspended_months": int(sentence.get("suspended_months") or 0),
            "life": bool(sentence.get("life")),
            "fine_fcfa": int(sentence.get("fine_fcfa") or 0),
            "other": sentence.get("other") or "",
        }
        reasons = rules.sentence_review_reasons(
            charge.article,
            prison_months=values["prison_months"],
            life=values["life"],
            fine_fcfa=values["fine_fcfa"],
        )
        Sentence.objects.create(charge=charge, needs_review=bool(reasons), review_reasons=reasons, **values)
    _close_if_decided(prosecution)
    record(
        CHANGE,
        actor=by,
        request=request,
        obj=charge,
        event="record_outcome",
        prosecution=prosecution.pk,
        fields=["outcome", "outcome_date", "dropped_reason", *(["sentence"] if sentence else [])],
        outcome=outcome,
        needs_review=bool(reasons),
        review_reasons=reasons,
        version=charge.version,
    )
    return charge


def _close_if_decided(prosecution) -> None:
    charges = list(Charge.objects.filter(prosecution=prosecution).values_list("outcome", "outcome_date"))
    decided = charges and all(o != Outcome.PENDING for o, _d in charges)
    closed_on = max(d for _o, d in charges) if decided else None
    Prosecution.objects.filter(pk=prosecution.pk).update(closed_on=closed_on)
    prosecution.closed_on = closed_on


@transaction.atomic
def record_appeal(
    prosecution, *, by, suspect, appealed_by, filed_on, result="pending", decided_on=None, request=None
) -> Appeal:
    errors = rules.check_dates(filed_on, decided_on, _today(), opened="filed_on", closed="decided_on")
    if suspect is None or not Charge.objects.filter(prosecution=prosecution, suspect=suspect).exists():
        errors["suspect"] = _("Choose a defendant of this prosecution.")
    elif (
        not Charge.objects.filter(prosecution=prosecution, suspect=suspect)
        .exclude(outcome="pending")
        .exists()
    ):
        errors["suspect"] = _("An appeal is against a decision: record the verdict first.")
    if result != "pending" and not decided_on:
        errors["decided_on"] = _("Give the date of the appeal decision.")
    _raise_if(errors)
    appeal = Appeal.objects.create(
        prosecution=prosecution,
        suspect=suspect,
        appealed_by=appealed_by,
        filed_on=filed_on,
        result=result,
        decided_on=decided_on,
        recorded_by=by,
    )
    record(
        CREATE,
        actor=by,
        request=request,
        obj=appeal,
        event="record_appeal",
        prosecution=prosecution.pk,
        suspect=suspect.pk,
        appealed_by=appealed_by,
        result=result,
    )
    return appeal


def read_suspects(investigation, suspects, *, by, request=None) -> None:
    """Displays of suspects' identities (investigation page and API detail, prosecution page) are
    logged: which suspects, never their names. (The charge, verdict and appeal forms' choice lists
    are not logged separately: they are reached from the prosecution page.)"""
    ids = sorted(s.pk for s in suspects)
    if ids:
        record(
            AuditEvent.Action.VIEW_IDENTITY,
            actor=by,
            request=request,
            obj=investigation,
            event="read_suspects",
            suspects=ids,
        )
