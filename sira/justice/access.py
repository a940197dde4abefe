"""Who sees which justice records (one place; pages, API and statistics ask here).

- Investigators see their agency's investigations (their scope: organisation by default, region or
  national if so set) and the prosecutions that came of them; they change their agency's
  investigations (open, close, add suspects, transmit to the prosecutor).
- Prosecutors see and change the prosecutions of their office or court (charges, hearings,
  verdicts, appeals) and see the investigations behind them.
- Everyone else (NGOs, shelters, case managers) sees no justice record: only the status of the
  justice cases linked to victims whose case they may see (`case_status`), without suspects.
- The committee and statisticians see statistics only (suppressed, sira.statistics.justice).
A record outside a user's reach answers 404, like one that does not exist."""

from django.db.models import Q, QuerySet

from sira.accounts.access import CHANGE, VIEW, RecordPolicy, scope_q
from sira.accounts.models import Role, Scope
from sira.justice.models import Investigation, Prosecution, SuspectNameToken

__all__ = ["CHANGE", "VIEW", "investigations", "is_justice_user", "prosecutions"]

JUSTICE_ROLES = frozenset({Role.INVESTIGATOR, Role.PROSECUTOR})


def is_justice_user(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role in JUSTICE_ROLES
        and (user.organisation_id is not None or user.scope == Scope.NATIONAL)
    )


def can_open_investigation(user) -> bool:
    return is_justice_user(user) and user.role == Role.INVESTIGATOR and user.organisation_id is not None


def _agency_q(user) -> Q:
    return scope_q(user, organisation="organisation_id", owners=("opened_by",), region="region_id")


class InvestigationPolicy(RecordPolicy):
    model = Investigation
    related = ("region", "organisation")

    def visible(self, user, action: str = VIEW) -> QuerySet[Investigation]:
        if not is_justice_user(user):
            return Investigation.objects.none()
        if user.role == Role.INVESTIGATOR:
            if user.scope == Scope.NATIONAL:
                return Investigation.objects.all()
            return Investigation.objects.filter(_agency_q(user))
        # Prosecutors: the investigations behind their prosecutions (they change none).
        if action == CHANGE:
            return Investigation.objects.none()
        return Investigation.objects.filter(pk__in=prosecutions.visible(user).values("investigation_id"))


class ProsecutionPolicy(RecordPolicy):
    model = Prosecution
    related = ("investigation", "organisation", "investigation__region")

    def visible(self, user, action: str = VIEW) -> QuerySet[Prosecution]:
        if not is_justice_user(user):
            return Prosecution.objects.none()
        if user.role == Role.PROSECUTOR:
            if user.scope == Scope.NATIONAL:
                return Prosecution.objects.all()
            return Prosecution.objects.filter(organisation_id=user.organisation_id)
        if action == CHANGE:
            return Prosecution.objects.none()
        return Prosecution.objects.filter(investigation__in=investigations.visible(user).values("pk"))


investigations = InvestigationPolicy()
prosecutions = ProsecutionPolicy()


def case_status(user, case) -> list[dict]:
    """The justice status of a case the user may already see (the caller checked that): per linked
    investigation its agency, dates and status, and per prosecution its court, dates and the count of
    defendants by outcome. No suspect, article or sentence detail: NGOs see only where things stand."""
    from sira.justice.choices import Outcome

    out = []
    for inv in case.investigations.order_by("opened_on").prefetch_related("prosecutions__charges"):
        item = {
            "investigation_id": inv.pk,
            "agency": inv.get_agency_display(),
            "opened_on": inv.opened_on,
            "status": inv.get_status_display(),
            "closed_on": inv.closed_on,
            "prosecutions": [],
        }
        for p in inv.prosecutions.all():
            per_defendant: dict[int, set] = {}
            for c in p.charges.all():
                per_defendant.setdefault(c.suspect_id, set()).add(c.outcome)
            counts = {o.value: 0 for o in Outcome}
            for outcomes in per_defendant.values():
                # A defendant convicted on any charge counts as convicted; pending if any is pending.
                for o in (
                    Outcome.CONVICTED,
                    Outcome.PENDING,
                    Outcome.ACQUITTED,
                    Outcome.DISMISSED,
                    Outcome.DROPPED,
                ):
                    if o in outcomes:
                        counts[o] += 1
                        break
            item["prosecutions"].append(
                {
                    "court": p.get_court_display(),
                    "opened_on": p.opened_on,
                    "closed_on": p.closed_on,
                    "defendants": {str(Outcome(k).label): n for k, n in counts.items() if n},
                }
            )
        out.append(item)
    return out


def find_suspects(user, text: str):
    """Suspects of the investigations the user may see whose names match every word of `text`, by
    their keyed tokens (the names are never decrypted to search): "is this person already a suspect
    in one of our investigations?". A search of fewer than two letters finds nothing."""
    from sira.core import names
    from sira.justice.models import Suspect

    words = names.query_words(text)
    found = Suspect.objects.filter(investigation__in=investigations.visible(user).values("pk"))
    if not words:
        return found.none()
    for word in words:
        found = found.filter(
            pk__in=SuspectNameToken.objects.filter(token__in=names.word_tokens(word)).values("suspect_id")
        )
    return found.select_related("investigation")
