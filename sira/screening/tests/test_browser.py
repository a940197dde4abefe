"""In a real browser at phone size: screen a person at a flow-monitoring point, read the explanation,
then register a new case from the screening."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import login
from sira.cases.models import Case
from sira.screening.models import Screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


SCREENSHOT = Path(__file__).resolve().parents[3] / "var" / "screenshots" / "screening-result-phone.png"


def test_screen_read_explanation_and_attach_to_a_new_case(page, awa):
    """A typical screening on a phone: at most 40 taps, the outcome readable on the first screen."""
    taps = 0

    def tap(action, *args):
        nonlocal taps
        taps += 1
        getattr(page, action)(*args)

    login(page, "awa")
    page.goto(f"{page.base_url}/screening/new/")
    tap("select_option", '[name="gender"]', "Feminine")
    tap("fill", '[name="age"]', "14")
    tap("select_option", '[name="nationality"]', "NG")
    tap("select_option", '[name="departure_country"]', "NG")
    tap("select_option", '[name="region"]', "ML01")
    tap("select_option", '[name="context"]', "FlowMonitoringPoint")
    tap("check", 'input[name="suspected_forms"][value="domestic_servitude"]')
    tap("click", "text=Suite : les questions")

    # A follow-up stays hidden until its answer opens it (the page script hides it once loaded: expect
    # waits for that, a bare is_visible raced it on a loaded machine).
    expect(page.locator("#f-C-WHO")).to_be_hidden()
    for question, value in [
        ("U-DANGER", "no"),
        ("U-MEDICAL", "no"),
        ("U-ALONE", "no"),
        ("C-ARRANGED", "yes"),
        ("C-WHO", "intermediary"),
        ("C-PROMISES", "work"),
        ("C-HOURS", "yes"),
        ("C-PAY", "none"),
        ("C-LEAVE", "no"),
        ("C-DOCS", "someone_else"),
        ("H-HOUSEWORK", "yes"),
        ("H-OUT-ALONE", "no"),
    ]:
        tap("check", f'input[name="q__{question}"][value="{value}"]')
    tap("click", "text=Voir le résultat")

    outcome = page.locator('[data-testid="outcome"]')
    assert outcome.inner_text() == "Forte indication de traite — orienter comme victime présumée"
    box = outcome.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"]  # on the first screen
    assert page.locator('[data-testid="reasons"] li').count() >= 3
    assert not page.is_visible("text=Journées ou heures de travail excessives")  # evidence folded away
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert taps <= 40
    screening = Screening.objects.get()
    assert (screening.outcome, screening.catalogue.version) == ("strong", "2026.2")

    tap("click", "text=Enregistrer un nouveau dossier à partir de ce dépistage")
    assert page.input_value('[name="person-estimated_age"]') == "14"
    assert page.is_checked('input[name="exp-exploitation_forms"][value="DomesticServitude"]')
    page.fill('[name="person-first_name"]', "Joy")
    page.check('input[name="consent-Registration"][value="yes"]')
    page.click("text=Enregistrer le dossier")
    page.wait_for_selector("text=Dépistages")

    case = Case.objects.get()
    assert Screening.objects.get().case == case
    assert [str(c) for c in case.person.citizenships] == ["NG"]
