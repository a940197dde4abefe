"""At phone size, in a real browser: a field officer of an NGO reports progress on an awareness
activity with its reach; the committee's secretariat sees it on the plan page and on the map.
Screenshots go to /tmp/coordination/shots/ when that folder exists."""

import datetime as dt
from pathlib import Path

import pytest

from conftest import login
from sira.coordination.models import ActivityReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path("/tmp/coordination/shots")  # noqa: S108 (the helper's screenshot folder, if present)
PHONE = {"width": 390, "height": 844}


def shot(page, name):
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def demo():
    from sira.demo import seed

    spec = seed.load_spec()
    users = seed.seed_organisations_and_users(spec)
    seed.seed_coordination(users)
    return spec


def test_a_field_officer_reports_reach_and_the_committee_sees_it(page, demo):
    password = demo["password"]
    violations = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "window.reportViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + location.pathname));"
    )
    page.set_viewport_size(PHONE)
    login(page, "agent.ong", password)
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/coordination/")
    page.click('[data-testid="report-1.1.1"]')
    page.wait_for_selector("#id_status")
    start = (dt.date.today() - dt.timedelta(days=100)).isoformat()
    page.select_option("#id_status", "in_progress")
    page.fill("#id_actual_start", start)
    page.fill("#id_amount_spent", "2500000")
    for field, value in (("girls", "120"), ("boys", "95"), ("women", "210"), ("men", "75")):
        page.fill(f"#id_{field}", value)
    page.check('input[name="channels"][value="radio"]')
    page.check('input[name="radio_languages"][value="bm"]')
    page.check('input[name="radio_languages"][value="ff"]')
    page.fill("#id_evidence", "Contrats de diffusion avec deux radios de Mopti (synthétique)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "activity-report-form")
    page.click('[data-testid="save"]')
    page.wait_for_selector("text=Rapport enregistré.")
    report = ActivityReport.objects.get(activity__code="1.1.1")
    assert (report.reached, report.amount_spent, report.radio_languages) == (500, 2_500_000, ["bm", "ff"])
    assert report.reported_by.username == "agent.ong"
    page.click("form.logout button")
    page.wait_for_selector("#id_username")

    login(page, "statisticien", password)
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/coordination/")
    page.click('[data-testid="plan-link"]')
    row = page.locator('[data-testid="activity-1.1.1"]')
    assert "500 personnes touchées" in row.inner_text()
    assert row.locator('[data-testid="state"]').inner_text() == "dans les délais"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "plan")

    page.goto(f"{page.base_url}/coordination/map/")
    page.wait_for_selector("path.leaflet-interactive")  # the shipped regions drew (no tiles)
    page.wait_for_selector('#map-list li[data-layer="activity"]')
    items = page.locator("#map-list li").all_inner_texts()
    assert any("1.1.1" in text and "500 personnes touchées" in text for text in items), items
    assert any(text.startswith("Projet") for text in items)
    shot(page, "map")
    assert violations == []  # the Content-Security-Policy holds on every page visited (no inline code)
