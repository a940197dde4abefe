"""The referral mechanism's rules, each written once, pure (no database): the transition table, the
deadline and overdue rules, eligibility and suggestion of providers, the consent gate and the
least-data packet. sira.referrals.services applies them on every path (page, API, command, demo)."""

import datetime as dt
import math
import statistics as stats
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sira.cases.rules import is_child

SENT, ACCEPTED, DECLINED, IN_SERVICE, COMPLETED, WITHDRAWN = (
    "sent",
    "accepted",
    "declined",
    "in_service",
    "completed",
    "withdrawn",
)
STATES = (SENT, ACCEPTED, DECLINED, IN_SERVICE, COMPLETED, WITHDRAWN)
SENDER, RECEIVER = "sender", "receiver"

# The whole workflow: action → (the states it may start from, the state it leads to, who may do it).
# A referral starts "sent" (the sender sees the packet before sending: the preview is the draft).
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "accept": (frozenset({SENT}), ACCEPTED, RECEIVER),
    "decline": (frozenset({SENT}), DECLINED, RECEIVER),
    "start": (frozenset({ACCEPTED}), IN_SERVICE, RECEIVER),
    "complete": (frozenset({IN_SERVICE}), COMPLETED, RECEIVER),
    "withdraw": (frozenset({SENT, ACCEPTED, IN_SERVICE}), WITHDRAWN, SENDER),
}
ACTIONS = tuple(TRANSITIONS)
# While a referral is in these states the receiver reads the shared fields (its grant is live).
OPEN_STATES = frozenset({ACCEPTED, IN_SERVICE})
ENDED_STATES = frozenset({DECLINED, COMPLETED, WITHDRAWN})
# Declines that are a gap in the services, not a choice: counted as unmet needs.
UNMET_REASONS = frozenset({"no_capacity", "not_for_profile"})

STATE_LABELS = {
    SENT: gettext_lazy("sent, waiting for an answer"),
    ACCEPTED: gettext_lazy("accepted"),
    DECLINED: gettext_lazy("declined"),
    IN_SERVICE: gettext_lazy("in service"),
    COMPLETED: gettext_lazy("completed"),
    WITHDRAWN: gettext_lazy("withdrawn by the sender"),
}
ACTION_LABELS = {
    "accept": gettext_lazy("accept"),
    "decline": gettext_lazy("decline"),
    "start": gettext_lazy("start the service"),
    "complete": gettext_lazy("confirm the service is completed"),
    "withdraw": gettext_lazy("withdraw"),
}


def next_state(state: str, action: str) -> str:
    return TRANSITIONS[action][1]


def allowed_actions(state: str, side: str) -> list[str]:
    return [a for a, (start, _end, who) in TRANSITIONS.items() if state in start and who == side]


def check_transition(*, state: str, action: str, side: str | None) -> dict[str, str]:
    """Whether `side` (the sending or the receiving organisation, or neither) may do `action` on a
    referral in `state`; the refusal says why, in the user's language."""
    if action not in TRANSITIONS:
        return {"__all__": _("Unknown action on a referral.")}
    start, _end, who = TRANSITIONS[action]
    if side != who:
        if who == RECEIVER:
            return {
                "__all__": _("Only the receiving organisation can %(action)s this referral.")
                % {"action": ACTION_LABELS[action]}
            }
        return {
            "__all__": _("Only the sending organisation can %(action)s this referral.")
            % {"action": ACTION_LABELS[action]}
        }
    if state not in start:
        return {
            "__all__": _("A referral that is %(state)s cannot be changed this way (%(action)s).")
            % {"state": STATE_LABELS.get(state, state), "action": ACTION_LABELS[action]}
        }
    return {}


# ---------------------------------------------------------------------------------------------------
# Deadlines


def response_deadline(*, sent_at: dt.datetime, urgent: bool, service: dict, pathway: dict | None = None):
    """When the receiver must have answered: a pathway's own deadline (hours), else the service's
    (urgent: hours; otherwise days)."""
    if pathway and pathway.get("deadline_hours"):
        return sent_at + dt.timedelta(hours=int(pathway["deadline_hours"]))
    if urgent:
        return sent_at + dt.timedelta(hours=int(service["urgent_hours"]))
    return sent_at + dt.timedelta(days=int(service["deadline_days"]))


def is_overdue(*, state: str, due_at: dt.datetime, now: dt.datetime) -> bool:
    """A referral is overdue when it is still waiting for an answer after its deadline."""
    return state == SENT and now > due_at


def task_overdue(*, due_on: dt.date, done: bool, today: dt.date) -> bool:
    return not done and due_on < today


# ---------------------------------------------------------------------------------------------------
# The least-data packet: the fields a referral may carry, and how each is read from a case.

PACKET_FIELDS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "gender": gettext_lazy("Sex / gender"),
    "age": gettext_lazy("Age"),
    "citizenships": gettext_lazy("Citizenships"),
    "primary_language": gettext_lazy("Primary language"),
    "phone": gettext_lazy("Phone"),
    "address": gettext_lazy("Address"),
    "identity_number": gettext_lazy("Identity document number"),
    "father_name": gettext_lazy("Father's name"),
    "mother_name": gettext_lazy("Mother's name"),
    "has_disability": gettext_lazy("Has a disability"),
    "disability_details": gettext_lazy("Disability details"),
    "region": gettext_lazy("Region of identification"),
    "forms": gettext_lazy("Forms of exploitation"),
    "narrative": gettext_lazy("Narrative"),
}


