"""The screening journey through the pages: profile without identity, questions for this person,
an explanation, the worker's own determination, and attachment to a case."""

import html
import re

import pytest
from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.screening.models import Screening
from sira.testing.factories import CaseFactory

PROFILE = {
    "screened_on": "2026-11-20",
    "gender": "Masculine",
    "age": "12",
    "nationality": "BF",
    "departure_country": "BF",
    "region": "ML01",
    "cercle": "ML0104",
    "context": "FlowMonitoringPoint",
    "suspected_forms": ["forced_labour_gold_mining"],
}


def screen(client, answers, profile=PROFILE):
    response = client.post(reverse("screening:new"), profile)
    assert response.status_code == 302, response.content.decode()[:2000]
    questions_url = response["Location"]
    response = client.post(questions_url, {f"q__{k}": v for k, v in answers.items()})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Screening.objects.latest("id"), client.get(response["Location"])


CHILD_AT_MINE = {
    "U-DANGER": "no",
    "U-MEDICAL": "no",
    "U-ALONE": "yes",
    "C-ARRANGED": "yes",
    "C-HOURS": "yes",
    "C-PAY": "to_someone_else",
    "C-DOCS": "unknown",
}


def test_screening_flow_explains_and_never_says_victim_by_itself(awa, client):
    client.force_login(awa)
    screening, result = screen(client, CHILD_AT_MINE)
    body = html.unescape(result.content.decode())
    assert screening.outcome == "strong" and screening.organisation == awa.organisation
    assert screening.catalogue.version == "2026.2" and screening.urgent == ["URG-UNACCOMPANIED"]
    main, details = body.split('<details class="card evidence">')
    assert "Forte indication de traite — orienter comme victime présumée" in main
    assert main.index("Forte indication") < main.index("Que faire maintenant")
    assert "Enfant seul : prévenez aujourd'hui le service de protection de l'enfant" in main  # urgent first
    assert "Journées très longues ou sans repos" in main  # a plain reason, not a code
    assert not re.search(r"\bD[1-6]\b|ILO-|ACT-|CTX-", main)  # no dimension codes on the main view
    assert "Journées ou heures de travail excessives" in details  # the ILO indicator, folded away
    assert "Pièces d'identité ou de voyage" not in main
    assert screening.determination == ""  # the engine decides nothing on the worker's behalf


def test_questions_follow_age_and_suspected_forms(awa, client):
    client.force_login(awa)
    response = client.post(
        reverse("screening:new"), PROFILE | {"suspected_forms": ["forced_begging"], "age": "30"}
    )
    page = client.get(response["Location"]).content.decode()
    assert 'name="q__B-FOR-OTHER"' in page and 'name="q__G-CARE"' not in page
    assert 'name="q__C-SCHOOL"' not in page and 'name="q__U-ALONE"' not in page  # child-only questions
    assert page.count('name="q__C-LEAVE"') == 4  # yes, no, unknown, prefers not to say: asked once


def test_contradictory_answers_are_shown_before_any_result(awa, client):
    client.force_login(awa)
    response = client.post(
        reverse("screening:new"), PROFILE | {"suspected_forms": ["forced_begging"], "age": "10"}
    )
    url = response["Location"]
    answers = {"C-ARRANGED": "yes", "C-VIOLENCE": "no", "B-FOR-OTHER": "yes", "B-SHORT": "beaten"}
    response = client.post(url, {f"q__{k}": v for k, v in answers.items()})
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and 'data-testid="contradictions"' in body
    screening = Screening.objects.get()
    assert screening.status == "draft" and screening.outcome == "" and screening.answers == answers
    response = client.post(url, {f"q__{k}": v for k, v in (answers | {"C-VIOLENCE": "yes"}).items()})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert (screening.status, screening.outcome) == ("complete", "strong")


def test_an_old_screening_keeps_its_version_and_says_so(awa, client):
    from sira.screening import services
    from sira.screening.models import CatalogueVersion

    old = services.start_screening(
        by=awa,
        profile={"screened_on": "2026-11-01", "gender": "Feminine", "age": 30, "region_id": "ML01"},
        catalogue=CatalogueVersion.objects.get(version="2026.1"),
    )
    services.complete_screening(old, by=awa, answers={"ACT-01": "yes"}, urgent=[])
    client.force_login(awa)
    body = html.unescape(client.get(reverse("screening:result", args=[old.pk])).content.decode())
    assert 'data-testid="old-version"' in body and "2026.1" in body and "(2026.2)" in body
    old.refresh_from_db()
    assert old.result["catalogue"] == "2026.1" and old.outcome == "some"


def test_worker_records_a_determination_kept_apart_from_the_outcome(awa, client):
    client.force_login(awa)
    screening, _ = screen(client, {"C-ARRANGED": "yes", "C-HOURS": "yes"})
    client.post(
        reverse("screening:determine", args=[screening.pk]),
        {"status": "ActualVictimOfTrafficking", "justification": "Entretien approfondi, récit cohérent."},
    )
    screening.refresh_from_db()
    assert (screening.outcome, screening.determination) == ("some", "ActualVictimOfTrafficking")
    assert screening.determined_by == awa and screening.justification.startswith("Entretien")


def test_attach_to_an_existing_case_and_see_it_in_the_case_history(awa, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    screening, _ = screen(client, {"C-ARRANGED": "yes", "C-HOURS": "yes"})
    response = client.post(
        reverse("screening:attach", args=[screening.pk]), {"case_number": case.case_number}
    )
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    screening.refresh_from_db()
    assert screening.case == case
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("screening:result", args=[screening.pk]) in detail
    assert AuditEvent.objects.filter(
        action="change", object_id=str(case.pk), detail__screening=screening.pk
    ).exists()


def test_a_screening_of_another_organisation_is_invisible(awa, bakary, client):
    client.force_login(awa)
    screening, _ = screen(client, {"C-ARRANGED": "yes", "C-HOURS": "yes"})
    client.force_login(bakary)
    for url in [
        reverse("screening:result", args=[screening.pk]),
        reverse("screening:questions", args=[screening.pk]),
    ]:
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("screening:attach", args=[screening.pk]), {"case_number": "x"}).status_code == 404
    )
    assert (
        str(screening.pk)
        not in client.get(reverse("screening:list")).content.decode().split("screening/")[-1][:5]
    )
    assert (
        reverse("screening:result", args=[screening.pk])
        not in client.get(reverse("screening:list")).content.decode()
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("age", "130", "Un âge de plus de 120 ans n’est pas possible."),
        ("cercle", "ML0901", "Ce cercle n’est pas dans la région choisie."),
        ("screened_on", "2026-02-30", "Saisissez une date valide."),
        ("nationality", "XX", "Sélectionnez un choix valide."),
        ("region", "", "Ce champ est obligatoire."),
    ],
)
def test_bad_profile_input_is_explained_and_saves_nothing(awa, client, field, value, message):
    client.force_login(awa)
    response = client.post(reverse("screening:new"), PROFILE | {field: value})
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert Screening.objects.count() == 0


def test_statistician_cannot_screen(secretariat, client):
    client.force_login(secretariat)
    assert client.get(reverse("screening:new")).status_code == 403


def test_determination_needs_an_explicit_choice(awa, client):
    client.force_login(awa)
    screening, result = screen(client, {"C-ARRANGED": "yes", "C-HOURS": "yes"})
    assert '<option value="" selected>—</option>' in result.content.decode()
    client.post(reverse("screening:determine", args=[screening.pk]), {"status": "", "justification": "x"})
    screening.refresh_from_db()
    assert screening.determination == ""
