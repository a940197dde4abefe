"""A referral in a real browser at phone size, between two demo organisations: the NGO's case manager
refers a case to the Bamako shelter after previewing the packet; the shelter's worker accepts, starts
and completes it; the sender sees the status change. Screenshots of each new page go to
/work/briefs/shots-referrals/ when that folder exists."""

from pathlib import Path

import pytest

from conftest import login
from sira.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path("/work/briefs/shots-referrals")
PHONE = {"width": 390, "height": 844}


def shot(page, name):
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def demo():
    from sira.demo import seed
    from sira.testing.factories import CaseFactory

    spec = seed.load_spec()
    users = seed.seed_organisations_and_users(spec)
    seed.seed_directory(spec)
    shelter = users["prestataire"].organisation
    case = CaseFactory(
        by=users["gestionnaire"], first_name="Mariam", last_name="Keïta", share_with=[shelter], region="ML09"
    )
    return spec, users, case


def logout(page):
    page.click("form.logout button")
    page.wait_for_selector("#id_username")


def test_refer_accept_complete_and_the_sender_sees_it(page, demo):
    spec, _users, case = demo
    password = spec["password"]
    page.set_viewport_size(PHONE)

    login(page, "gestionnaire", password)
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/referrals/directory/")
    shot(page, "directory")
    page.goto(f"{page.base_url}/referrals/map/")
    page.wait_for_selector("path.leaflet-interactive")  # the shipped regions drew (no tiles)
    page.wait_for_selector(".leaflet-marker-pane path, .leaflet-overlay-pane path >> nth=12")
    shot(page, "map")

    page.goto(f"{page.base_url}/cases/{case.pk}/")
    page.click('[data-testid="refer"]')
    page.select_option('[name="service"]', "Shelter")
    page.click("text=Trouver des prestataires")
    page.wait_for_selector('[data-testid="suggestion"]')
    shot(page, "referral-suggestions")
    assert not page.is_visible("text=Accueil d'urgence garçons")  # a boys' centre, and full
    page.click('[data-testid="choose-KANUYA"]')
    page.click('[data-testid="preview-button"]')
    page.wait_for_selector('[data-testid="preview"]')
    assert page.inner_text('[data-testid="preview-first_name"]') == "Mariam"
    shot(page, "referral-preview")
    page.click('[data-testid="send"]')
    page.wait_for_selector("text=envoyée")
    referral = Referral.objects.get()
    assert referral.state == "sent" and referral.receiver.acronym == "KANUYA"
    logout(page)

    login(page, "prestataire", password)
    page.wait_for_selector("text=Tableau de bord")
    page.goto(f"{page.base_url}/referrals/incoming/")
    page.wait_for_selector('[data-testid="queue-item"]')
    shot(page, "intake-queue")
    page.click(f"text={referral.reference}")
    assert "Mariam" not in page.inner_text('[data-testid="packet"]')  # before acceptance: no name
    shot(page, "referral-to-decide")
    page.select_option('[name="accept-case_worker"]', label="prestataire")
    page.click('[data-testid="accept"]')
    page.wait_for_selector("text=Orientation acceptée")
    assert page.inner_text('[data-testid="packet-first_name"]') == "Mariam"
    page.click('[data-testid="start"]')
    page.wait_for_selector('[data-testid="complete"]')
    page.click('[data-testid="complete"]')
    page.wait_for_selector("text=Prise en charge terminée")
    referral.refresh_from_db()
    assert referral.state == "completed" and referral.grant.revoked_at is not None
    assert "Mariam" not in page.inner_text('[data-testid="packet"]')  # access ended with the referral
    logout(page)

    login(page, "gestionnaire", password)
    page.wait_for_selector("text=Tableau de bord")
    assert page.is_visible('[data-testid="unread"]')  # accepted, completed: notices
    page.goto(f"{page.base_url}/referrals/sent/")
    assert "terminée" in page.inner_text('[data-testid="queue-item"]')
    page.goto(f"{page.base_url}/cases/{case.pk}/")
    assert "terminée" in page.inner_text('[data-testid="case-referral"]')
    page.click('[data-testid="followup-link"]')
    page.fill('[name="note-text"]', "Mariam est hébergée au centre; visite prévue lundi.")
    page.click('[data-testid="add-note"]')
    page.wait_for_selector('[data-testid="note"]')
    assert "par une orientation" in page.inner_text("#assistance")
    shot(page, "case-followup")
