"""Separation of duties in the Django admin: nobody changes their own access; a change to someone else's
access waits for a second administrator; every step is in the audit chain, with codes and ids only.
Each test posts the admin form as a browser would (in French, the default language), then reads the
database back."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from sira.accounts import services
from sira.accounts.models import AccessChange, User
from sira.audit import rules
from sira.audit.models import AuditEvent
from sira.audit.services import verify_chain
from sira.testing.factories import OrganisationFactory, UserFactory

USERS = "/admin/accounts/user/"
CHANGES = "/admin/accounts/accesschange/"


@pytest.fixture
def root(org_a):
    return UserFactory(
        username="root", organisation=org_a, role="administrator", is_staff=True, is_superuser=True
    )


@pytest.fixture
def second(org_a):
    return UserFactory(
        username="second", organisation=org_a, role="administrator", is_staff=True, is_superuser=True
    )


@pytest.fixture
def aminata(org_a):
    """Staff, not superuser, allowed to manage accounts."""
    user = UserFactory(username="aminata", organisation=org_a, role="administrator", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(user: User, **changes) -> dict:
    """What the admin's change form posts for `user`, with `changes` applied (booleans: True/False)."""
    user.refresh_from_db()
    values = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_synthetic": user.is_synthetic,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": user.last_login.strftime("%Y-%m-%d") if user.last_login else "",
        "last_login_1": user.last_login.strftime("%H:%M:%S") if user.last_login else "",
        "organisation": user.organisation_id or "",
        "role": user.role,
        "scope": user.scope,
        "groups": list(user.groups.values_list("pk", flat=True)),
        "user_permissions": list(user.user_permissions.values_list("pk", flat=True)),
        **changes,
    }
    return {k: ("on" if v is True else v) for k, v in values.items() if v is not False}


def post_change(by, user, **changes):
    return client_for(by).post(f"{USERS}{user.pk}/change/", form_data(user, **changes))


def decide(by, change, action="approve"):
    return client_for(by).post(CHANGES, {"action": action, "_selected_action": [change.pk]}, follow=True)


