"""At phone size, in a real browser: a save made from a page someone else saved meanwhile is refused
with the fields that changed; the emergency-access request opens a case outside one's reach."""

import os

import pytest

from conftest import login
from sira.cases import services
from sira.cases.models import AccessFlag, Case
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("SIRA_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_conflicting_save_is_refused_and_shows_what_changed(page, awa):
    case = CaseFactory(by=awa, region="ML01")
    colleague = UserFactory(username="mariam", organisation=awa.organisation, role="case_manager")
    login(page, "awa")
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/cases/{case.pk}/edit/")
    services.update_case(
        case, by=colleague, person={}, case_fields={"narrative": "Note de Mariam."}, version=1
    )
    page.select_option('[name="case-case_status"]', "FollowUp")
    page.click("button.primary")
    page.wait_for_selector('[data-testid="conflict"]')
    assert "mariam" in page.inner_text('[data-testid="conflict"]')
    shot(page, "conflict")
    assert Case.objects.get(pk=case.pk).case_status == "Active"
    page.click("button.primary")  # checked: save again
    page.wait_for_selector("text=Modifications enregistrées")
    saved = Case.objects.get(pk=case.pk)
    assert (saved.case_status, saved.narrative) == ("FollowUp", "Note de Mariam.")


def test_request_emergency_access(page, awa):
    case = CaseFactory(by=awa)
    shelter = OrganisationFactory(name="Abri Test", acronym="ABRI", org_type="ShelterServiceProvider")
    UserFactory(username="abri", organisation=shelter, role="service_provider")
    login(page, "abri")
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/cases/")
    page.click('[data-testid="emergency-link"]')
    page.fill('[name="case_number"]', case.case_number)
    page.fill('[name="reason"]', "Arrivée blessée cette nuit, besoin des informations médicales.")
    shot(page, "break-glass-request")
    page.click("button.primary")
    page.wait_for_selector('[data-testid="emergency-notice"]')
    shot(page, "break-glass-granted")
    assert AccessFlag.objects.filter(case=case, kind="emergency").exists()
