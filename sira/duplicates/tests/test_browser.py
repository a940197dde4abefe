"""Duplicates in a real browser at phone size, between demo organisations: the NGO's case manager sees
the warning on a new case (a probable match at the BPMC brigade, nothing more), asks the brigade; the
brigade's investigator confirms after the consent is there; the NGO then sees the brigade's case.
Within the NGO a second record of one girl is merged. Screenshots go to $SIRA_SHOTS_DIR (default
/work/briefs/shots-duplicates/) when that folder exists."""

import os
from pathlib import Path

import pytest

from conftest import login
from sira.cases.models import CaseGrant
from sira.duplicates.models import DuplicateRequest, PersonMerge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path(os.environ.get("SIRA_SHOTS_DIR", "/work/briefs/shots-duplicates"))
PHONE = {"width": 390, "height": 844}


def shot(page, name):
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"browser-{name}.png"), full_page=True)


def logout(page):
    page.click("form.logout button")
    page.wait_for_selector("#id_username")


@pytest.fixture
def demo():
    from sira.cases.models import Case
    from sira.demo import seed

    spec = seed.load_spec()
    users = seed.seed_organisations_and_users(spec)
    seed.seed_duplicates(users)
    cases = {c.case_number: c for c in Case.objects.filter(case_number__startswith="DEMO-DOUBLON")}
    return spec, users, cases


def test_warning_request_confirm_and_merge(page, demo):
    spec, users, cases = demo
    page.set_viewport_size(PHONE)
    login(page, "gestionnaire", spec["password"])
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/cases/{cases['DEMO-DOUBLON-2'].pk}/")
    card = page.locator("#duplicates").inner_text()
    assert "BPMC" in card and "DEMO-DOUBLON-1" not in card and "Kulibali" not in card
    shot(page, "warning")
    page.click('[data-testid="ask"]')
    shot(page, "ask")
    page.click('[data-testid="send-request"]')
    page.wait_for_selector("text=D-")
    req = DuplicateRequest.objects.get()
    assert req.target_case_id == cases["DEMO-DOUBLON-1"].pk and req.state == "pending"

    # The other record of one girl in the NGO: compared side by side, merged.
    page.goto(f"{page.base_url}/cases/{cases['DEMO-DOUBLON-4'].pk}/")
    page.click('[data-testid="merge"]')
    shot(page, "merge")
    page.click('[data-testid="confirm-merge"]')
    page.wait_for_selector("#duplicates", state="detached")
    assert PersonMerge.objects.count() == 1
    logout(page)

    # The brigade's investigator: no consent yet, so the page says so; once recorded, confirms.
    from sira.cases import services

    login(page, "enqueteur", spec["password"])
    page.goto(f"{page.base_url}/duplicates/requests/{req.pk}/")
    assert page.locator('[data-testid="no-consent"]').count() == 1
    shot(page, "request")
    services.record_consent(
        cases["DEMO-DOUBLON-1"],
        by=users["enqueteur"],
        purpose="Sharing",
        given=True,
        organisations=[users["gestionnaire"].organisation_id],
    )
    page.reload()
    page.click('[data-testid="confirm"]')
    page.wait_for_selector('[data-testid="state"]')
    req.refresh_from_db()
    assert req.state == "confirmed"
    assert CaseGrant.objects.filter(
        case=cases["DEMO-DOUBLON-1"], organisation=users["gestionnaire"].organisation
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
