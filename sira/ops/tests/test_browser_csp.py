"""The main pages under the Content-Security-Policy the server sends, in a real browser: no violation
(no inline script or style, nothing from another origin), at phone size."""

from pathlib import Path

import pytest

from conftest import login
from sira.testing.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path("/work/briefs/shots-production")

PAGES = [
    ("dashboard", "/accounts/dashboard/"),
    ("case-list", "/cases/"),
    ("case-new", "/cases/new/"),
    ("case-detail", None),
    ("case-edit", None),
    ("screening-new", "/screening/new/"),
    ("import", "/screening/imports/new/"),
    ("api-token", "/accounts/api-token/"),
    ("password", "/accounts/password/"),
]


def test_main_pages_raise_no_csp_violation(page, awa):
    violations, console = [], []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "window.reportViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + location.pathname));"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    case = CaseFactory(by=awa)
    login(page, "awa")
    page.wait_for_selector("text=Tableau de bord")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in PAGES:
        path = path or f"/cases/{case.pk}/" + ("edit/" if name == "case-edit" else "")
        response = page.goto(f"{page.base_url}{path}")
        assert response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
        page.wait_for_load_state("load")
        page.screenshot(path=str(SHOTS / f"csp-{name}.png"))
    assert violations == []
    assert not [text for text in console if "Content Security Policy" in text or "Refused to" in text]


def test_an_inline_script_would_be_reported(page, awa, live_server):
    """The detector works: a page with an inline script, under the same policy, is caught."""
    violations = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', "
        "e => window.reportViolation(e.violatedDirective));"
    )
    from sira.core.middleware import SecurityHeadersMiddleware

    page.route(
        f"{page.base_url}/probe",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": SecurityHeadersMiddleware.CSP},
            body="<html><body><script>document.title='x'</script><p style='color:red'>x</p></body></html>",
        ),
    )
    page.goto(f"{page.base_url}/probe")
    page.wait_for_timeout(300)
    assert any(v.startswith("script-src") for v in violations)
    assert any(v.startswith("style-src") for v in violations)
