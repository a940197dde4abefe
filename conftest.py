import pytest
from django.test import Client

from sira.testing import auth
from sira.testing.factories import OrganisationFactory, UserFactory

# client.force_login(user) is a full login: password and second factor (sira/testing/auth.py).
# Two-factor tests use auth.password_only_login for the session after the password alone.
Client.force_login = auth.force_login


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="ONG Test A", acronym="TSTA", region_id="ML09")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(
        name="Brigade Test B", acronym="TSTB", org_type="PoliceBrigade", region_id="ML01"
    )


@pytest.fixture
def awa(org_a):
    """Case manager at organisation A."""
    return UserFactory(username="awa", organisation=org_a, role="case_manager")


@pytest.fixture
def bakary(org_b):
    """Case manager at organisation B."""
    return UserFactory(username="bakary", organisation=org_b, role="case_manager")


@pytest.fixture
def secretariat(db):
    org = OrganisationFactory(name="Secrétariat Test", acronym="TSTS", org_type="MinistryService")
    return UserFactory(username="secretariat", organisation=org, role="national_statistician")


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def live_server(django_db_setup, django_db_blocker, live_server):
    """pytest-django's live server. Its request threads can keep a PostgreSQL connection after the
    browser has gone, which would stop the test database from being dropped: end them first."""
    yield live_server
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def page(live_server, monkeypatch):
    """A Playwright page in Debian's chromium, pointed at the live server."""
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs its own event loop in the test thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 412, "height": 915})  # a phone
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        yield page
        browser.close()


def login(page, username, password="test-password-123"):
    """Log in as a person does: password, then the code from their authenticator."""
    from sira.accounts.models import User

    device = auth.authenticator(User.objects.get(username=username))
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_selector("#id_code")
    page.fill("#id_code", auth.fresh_code(device))
    page.click("button.primary")
