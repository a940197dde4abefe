"""The justice panel on a case's page (sira.cases.panels): the status of the justice cases linked to
the victim, for anyone who may see the case; suspects and charges only on the justice pages."""

from sira.cases import panels
from sira.justice import access


def justice_panel(request, case, can_edit):
    status = access.case_status(request.user, case)
    if not status and not access.can_open_investigation(request.user):
        return None
    return "justice/_case_panel.html", {
        "justice_status": status,
        "can_open_investigation": access.can_open_investigation(request.user),
    }


def connect() -> None:
    panels.register(30, justice_panel)
