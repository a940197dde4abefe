"""No lost update: every editable record carries a version; a save made from a stale copy is refused,
changes nothing, and says which fields changed since — on the pages and through the API."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases import services
from sira.cases.models import Case, Exploitation, RouteStop
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory
from sira.testing.html_forms import form_data


@pytest.fixture
def colleague(awa):
    return UserFactory(username="mariam", organisation=awa.organisation, role="case_manager")


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _edit(client, case):
    return form_data(client.get(reverse("cases:edit", args=[case.pk])).content.decode())


def test_a_stale_page_is_refused_and_the_other_change_is_kept(awa, colleague, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    stale = _edit(client, case)  # awa opens the page…
    assert stale["case-version"] == "1"
    services.update_case(  # …mariam saves a note meanwhile
        case, by=colleague, person={}, case_fields={"narrative": "Note de Mariam."}, version=1
    )
    response = client.post(reverse("cases:edit", args=[case.pk]), stale | {"case-case_status": "FollowUp"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="conflict"' in page
    assert "Rien n’a été enregistré" in page and "mariam" in page and "Récit" in page
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.case_status, fresh.narrative, fresh.version) == ("Active", "Note de Mariam.", 2)
    # The page now shows mariam's note (awa had not touched it) and the new version: saving it again
    # records awa's change and keeps mariam's.
    again = form_data(page)
    assert again["case-version"] == "2" and again["case-narrative"] == "Note de Mariam."
    assert client.post(reverse("cases:edit", args=[case.pk]), again).status_code == 302
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.case_status, fresh.narrative, fresh.version) == ("FollowUp", "Note de Mariam.", 3)


def test_a_field_both_changed_is_marked_and_the_users_text_kept(awa, colleague, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    stale = _edit(client, case)
    services.update_case(case, by=colleague, person={}, case_fields={"narrative": "Note A."}, version=1)
    response = client.post(reverse("cases:edit", args=[case.pk]), stale | {"case-narrative": "Note B."})
    page = response.content.decode()
    assert "Quelqu’un d’autre a modifié ce champ" in page
    assert form_data(page)["case-narrative"] == "Note B."  # nothing the worker typed is lost
    assert Case.objects.get(pk=case.pk).narrative == "Note A."
    # The audit log names fields, never values, and the refused save wrote nothing.
    events = AuditEvent.objects.filter(object_id=str(case.pk), action="change")
    assert events.count() == 1 and "Note" not in str(list(events.values_list("detail", flat=True)))


def test_the_conflict_message_is_in_the_users_language(awa, colleague, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    client.post(reverse("set_language"), {"language": "en"})
    stale = _edit(client, case)
    services.update_case(case, by=colleague, person={"first_name": "Mariam"}, case_fields={}, version=1)
    page = client.post(reverse("cases:edit", args=[case.pk]), stale).content.decode()
    assert "Nothing was saved" in page and "First name" in page


def test_the_api_needs_the_version_and_refuses_a_stale_one(awa, colleague):
    case = CaseFactory(by=awa)
    api = _api(awa)
    url = f"/api/v1/cases/{case.pk}/"
    read = api.get(url)
    assert read["ETag"] == '"1"' and read.json()["version"] == 1
    assert api.patch(url, {"narrative": "x"}, format="json").status_code == 428
    services.update_case(case, by=colleague, person={}, case_fields={"narrative": "Note A."}, version=1)
    response = api.patch(url, {"narrative": "Note B."}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412 and response["ETag"] == '"2"'
    body = response.json()
    assert body["current_version"] == 2 and body["changed_by"] == ["mariam"]
    assert body["changed_fields"] == ["Récit"] and "Rien n’a été enregistré" in body["detail"]
    response = api.patch(url, {"narrative": "Note B.", "version": 1}, format="json")
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).narrative == "Note A."
    response = api.patch(url, {"narrative": "Note A. Note B."}, format="json", HTTP_IF_MATCH='W/"2"')
    assert response.status_code == 200 and response["ETag"] == '"3"' and response.json()["version"] == 3
    assert Case.objects.get(pk=case.pk).narrative == "Note A. Note B."


def test_parts_and_consents_carry_their_own_version(awa, colleague, client):
    case = CaseFactory(by=awa, share_with=[awa.organisation])
    exploitation = case.exploitations.get()
    api = _api(awa)
    base = f"/api/v1/cases/{case.pk}"
    assert api.get(f"{base}/").json()["exploitations"][0]["version"] == 1
    services.update_exploitation(exploitation, by=colleague, data={"age_at_recruitment": 9}, version=1)
    response = api.patch(
        f"{base}/exploitations/{exploitation.pk}/",
        {"age_at_recruitment": 12},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 412 and response.json()["changed_fields"] == ["Âge au recrutement"]
    assert Exploitation.objects.get(pk=exploitation.pk).age_at_recruitment == 9
    assert api.delete(f"{base}/exploitations/{exploitation.pk}/?version=1").status_code == 409

    stop = case.route.get()
    client.force_login(awa)
    url = reverse("cases:route_edit", args=[case.pk, stop.pk])
    stale = form_data(client.get(url).content.decode())
    services.update_route_stop(stop, by=colleague, data={"locality": "Kati"}, version=1)
    page = client.post(url, stale | {"route-date": "2026-01-02"}).content.decode()
    assert 'data-testid="conflict"' in page and "Ville ou site" in page
    assert RouteStop.objects.get(pk=stop.pk).date is None

    sharing = case.consents.get(purpose="Sharing")
    url = reverse("cases:consent_withdraw", args=[case.pk, sharing.pk])
    stale = form_data(client.get(url).content.decode())
    services.withdraw_consent(sharing, by=colleague, version=1)
    assert 'data-testid="conflict"' in client.post(url, stale).content.decode()
    assert AuditEvent.objects.filter(object_id=str(case.pk), detail__operation="withdraw").count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer on one lock: only PostgreSQL shows concurrent edits",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_concurrent_conflicting_edits_lose_none():
    """Threads on PostgreSQL, each reading the narrative, adding its note and saving from the version it
    read (retrying on conflict): every accepted note is in the final narrative, every refused one was
    told so, and the version advanced once per accepted edit."""
    org_a = OrganisationFactory(name="ONG concurrente B", acronym="CONB")
    users = [UserFactory(username=f"writer{i}", organisation=org_a, role="case_manager") for i in range(8)]
    case = CaseFactory(by=users[0])
    start = Case.objects.get(pk=case.pk).version
    accepted, refused, errors = [], [], []
    barrier = threading.Barrier(len(users))

    def writer(user, i):
        try:
            barrier.wait()
            for attempt in range(6):
                read = Case.objects.get(pk=case.pk)
                note = f"[{user.username}-{attempt}]"
                try:
                    services.update_case(
                        read,
                        by=user,
                        person={},
                        case_fields={"narrative": (read.narrative or "") + note},
                        version=read.version,
                    )
                except services.EditConflict:
                    refused.append(note)
                else:
                    accepted.append(note)
                    if attempt >= 1:
                        break
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(u, i)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    final = Case.objects.get(pk=case.pk)
    assert refused, "the test made no conflicting edit"
    assert all(note in final.narrative for note in accepted)
    assert not any(note in final.narrative for note in refused)
    assert final.version - start == len(accepted)
    changes = AuditEvent.objects.filter(object_id=str(case.pk), action="change")
    assert changes.count() == len(accepted)
