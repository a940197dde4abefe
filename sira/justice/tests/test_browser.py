"""A prosecutor records a verdict on a phone (390×844): the sentence below the article's minimum is
saved and flagged for review; screenshots of the justice pages go to /work/briefs/shots-justice/."""

import datetime as dt
from pathlib import Path

import pytest

from conftest import login
from sira.justice.models import Charge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/work/briefs/shots-justice")


def shot(page, name):
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_record_a_verdict_on_a_phone(page, chain, prosecutor, secretariat):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "proc")
    page.goto(f"{page.base_url}/justice/")
    shot(page, "01-justice-home")
    page.click(f'a[href="{chain["prosecution"].get_absolute_url()}"]')
    page.wait_for_selector('[data-testid="charge"]')
    shot(page, "02-prosecution")
    page.click("text=Enregistrer le jugement")
    page.select_option('[name="outcome"]', "convicted")
    page.fill('[name="outcome_date"]', (chain["prosecution"].opened_on + dt.timedelta(days=30)).isoformat())
    page.fill('[name="prison_months"]', "36")
    page.fill('[name="fine_fcfa"]', "250000")
    shot(page, "03-verdict-form")
    page.click("button.primary")
    page.wait_for_selector('[data-testid="review-flag"]')
    shot(page, "04-verdict-flagged")
    charge = Charge.objects.get()
    assert charge.outcome == "convicted" and charge.sentence.prison_months == 36
    assert charge.sentence.needs_review
    assert "minimum" in page.inner_text('[data-testid="review-flag"]')

    # Without a charge chosen, a conviction is refused with the reason, in French.
    page.goto(f"{page.base_url}/justice/prosecutions/{chain['prosecution'].pk}/verdict/")
    page.select_option('[name="outcome"]', "convicted")
    page.fill('[name="outcome_date"]', "2025-06-01")
    page.click("button.primary")
    page.wait_for_selector("#error-summary")
    assert "Une condamnation porte sur un chef" in page.inner_text("#error-summary")
    shot(page, "05-conviction-without-charge")

    page.goto(f"{page.base_url}/justice/articles/")
    shot(page, "06-legal-articles")


def test_statistics_and_investigation_pages_on_a_phone(page, chain, secretariat, investigator):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "enq")
    page.goto(f"{page.base_url}{chain['investigation'].get_absolute_url()}")
    page.wait_for_selector('[data-testid="suspect"]')
    shot(page, "07-investigation")
    page.goto(f"{page.base_url}/justice/investigations/new/")
    shot(page, "08-open-investigation")
    page.goto(f"{page.base_url}/justice/statistics/?start=2025-01-01&end=2025-12-31")
    shot(page, "09-statistics-agency")


def test_committee_and_ngo_views_on_a_phone(page, chain, secretariat, awa):
    """The committee sees suppressed national figures; the NGO sees the status on the victim's case."""
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "secretariat")
    page.goto(f"{page.base_url}/justice/statistics/?start=2025-01-01&end=2025-12-31")
    page.wait_for_selector('[data-testid="funnel"]')
    assert "Traoré" not in page.content()
    shot(page, "10-statistics-committee")
    page.context.clear_cookies()
    login(page, "awa")
    page.goto(f"{page.base_url}/cases/{chain['investigation'].cases.get().pk}/")
    page.wait_for_selector('[data-testid="justice-panel"]')
    assert "Traoré" not in page.inner_text('[data-testid="justice-panel"]')
    page.locator('[data-testid="justice-panel"]').screenshot(path=str(SHOTS / "11-ngo-case-panel.png"))
