"""Where duplicates meet the registry: the probable-duplicates warning on a case's page (shown first
after a registration) and in the API's answer to a registration. The registry knows nothing of it."""

from django.urls import reverse

from sira.cases import panels
from sira.duplicates import services


def duplicates_panel(request, case, can_edit):
    views = services.match_views(request.user, case)
    if not views:
        return None
    return "duplicates/_case_panel.html", {"matches": views}


def as_json(view: dict, case) -> dict:
    """A match as the API shows it: the same facts as the page, never more."""
    if view["kind"] in ("visible", "same_organisation"):
        out = {
            "kind": view["kind"],
            "organisation": view["organisation"].name,
            "case_id": view["case"].pk,
            "case_number": view["case"].case_number,
        }
        if view.get("can_merge"):
            out["merge_url"] = reverse("duplicates:merge", args=[case.pk, view["case"].pk])
        return out
    req = view.get("request")
    return {
        "kind": view["kind"],
        "organisation": view["organisation"].name,
        "organisation_id": view["organisation"].pk,
        "request": {"id": req.pk, "reference": req.reference, "state": req.state} if req else None,
        "request_url": reverse("duplicates:ask", args=[case.pk, view["organisation"].pk])
        if view.get("can_request")
        else None,
    }


def registration_answer(request, case) -> dict:
    return {"probable_duplicates": [as_json(v, case) for v in services.match_views(request.user, case)]}


def connect() -> None:
    panels.register(5, duplicates_panel)
    panels.register_answer(registration_answer)