def check_packet(fields) -> dict[str, str]:
    fields = list(fields or [])
    unknown = [f for f in fields if f not in PACKET_FIELDS]
    if unknown:
        return {
            "shared_fields": _("These fields cannot be shared: %(fields)s.") % {"fields": ", ".join(unknown)}
        }
    if not fields:
        return {"shared_fields": _("Choose at least one field to share.")}
    return {}


# ---------------------------------------------------------------------------------------------------
# The consent gate

URGENT_REASON_MIN = 15


def check_consent_gate(*, basis: str | None, urgent: bool, urgent_reason: str) -> dict[str, str]:
    """A referral needs the person's consent to share with the receiving organisation. Without it only
    an urgent referral may go, with a written reason; it is then flagged for the committee's review."""
    if basis is not None:
        return {}
    if not urgent:
        return {
            "urgent_reason": _(
                "The person has not consented to sharing with this organisation. Record their consent "
                "on the case first, or mark the referral urgent and write why it cannot wait."
            )
        }
    if len((urgent_reason or "").strip()) < URGENT_REASON_MIN:
        return {
            "urgent_reason": _(
                "An urgent referral without consent needs a written reason (at least %(n)d characters); "
                "it will be reviewed by the committee."
            )
            % {"n": URGENT_REASON_MIN}
        }
    return {}


def check_decline(*, reason: str, reasons: set[str], note: str) -> dict[str, str]:
    if reason not in reasons:
        return {"decline_reason": _("Say why the referral is declined.")}
    if reason == "other" and not (note or "").strip():
        return {"decline_note": _("Explain the reason for declining.")}
    return {}


def check_case_worker(*, worker_org_id, receiver_id, active: bool) -> dict[str, str]:
    if worker_org_id != receiver_id or not active:
        return {"case_worker": _("Choose a case worker of your organisation.")}
    return {}


def check_capacity(*, total, in_use) -> dict[str, str]:
    errors = {}
    if total is not None and total < 0:
        errors["capacity_total"] = _("The number of places cannot be negative.")
    if in_use is None or in_use < 0:
        errors["capacity_in_use"] = _("Give the number of places in use.")
    elif total is not None and in_use > total:
        errors["capacity_in_use"] = _("More places in use than places in total.")
    return errors


# ---------------------------------------------------------------------------------------------------
# Eligibility and suggestions


@dataclass(frozen=True)
class Person:
    """What eligibility is checked on: no identity."""

    gender: str
    age: int | None
    nationalities: tuple[str, ...]
    forms: tuple[str, ...]
    region: str | None


@dataclass(frozen=True)
class Offer:
    pk: int
    service: str
    sexes: tuple[str, ...]
    age_min: int | None
    age_max: int | None
    nationalities: tuple[str, ...]
    forms: tuple[str, ...]
    region: str
    lat: float | None
    lon: float | None
    total: int | None
    in_use: int


def ineligibility(offer: Offer, person: Person) -> list[str]:
    """Why a person cannot use an offer (empty: eligible). An unknown age is a child's (cases.rules)."""
    reasons = []
    if offer.sexes and person.gender not in offer.sexes:
        reasons.append("sex")
    age = person.age
    if age is None:  # presumed a child: not for a service that starts at adulthood
        if offer.age_min is not None and not is_child(offer.age_min):
            reasons.append("age")
    elif (offer.age_min is not None and age < offer.age_min) or (
        offer.age_max is not None and age > offer.age_max
    ):
        reasons.append("age")
    if offer.nationalities and not set(person.nationalities) & set(offer.nationalities):
        reasons.append("nationality")
    if offer.forms and not set(person.forms) & set(offer.forms):
        reasons.append("form")
    return reasons


def has_free_place(offer: Offer) -> bool:
    return offer.total is None or offer.in_use < offer.total


def distance_km(lat1, lon1, lat2, lon2) -> float | None:
    if None in (lat1, lon1, lat2, lon2):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def suggest(
    offers, person: Person, *, service: str, places: bool, origin=None
) -> list[tuple[Offer, float | None]]:
    """Matching offers for a service, best first: eligible, with a free place where the service counts
    places (a full shelter is never suggested), then in the person's region, then the nearest to
    `origin` (lat, lon), then the most free places."""
    out = []
    for offer in offers:
        if offer.service != service or ineligibility(offer, person):
            continue
        if places and not has_free_place(offer):
            continue
        km = distance_km(*(origin or (None, None)), offer.lat, offer.lon)
        out.append((offer, km))

    def key(item):
        offer, km = item
        free = (offer.total - offer.in_use) if offer.total is not None else 0
        return (offer.region != person.region, km if km is not None else 1e9, -free, offer.pk)

    return sorted(out, key=key)


def pathway_errors(pathway: dict, person: Person) -> dict[str, str]:
    if pathway.get("children_only") and not is_child(person.age):
        return {"pathway": _("This pathway is for children.")}
    if pathway.get("foreigners_only") and (not person.nationalities or "ML" in person.nationalities):
        return {"pathway": _("This pathway is for foreign victims.")}
    return {}


# ---------------------------------------------------------------------------------------------------
# Figures


def acceptance_rate(accepted: int, answered: int) -> float | None:
    """Accepted among the referrals answered (accepted or declined); None before any answer."""
    return None if answered == 0 else round(100 * accepted / answered, 1)


def median_hours(durations: list[dt.timedelta]) -> float | None:
    if not durations:
        return None
    return round(stats.median(d.total_seconds() for d in durations) / 3600, 1)