def audit(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


@pytest.mark.parametrize(
    "changes",
    [
        {"role": "investigator"},
        {"scope": "national"},
        {"organisation": "other"},
        {"is_superuser": True},
        {"groups": "admins"},
    ],
    ids=["role", "scope", "organisation", "superuser", "group"],
)
def test_nobody_changes_their_own_access_in_the_admin(aminata, org_b, changes):
    if changes.get("organisation") == "other":
        changes = {"organisation": org_b.pk}
    if changes.get("groups") == "admins":
        changes = {"groups": [Group.objects.create(name="admins").pk]}
    before = services.access_of(aminata)
    response = post_change(aminata, aminata, **changes)
    assert response.status_code == 200  # the form again, with its error
    assert "Vous ne pouvez pas modifier votre propre accès" in response.content.decode()
    aminata.refresh_from_db()
    assert services.access_of(aminata) == before and not aminata.is_superuser
    assert not AccessChange.objects.exists()
    assert not audit("access_requested") and not audit("change")


def test_own_non_access_fields_can_still_be_changed(aminata):
    response = post_change(aminata, aminata, email="aminata@example.org")
    assert response.status_code == 302
    aminata.refresh_from_db()
    assert aminata.email == "aminata@example.org"
    assert not AccessChange.objects.exists()
    (changed,) = audit("change")
    assert "email" in changed.detail["fields"] and not set(changed.detail["fields"]) & set(
        services.ACCESS_FIELDS
    )


def test_a_change_to_someone_elses_access_is_held_and_audited(root, awa, org_b):
    response = post_change(
        root, awa, role="prosecutor", scope="national", organisation=org_b.pk, last_name="Zelindaqua"
    )
    assert response.status_code == 302
    awa.refresh_from_db()
    assert (awa.role, awa.scope, awa.organisation_id) == ("case_manager", "organisation", awa.organisation_id)
    assert awa.last_name == "Zelindaqua"  # the rest is saved at once
    change = AccessChange.objects.get()
    assert change.status == "pending" and change.requested_by == root and change.user == awa
    assert change.changes == {
        "role": ["case_manager", "prosecutor"],
        "scope": ["organisation", "national"],
        "organisation": [awa.organisation_id, org_b.pk],
    }
    (requested,) = audit("access_requested")
    assert requested.actor == root and requested.object_id == str(awa.pk)
    assert requested.detail == {"change": change.pk, "changes": change.changes}
    (changed,) = audit("change")
    assert "last_name" in changed.detail["fields"]
    assert "Zelindaqua" not in json.dumps([e.detail for e in AuditEvent.objects.all()])


def test_a_second_administrator_approves(root, second, awa):
    post_change(root, awa, role="investigator", is_staff=True)
    change = AccessChange.objects.get()
    assert decide(second, change).status_code == 200
    awa.refresh_from_db()
    assert awa.role == "investigator" and awa.is_staff
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == second
    (approved,) = audit("access_approved")
    assert approved.actor == second and approved.object_id == str(awa.pk)
    assert approved.detail["changes"] == {"role": ["case_manager", "investigator"], "is_staff": [False, True]}
    assert isinstance(verify_chain(), rules.Head)


def test_the_requester_cannot_approve_their_own_request(root, awa):
    post_change(root, awa, is_superuser=True, is_staff=True)
    change = AccessChange.objects.get()
    response = decide(root, change)
    assert "Un second administrateur doit approuver cette modification" in response.content.decode()
    awa.refresh_from_db()
    assert not awa.is_superuser and not awa.is_staff
    change.refresh_from_db()
    assert change.status == "pending" and not audit("access_approved")


def test_the_account_concerned_cannot_approve_its_own_raise(root, second, aminata):
    post_change(root, aminata, is_superuser=True)
    change = AccessChange.objects.get()
    response = decide(aminata, change)
    assert (
        "Vous ne pouvez pas décider d&#x27;une modification de votre propre accès"
        in response.content.decode()
    )
    aminata.refresh_from_db()
    assert not aminata.is_superuser
    decide(second, change)
    aminata.refresh_from_db()
    assert aminata.is_superuser


def test_a_request_can_be_withdrawn_or_rejected(root, second, awa):
    post_change(root, awa, scope="national")
    change = AccessChange.objects.get()
    decide(root, change, "reject")  # the requester withdraws it
    change.refresh_from_db()
    awa.refresh_from_db()
    assert change.status == "rejected" and change.decided_by == root and awa.scope == "organisation"
    (rejected,) = audit("access_rejected")
    assert rejected.actor == root and rejected.detail == {"change": change.pk}
    response = decide(second, change)
    assert "a déjà été décidée" in response.content.decode()
    awa.refresh_from_db()
    assert awa.scope == "organisation"


def test_a_stale_request_is_refused(root, second, awa):
    post_change(root, awa, role="investigator")
    first = AccessChange.objects.get()
    post_change(second, awa, role="prosecutor")
    later = AccessChange.objects.exclude(pk=first.pk).get()
    decide(root, later)
    response = decide(second, first)
    assert "L&#x27;accès du compte a changé depuis cette demande (role)" in response.content.decode()
    awa.refresh_from_db()
    first.refresh_from_db()
    assert awa.role == "prosecutor" and first.status == "pending"


def test_a_new_account_has_no_access_until_approved(root, second, org_b):
    response = client_for(root).post(
        f"{USERS}add/",
        {
            "username": "nouveau",
            "usable_password": "true",
            "password1": "a-long-enough-Pass-42",
            "password2": "a-long-enough-Pass-42",
            "organisation": org_b.pk,
            "role": "prosecutor",
            "scope": "national",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nouveau")
    assert (user.organisation_id, user.role, user.scope, user.is_staff) == (
        None,
        "frontline_worker",
        "own",
        False,
    )
    change = AccessChange.objects.get(user=user)
    assert change.changes == {
        "organisation": [None, org_b.pk],
        "role": ["frontline_worker", "prosecutor"],
        "scope": ["own", "national"],
    }
    (created,) = audit("create")
    assert created.object_id == str(user.pk) and "password1" not in created.detail["fields"]
    decide(second, change)
    user.refresh_from_db()
    assert (user.organisation_id, user.role, user.scope) == (org_b.pk, "prosecutor", "national")


def test_groups_and_permissions_are_held_too(root, second, awa):
    group = Group.objects.create(name="gestion des comptes")
    permission = Permission.objects.get(codename="change_user")
    post_change(root, awa, groups=[group.pk], user_permissions=[permission.pk])
    assert not awa.groups.exists() and not awa.user_permissions.exists()
    change = AccessChange.objects.get()
    assert change.changes == {"groups": [[], [group.pk]], "user_permissions": [[], [permission.pk]]}
    assert "gestion des comptes" in services.describe(change)
    decide(second, change)
    assert list(awa.groups.all()) == [group] and list(awa.user_permissions.all()) == [permission]


def test_only_administrators_decide(root, awa, bakary):
    post_change(root, awa, role="investigator")
    change = AccessChange.objects.get()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Seul un administrateur"):
        services.approve_access_change(change, by=bakary)
    awa.refresh_from_db()
    assert awa.role == "case_manager"


def test_password_changes_in_the_admin_are_audited(root, awa):
    response = client_for(root).post(
        f"{USERS}{awa.pk}/password/",
        {"password1": "another-long-Pass-77", "password2": "another-long-Pass-77", "usable_password": "true"},
    )
    assert response.status_code == 302
    awa.refresh_from_db()
    assert awa.check_password("another-long-Pass-77")
    (changed,) = audit("change")
    assert changed.detail == {"fields": ["password"], "via": "admin"} and changed.actor == root


def test_an_account_in_the_audit_log_cannot_be_deleted(root, awa):
    client = client_for(awa)  # logging in writes awa into the log
    client.post("/accounts/login/", {"username": "awa", "password": "test-password-123"})
    assert AuditEvent.objects.filter(actor=awa).exists()
    response = client_for(root).post(f"{USERS}{awa.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=awa.pk).exists()


def test_admin_actions_on_organisations_are_audited_by_field_name(root):
    client = client_for(root)
    data = {"name": "ONG Sanankoroba", "acronym": "OSK", "org_type": "NGO", "region": "ML09", "city": "Kati"}
    assert client.post("/admin/accounts/organisation/add/", data).status_code == 302
    org = OrganisationFactory._meta.model.objects.get(name="ONG Sanankoroba")
    changed = {**data, "phone": "+22370000000"}
    assert client.post(f"/admin/accounts/organisation/{org.pk}/change/", changed).status_code == 302
    assert client.post(f"/admin/accounts/organisation/{org.pk}/delete/", {"post": "yes"}).status_code == 302
    entries = AuditEvent.objects.filter(object_type="accounts.organisation", object_id=str(org.pk)).order_by(
        "seq"
    )
    assert [(e.action, e.actor) for e in entries] == [("create", root), ("change", root), ("delete", root)]
    assert entries[1].detail == {"fields": ["phone"], "via": "admin"}
    assert "Sanankoroba" not in json.dumps([e.detail for e in entries]) and "+22370000000" not in json.dumps(
        [e.detail for e in entries]
    )
    assert isinstance(verify_chain(), rules.Head)


def test_no_other_path_changes_an_account(root, awa):
    """The admin is the only way to change an account: the API has no account resource and the pages
    only show or renew one's API token."""
    client = client_for(root)
    for url in (f"/api/v1/users/{awa.pk}/", f"/api/v1/accounts/{awa.pk}/"):
        response = client.patch(url, {"role": "administrator"}, content_type="application/json")
        assert response.status_code == 404
    awa.refresh_from_db()
    assert awa.role == "case_manager"
