"""Editing a case in a real browser at phone size: change it, see the change and the confirmation,
reload, and it is still there (an edit once kept nothing while every test was green)."""

import os

import pytest

from conftest import login
from sira.cases.models import Case
from sira.testing.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("SIRA_SCREENSHOTS")  # a folder to keep screenshots in, for a person to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_edit_a_case_see_it_and_find_it_after_reload(page, awa):
    case = CaseFactory(by=awa, first_name="Kadiatou", region="ML01")
    login(page, "awa")
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/cases/{case.pk}/edit/")
    shot(page, "edit-form")
    page.fill('[name="case-narrative"]', "Trouvée au site d'orpaillage de Kéniéba, orientée vers l'abri.")
    page.click("#step-person summary, fieldset:first-of-type summary")  # optional details are folded
    page.fill('[name="person-phone"]', "+223 70 11 22 33")
    page.select_option('[name="case-case_status"]', "FollowUp")
    page.click("button.primary")
    page.wait_for_selector("text=Modifications enregistrées.")
    shot(page, "after-save")
    assert "Kéniéba" in page.inner_text("main")
    page.reload()
    assert "Kéniéba" in page.inner_text("main")
    assert "Suivi" in page.inner_text("main")
    saved = Case.objects.select_related("person").get(pk=case.pk)
    assert saved.person.phone == "+22370112233" and saved.case_status == "FollowUp"


def test_cercles_follow_the_chosen_region(page, awa):
    case = CaseFactory(by=awa, region="ML01")
    login(page, "awa")
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/cases/{case.pk}/edit/")
    page.select_option('[name="case-identification_region"]', "ML04")
    offered = page.eval_on_selector_all(
        'select[name="case-identification_cercle"] option:not([hidden])', "els => els.map(e => e.value)"
    )
    assert "ML0402" in offered and "ML0104" not in offered  # Ségou's cercles only
    shot(page, "cercles")
