"""Where screenings meet the registry: the screenings panel on a case's page, and promoting a
screening into a new case. The registry knows nothing of screenings; this module calls down into it."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from sira.cases import panels
from sira.cases import services as case_services
from sira.cases.views import registration_page
from sira.screening import access, services
from sira.screening.models import Screening


def screenings_panel(request, case, can_edit):
    screenings = case.screenings.select_related("catalogue").order_by("-screened_on")
    return "screening/_case_panel.html", {"screenings": screenings}


def connect() -> None:
    panels.register(10, screenings_panel)
    case_services.person_erased.connect(_erase_justifications, dispatch_uid="screening-erasure")


def _erase_justifications(sender, person, cases, **kwargs) -> None:
    """A worker's justification of a determination may describe the person: erased with their identity."""
    Screening.objects.filter(case__in=cases).update(justification=None)


@login_required
@require_http_methods(["GET", "POST"])
def promote(request, pk):
    """The guided registration, pre-filled from the screening, which is attached to the new case."""
    screening = access.get_screening_for_user(request.user, pk, access.CHANGE)

    def register(**case_input):
        return services.promote_to_case(screening, **case_input)

    return registration_page(
        request,
        initial=services.case_initial(screening),
        register=register,
        context={"screening": screening},
    )
