"""Where referrals meet the registry: the referrals panel on a case's page, and erasure of the free
text referrals keep about a person. The registry knows nothing of referrals."""

from sira.cases import panels
from sira.cases import services as case_services
from sira.referrals import access
from sira.referrals.models import Referral


def referrals_panel(request, case, can_edit):
    referrals = access.visible_referrals(request.user).filter(case=case).select_related("receiver", "sender")
    return "referrals/_case_panel.html", {
        "referrals": referrals[:20],
        "can_refer": access.can_refer(request.user, case),
    }


def connect() -> None:
    panels.register(20, referrals_panel)
    case_services.person_erased.connect(_erase_texts, dispatch_uid="referrals-erasure")
    case_services.grants_ended.connect(_end_with_grants, dispatch_uid="referrals-consent")


def _end_with_grants(sender, case, grant_ids, by, request=None, **kwargs) -> None:
    """A consent withdrawn ends the referrals whose access rested on it (docs/referrals.md)."""
    from sira.referrals import services

    for referral in Referral.objects.filter(case=case, grant_id__in=grant_ids):
        services.end_for_withdrawn_consent(referral, by=by, request=request)


def _erase_texts(sender, person, cases, **kwargs) -> None:
    """A referral's message, urgent reason and decline details may describe the person."""
    Referral.objects.filter(case__in=cases).update(message=None, urgent_reason=None, decline_note=None)
