"""The registry's domain rules, each written once. Pure functions (no database, no request): the
services call them on every write, whatever the entry path (page, API, import, promotion, demo), and
forms and serializers only show what they return.

Errors are keyed by dotted paths naming the part of the input they concern — ``person.birth_date``,
``case.identification_cercle``, ``exploitation.end_date``, ``route.2.cercle``, ``consents.Sharing`` —
so that every entry path can put each message beside its field, and all of a submission's errors are
reported at once. Warnings are contradictions a worker may confirm (they never block a sure worker)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_AGE = 120
ADULT_AGE = 18
# Tolerance between an estimated age and the age a date of birth gives: estimates are rough.
AGE_TOLERANCE = 2
CLOSED_STATUSES = frozenset({"Closed", "ClosedReferred"})


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_at_identification(*, birth_date, estimated_age, identification_date) -> int | None:
    if birth_date and identification_date:
        return age_on(birth_date, identification_date)
    return estimated_age


def is_child(age: int | None, adult_age: int = ADULT_AGE) -> bool:
    """A person whose age is unknown is presumed a child until shown otherwise (UNCRC, Palermo
    Protocol practice, Law 2012-023): the protective reading is the default. Every path that asks
    "is this a child?" (registry, screening engines, forms, XLSForm, demo) asks it here."""
    return age is None or age < adult_age


def age_error(age) -> str | None:
    if age is not None and age > MAX_AGE:
        return _("An age over %(max)d years is not possible.") % {"max": MAX_AGE}
    if age is not None and age < 0:
        return _("An age cannot be negative.")
    return None


# ---------------------------------------------------------------------------------------------------
# Hard rules: a write that breaks one changes nothing.


def check_person(person: dict, *, identification_date, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    birth_date = person.get("birth_date")
    if "first_name" in person and not (person.get("first_name") or "").strip():
        errors["person.first_name"] = _("Give a first name (an alias is accepted).")
    if birth_date and birth_date > today:
        errors["person.birth_date"] = _("The date of birth cannot be in the future.")
    elif birth_date and identification_date and birth_date > identification_date:
        errors["person.birth_date"] = _("The date of birth cannot be after the identification date.")
    elif birth_date and identification_date and age_on(birth_date, identification_date) > MAX_AGE:
        errors["person.birth_date"] = _("This date of birth gives an age over %(max)d years.") % {
            "max": MAX_AGE
        }
    if message := age_error(person.get("estimated_age")):
        errors["person.estimated_age"] = message
    return errors


def check_case(case: dict, *, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    identification_date = case.get("identification_date")
    if identification_date and identification_date > today:
        errors["case.identification_date"] = _("The identification date cannot be in the future.")
    # Places arrive as ids (the services look up each cercle's region): rules stay free of queries.
    cercle_region = case.get("identification_cercle_region_id")
    if cercle_region is not None and cercle_region != case.get("identification_region_id"):
        errors["case.identification_cercle"] = _("This cercle is not in the chosen region.")
    if case.get("case_status") in CLOSED_STATUSES and not case.get("closure_reason"):
        errors["case.closure_reason"] = _("Give the reason for closing the case.")
    return errors


def check_exploitation(exploitation: dict, *, prefix: str = "exploitation") -> dict[str, str]:
    errors: dict[str, str] = {}
    start, end = exploitation.get("start_date"), exploitation.get("end_date")
    if start and end and end < start:
        errors[f"{prefix}.end_date"] = _("The end of exploitation cannot be before its start.")
    if message := age_error(exploitation.get("age_at_recruitment")):
        errors[f"{prefix}.age_at_recruitment"] = message
    return errors


def check_forms(forms) -> dict[str, str]:
    if not forms:
        return {"exploitation.forms": _("Give at least one form of exploitation.")}
    return {}


def check_route_stop(stop: dict, *, prefix: str = "route") -> dict[str, str]:
    errors: dict[str, str] = {}
    country, region = stop.get("country"), stop.get("region_id")
    cercle_region = stop.get("cercle_region_id")
    if not stop.get("kind"):
        errors[f"{prefix}.kind"] = _("Say what kind of place this is.")
    if not country:
        errors[f"{prefix}.country"] = _("Give the country of this place.")
    if region is not None and country and str(country) != "ML":
        errors[f"{prefix}.region"] = _("A region of Mali can only be given for a place in Mali.")
    if cercle_region is not None and region is None:
        errors[f"{prefix}.region"] = _("Choose the region of this cercle.")
    elif cercle_region is not None and cercle_region != region:
        errors[f"{prefix}.cercle"] = _("This cercle is not in the chosen region.")
    return errors


def check_consents(consents: dict, *, age=None, legal_bases=()) -> dict[str, str]:
    """`consents` maps a purpose to {"given": bool, "organisations": [...]}; a purpose absent from it
    was not asked. A refused registration needs a recorded legal basis (one of `legal_bases`, from
    the `legal_basis` vocabulary) with a written justification; the child's best interest only for a
    child (an unknown age is presumed a child, `is_child`)."""
    errors: dict[str, str] = {}
    registration = consents.get("Registration")
    if registration is None:
        errors["consents.Registration"] = _("Record whether the person consents to registration.")
    elif not registration.get("given"):
        basis = registration.get("legal_basis") or ""
        if not basis:
            errors["consents.legal_basis"] = _(
                "The person refuses registration: a case can only be registered without consent on a "
                "recorded legal basis (the child's best interest or a vital interest)."
            )
        elif basis not in legal_bases:
            errors["consents.legal_basis"] = _("Choose a legal basis from the list.")
        elif basis == "ChildBestInterest" and not is_child(age):
            errors["consents.legal_basis"] = _("The child's best interest applies only to a child.")
        if basis and not (registration.get("justification") or "").strip():
            errors["consents.justification"] = _("Explain in writing why the legal basis applies.")
    elif registration.get("legal_basis"):
        errors["consents.legal_basis"] = _("A legal basis is recorded only when registration is refused.")
    for purpose, answer in consents.items():
        if answer.get("organisations") and not (purpose == "Sharing" and answer.get("given")):
            errors["consents.Sharing"] = _("Organisations can only be named when sharing is consented to.")
    return errors


# A case number given by hand: letters, digits and - / . _ separators, starting with a letter or a
# digit (never = + - @, which spreadsheets run as formulas), as the numbers Sira gives (ESPOIR-2026-0001).
CASE_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9/._-]{0,39}")


def check_case_number(*, taken: bool, number: str = "") -> dict[str, str]:
    if number and not CASE_NUMBER.fullmatch(number):
        return {
            "case.case_number": _(
                "A case number has letters, digits and dashes only, and starts with a letter or a digit."
            )
        }
    if taken:
        return {"case.case_number": _("This case number is already used in your organisation.")}
    return {}


def check_distinct_forms(forms) -> dict[str, str]:
    if len(set(forms or ())) != len(list(forms or ())):
        return {"exploitation.forms": _("Give each form of exploitation once.")}
    return {}


def check_registration(
    *,
    person: dict,
    case: dict,
    exploitation: dict,
    route: list[dict],
    consents: dict,
    today: dt.date,
    legal_bases=(),
) -> dict[str, str]:
    """Every hard rule of a new case, all at once."""
    age = age_at_identification(
        birth_date=person.get("birth_date"),
        estimated_age=person.get("estimated_age"),
        identification_date=case.get("identification_date"),
    )
    return {
        **check_person(person, identification_date=case.get("identification_date"), today=today),
        **check_case(case, today=today),
        **check_forms(exploitation.get("forms")),
        **check_distinct_forms(exploitation.get("forms")),
        **check_exploitation(exploitation),
        **{k: v for row in exploitation.get("rows", []) for k, v in check_exploitation(row).items()},
        **{
            k: v
            for i, stop in enumerate(route, 1)
            for k, v in check_route_stop(stop, prefix=f"route.{i}").items()
        },
        **check_consents(consents, age=age, legal_bases=legal_bases),
    }


def check_sharing(*, basis: str | None, urgent_reason: str = "") -> dict[str, str]:
    """An organisation may be given access to a case only on a basis: its own organisation, the
    person's active consent to share with that organisation, or an urgent reason written down (the
    grant is then flagged for the committee's review)."""
    if basis is None and not (urgent_reason or "").strip():
        return {
            "organisation": _(
                "The person has not consented to sharing with this organisation. Record their consent, "
                "or give the urgent reason for sharing without it (it will be reviewed by the committee)."
            )
        }
    return {}


