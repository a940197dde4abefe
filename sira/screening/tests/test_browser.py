"""In a real browser at phone size: screen a person at a flow-monitoring point, read the explanation,
then register a new case from the screening."""

import pytest

from conftest import login
from sira.cases.models import Case
from sira.screening.models import Screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_screen_read_explanation_and_attach_to_a_new_case(page, awa):
    login(page, "awa")
    page.goto(f"{page.base_url}/screening/new/")
    page.select_option('[name="gender"]', "Feminine")
    page.fill('[name="age"]', "14")
    page.select_option('[name="nationality"]', "NG")
    page.select_option('[name="departure_country"]', "NG")
    page.select_option('[name="region"]', "ML01")
    page.select_option('[name="context"]', "FlowMonitoringPoint")
    page.check('input[name="suspected_forms"][value="domestic_servitude"]')
    page.click("text=Suite : les questions")

    page.check('input[name="urgent__URG-DANGER"][value="no"]')
    page.check('input[name="urgent__URG-MEDICAL"][value="no"]')
    page.check('input[name="urgent__URG-UNACCOMPANIED"][value="no"]')
    page.click("summary:has-text('Indicateurs généraux')")
    page.click("fieldset:has(input[name='q__ILO-D4-01']) summary:has-text('Conseils')")
    assert page.is_visible("text=Indicateur : Journées ou heures de travail excessives")
    for indicator in ("ACT-01", "ILO-D4-01", "ILO-D4-03"):
        page.check(f'input[name="q__{indicator}"][value="yes"]')
    page.check('input[name="q__ILO-D5-01"][value="unknown"]')
    page.click("text=Voir le résultat")

    outcome = page.inner_text('[data-testid="outcome"]')
    assert outcome == "Forte indication de traite — orienter comme victime présumée"
    assert page.is_visible("text=Enfant (moins de 18 ans) : les moyens de la traite ne sont pas requis.")
    assert page.is_visible("text=1 réponse est inconnue")

    page.click("text=Enregistrer un nouveau dossier à partir de ce dépistage")
    assert page.input_value('[name="person-estimated_age"]') == "14"
    assert page.is_checked('input[name="exp-exploitation_forms"][value="DomesticServitude"]')
    page.fill('[name="person-first_name"]', "Joy")
    page.check('input[name="consent-Registration"][value="yes"]')
    page.click("text=Enregistrer le dossier")
    page.wait_for_selector("text=Dépistages")

    case = Case.objects.get()
    assert Screening.objects.get().case == case
    assert [str(c) for c in case.person.citizenships] == ["NG"]
    assert page.is_visible("text=Forte indication de traite")
