"""Who sees and acts on referrals and the directory. A referral is seen by its two organisations
(the sender's users who see the case; the receiver's users) and by the committee's coordinators;
what of the case the receiver reads is decided by sira.cases.access (the live grant of an accepted
referral, limited to its packet): before acceptance, only the facts needed to decide."""

from django.db.models import Q, QuerySet

from sira.accounts.access import (
    AGGREGATE_ROLES,
    CASE_EDITORS,
    COMMITTEE_ORG_TYPES,
    VIEW,
    RecordPolicy,
    reviews_access,
)
from sira.accounts.models import User
from sira.cases import access as case_access
from sira.referrals import rules
from sira.referrals.models import Referral, ServiceOffering

# Roles that work a referral for a receiving organisation (not the national aggregate roles).
RECEIVER_ROLES = frozenset({*CASE_EDITORS, "service_provider"})


def side(user, referral) -> str | None:
    """The organisation side the user acts for on this referral, if any."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return None
    if user.organisation_id == referral.receiver_id and user.role in RECEIVER_ROLES:
        return rules.RECEIVER
    if user.organisation_id == referral.sender_id and user.role in CASE_EDITORS:
        return rules.SENDER
    return None


class ReferralPolicy(RecordPolicy):
    model = Referral
    related = ("case", "sender", "receiver", "offering", "case_worker", "region")

    def visible(self, user, action: str = VIEW) -> QuerySet[Referral]:
        if not user.is_authenticated or not user.is_active:
            return Referral.objects.none()
        if action == VIEW and reviews_access(user):
            return Referral.objects.all()
        if user.organisation_id is None:
            return Referral.objects.none()
        received = Q(receiver_id=user.organisation_id) if user.role in RECEIVER_ROLES else Q(pk__in=[])
        sent = Q(sender_id=user.organisation_id, case__in=case_access.visible_cases(user).values("pk"))
        return Referral.objects.filter(received | sent)

    def can(self, user, record, action: str) -> bool:
        return side(user, record) is not None and super().can(user, record, VIEW)


policy = ReferralPolicy()
visible_referrals = policy.visible
get_referral_for_user = policy.get_for_user


def packet_fields(user, referral) -> frozenset[str]:
    """The fields of the case this user may read on the referral's page: the receiver's live grant's
    fields while the referral is open; nothing before acceptance or after it ends. The sender reads
    the case itself (its own page)."""
    if side(user, referral) != rules.RECEIVER or referral.state not in rules.OPEN_STATES:
        return frozenset()
    return case_access.shared_fields(user, referral.case) & frozenset(referral.shared_fields)


def can_refer(user, case) -> bool:
    """Referring a case is for a worker who may change it (its own organisation's editors)."""
    return user.organisation_id is not None and case_access.can(user, case, case_access.CHANGE)


def can_manage_offering(user, offering: ServiceOffering) -> bool:
    """A provider updates its own services' places (any of its workers)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.organisation_id == offering.organisation_id
        and user.role in RECEIVER_ROLES
    )


def coordinators() -> QuerySet[User]:
    """The National Committee's coordinators (its secretariat's national roles): escalations go to them."""
    return User.objects.filter(
        is_active=True, role__in=AGGREGATE_ROLES, organisation__org_type__in=COMMITTEE_ORG_TYPES
    )


def organisation_users(organisation_id) -> QuerySet[User]:
    """An organisation's workers told of a referral's events."""
    return User.objects.filter(is_active=True, organisation_id=organisation_id, role__in=RECEIVER_ROLES)
