"""The client's address (audit log and lockout): X-Forwarded-For believed only from trusted proxies,
read from the right; invalid text never stored and never a server error (PostgreSQL's inet column)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.audit.services import client_address

PROXY = "10.0.0.5"


def request(remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.SIRA_TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(request("192.0.2.1", "198.51.100.1")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        (PROXY, "198.51.100.1", "198.51.100.1"),
        # What the client wrote itself is left of what the proxy appended: never believed.
        (PROXY, "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        (PROXY, "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # through two trusted proxies
        ("192.0.2.7", "198.51.100.1", "192.0.2.7"),  # a direct client cannot claim an address
        (PROXY, "not-an-ip", PROXY),
        (PROXY, "198.51.100.1, not-an-ip", PROXY),  # stops at the invalid hop
        (PROXY, "", PROXY),
        (PROXY, "fe80::1%eth0", PROXY),
        (PROXY, "2001:db8::1", "2001:db8::1"),
        ("::1", "198.51.100.1", "198.51.100.1"),
        ("not-an-ip", "198.51.100.1", None),
    ],
)
def test_the_rightmost_address_that_is_not_a_trusted_proxy(behind_proxy, remote, forwarded, client):
    assert client_address(request(remote, forwarded)) == client


@pytest.mark.parametrize("forwarded", ["not-an-ip", "1.2.3.4:80", "' OR 1=1 --", "999.1.1.1"])
def test_a_login_with_a_bad_forwarded_header_is_audited_with_the_proxy_address(behind_proxy, awa, forwarded):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    response = client.post(reverse("accounts:login"), {"username": "awa", "password": "wrong"})
    assert response.status_code == 200  # the login form again, not a server error
    assert AuditEvent.objects.get(action="login_failed").ip_address == PROXY
    assert AccessAttempt.objects.get().ip_address == PROXY
    response = client.post(reverse("accounts:login"), {"username": "awa", "password": "test-password-123"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="login").ip_address == PROXY


def test_the_lockout_and_the_audit_see_the_same_client(behind_proxy, awa):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.77")
    client.post(reverse("accounts:login"), {"username": "awa", "password": "wrong"})
    assert AuditEvent.objects.get(action="login_failed").ip_address == "198.51.100.77"
    assert AccessAttempt.objects.get().ip_address == "198.51.100.77"