# Break-glass: a written reason of at least this many characters.
EMERGENCY_REASON_MIN = 20


def check_emergency_request(*, allowed: bool, reason: str, already_visible: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not allowed:
        errors["__all__"] = _("Your role cannot request emergency access.")
    elif already_visible:
        errors["case_number"] = _("You already have access to this case.")
    if len((reason or "").strip()) < EMERGENCY_REASON_MIN:
        errors["reason"] = _(
            "Explain the emergency in at least %(min)d characters (without naming the person)."
        ) % {"min": EMERGENCY_REASON_MIN}
    return errors


def conflict_message(labels: list[str], users: list[str]) -> str:
    """What a worker reads when someone else saved the record after they opened it."""
    if labels:
        return _(
            "Nothing was saved: %(users)s changed this record after you opened it (%(fields)s). "
            "Check these fields and save again."
        ) % {"users": ", ".join(users) or _("someone else"), "fields": ", ".join(labels)}
    return _("Nothing was saved: this record was changed after you opened it. Reload it and save again.")


def check_exploitation_removal(remaining: int) -> dict[str, str]:
    if remaining < 1:
        return {"exploitation.forms": _("A case keeps at least one form of exploitation.")}
    return {}


# ---------------------------------------------------------------------------------------------------
# Soft rules: contradictions shown to the worker, who corrects or confirms (the confirmation is kept).


@dataclass(frozen=True)
class Warning:
    code: str
    field: str
    message: str


def consistency_warnings(
    *, person: dict, case: dict, exploitations: list[dict], route: list[dict] = ()
) -> list[Warning]:
    warnings: list[Warning] = []
    birth = person.get("birth_date")
    estimated = person.get("estimated_age")
    identified = case.get("identification_date")
    age = age_at_identification(birth_date=birth, estimated_age=estimated, identification_date=identified)
    if birth and identified and estimated is not None:
        actual = age_on(birth, identified)
        if abs(actual - estimated) > AGE_TOLERANCE:
            warnings.append(
                Warning(
                    "estimated_age_vs_birth_date",
                    "person.estimated_age",
                    _(
                        "The estimated age (%(estimated)d) does not match the date of birth (%(actual)d years)."  # noqa: E501
                    )
                    % {"estimated": estimated, "actual": actual},
                )
            )
    for i, exp in enumerate(exploitations, 1):
        recruited = exp.get("age_at_recruitment")
        if recruited is not None and age is not None and recruited > age:
            warnings.append(
                Warning(
                    f"recruitment_age_after_identification.{i}",
                    "exploitation.age_at_recruitment",
                    _("The age when recruited (%(recruited)d) is above the age at identification (%(age)d).")
                    % {"recruited": recruited, "age": age},
                )
            )
        start = exp.get("start_date")
        if start and birth and start < birth:
            warnings.append(
                Warning(
                    f"exploitation_before_birth.{i}",
                    "exploitation.start_date",
                    _("The exploitation starts before the date of birth."),
                )
            )
        elif start and identified and age is not None and start.year < identified.year - age:
            warnings.append(
                Warning(
                    f"exploitation_before_birth.{i}",
                    "exploitation.start_date",
                    _("The exploitation starts before the person was born, going by the age given."),
                )
            )
        if start and identified and start > identified:
            warnings.append(
                Warning(
                    f"exploitation_after_identification.{i}",
                    "exploitation.start_date",
                    _("The exploitation starts after the identification date."),
                )
            )
    for i, stop in enumerate(route, 1):
        if stop.get("date") and birth and stop["date"] < birth:
            warnings.append(
                Warning(
                    f"route_before_birth.{i}", f"route.{i}.date", _("This date is before the date of birth.")
                )
            )
    return warnings


def unconfirmed(warnings: list[Warning], confirmed) -> list[Warning]:
    confirmed = set(confirmed or ())
    return [w for w in warnings if w.code not in confirmed]


# ---------------------------------------------------------------------------------------------------
# Follow-up: notes, assistance, case plan, closure.

NOTE_MAX = 5000


def check_note(text: str) -> dict[str, str]:
    text = (text or "").strip()
    if not text:
        return {"text": _("Write the note.")}
    if len(text) > NOTE_MAX:
        return {"text": _("A note is at most %(max)d characters.") % {"max": NOTE_MAX}}
    return {}


def check_assistance(*, service: str, services: set[str], provider, given_on, today: dt.date) -> dict:
    errors: dict[str, str] = {}
    if service not in services:
        errors["service"] = _("Choose the service given.")
    if provider is None:
        errors["provider"] = _("Choose the organisation that gave it.")
    if given_on is None:
        errors["given_on"] = _("Give the date of the assistance.")
    elif given_on > today:
        errors["given_on"] = _("An assistance cannot be dated in the future.")
    return errors


def check_goal(*, text: str, review_on, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (text or "").strip():
        errors["text"] = _("Write the goal.")
    if review_on is None:
        errors["review_on"] = _("Give the date the goal will be reviewed.")
    elif review_on < today:
        errors["review_on"] = _("The review date cannot be in the past.")
    return errors


def check_closure(*, status: str, reason: str, reasons: set[str]) -> dict[str, str]:
    if status in CLOSED_STATUSES:
        return {"__all__": _("This case is already closed.")}
    if reason not in reasons:
        return {"closure_reason": _("Give the reason for closing the case.")}
    return {}
