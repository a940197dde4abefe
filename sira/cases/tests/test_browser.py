"""A frontline journey in a real browser, at phone size: log in, register a case through the guided
form, find it in the list by part of its name, switch to English."""

import datetime as dt

import pytest

from conftest import login
from sira.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_register_find_and_switch_language(page, awa):
    login(page, "awa")
    page.wait_for_selector("text=Tableau de bord")
    page.click("text=Enregistrer un dossier")
    page.fill('[name="person-first_name"]', "Salimata")
    page.fill('[name="person-last_name"]', "Konaté")
    page.select_option('[name="person-gender"]', "Feminine")
    page.fill('[name="person-estimated_age"]', "12")
    page.fill('[name="case-identification_date"]', (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.select_option('[name="case-identification_context"]', "Outreach")
    page.select_option('[name="case-identification_region"]', "ML09")
    page.check('input[name="exp-exploitation_forms"][value="DomesticServitude"]')
    page.click("#step-exploitation summary")  # details of the exploitation are folded
    page.select_option('[name="exp-subsector"]', "DomesticWork")
    page.click("#step-route summary")  # the route is folded: it can be completed later
    page.select_option('[name="route-0-kind"]', "Origin")
    page.select_option('[name="route-0-country"]', "ML")
    page.select_option('[name="route-0-region"]', "ML04")
    page.check('input[name="consent-Registration"][value="yes"]')
    page.click("text=Enregistrer le dossier")

    page.wait_for_selector("text=enregistré")
    case = Case.objects.get()
    assert page.inner_text('[data-testid="person-name"]') == "Salimata Konaté"
    assert case.route.get().region_id == "ML04"

    page.goto(f"{page.base_url}/cases/")
    assert page.is_visible('[name="q"]')  # the search box is open at the top, on a phone
    page.fill('[name="q"]', "konat sali")  # partial, surname first, no accent
    page.click("text=Rechercher")
    page.wait_for_selector(f"text={case.case_number}")
    assert page.inner_text('[data-testid="list-name"]') == "Salimata Konaté"
    assert "konat" not in page.url.lower() and "s=" in page.url  # the name never goes into the URL

    page.click('[data-testid="lang-en"]')
    page.wait_for_selector("text=Dashboard")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.is_visible(f"text={case.case_number}")
