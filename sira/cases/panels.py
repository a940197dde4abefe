"""Sections that apps above the registry add to a case's page (screenings now; referrals and justice
later) without the registry importing them: an upper app registers a panel in its AppConfig.ready().
The same for the API's answer to a registration: an upper app may add keys to it (`register_answer`),
e.g. the probable duplicates found across organisations (sira/duplicates)."""

from collections.abc import Callable

from django.template.loader import render_to_string

# Each panel: (order, function(request, case, can_edit) -> (template name, context) or None).
_PANELS: list[tuple[int, Callable]] = []


def register(order: int, panel: Callable) -> None:
    if all(existing is not panel for _, existing in _PANELS):
        _PANELS.append((order, panel))
        _PANELS.sort(key=lambda item: item[0])


def render_panels(request, case, *, can_edit: bool) -> list[str]:
    out = []
    for _order, panel in _PANELS:
        spec = panel(request, case, can_edit)
        if spec is not None:
            template, context = spec
            out.append(render_to_string(template, {"case": case, "can_edit": can_edit, **context}, request))
    return out


# Each answer part: function(request, case) -> dict merged into the API's 201 answer to a registration.
_ANSWERS: list[Callable] = []


def register_answer(part: Callable) -> None:
    if all(existing is not part for existing in _ANSWERS):
        _ANSWERS.append(part)


def registration_answer(request, case) -> dict:
    out: dict = {}
    for part in _ANSWERS:
        out.update(part(request, case) or {})
    return out
