"""The screening journey through the pages: profile without identity, questions for this person,
an explanation, the worker's own determination, and attachment to a case."""

import html

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
URGENT_NO = {"urgent__URG-DANGER": "no", "urgent__URG-MEDICAL": "no", "urgent__URG-UNACCOMPANIED": "yes"}


def screen(client, answers, profile=PROFILE):
    response = client.post(reverse("screening:new"), profile)
    assert response.status_code == 302, response.content.decode()[:2000]
    questions_url = response["Location"]
    response = client.post(questions_url, URGENT_NO | {f"q__{k}": v for k, v in answers.items()})
    assert response.status_code == 302
    return Screening.objects.latest("id"), client.get(response["Location"])


def test_screening_flow_explains_and_never_says_victim_by_itself(awa, client):
    client.force_login(awa)
    screening, result = screen(
        client, {"ACT-01": "yes", "ILO-D4-01": "yes", "ILO-D4-03": "yes", "ILO-D5-01": "unknown"}
    )
    body = html.unescape(result.content.decode())
    assert screening.outcome == "strong" and screening.organisation == awa.organisation
    assert "Forte indication de traite — orienter comme victime présumée" in body
    assert "Orientation immédiate nécessaire" in body  # unaccompanied child: urgent flag first
    assert "Heures ou jours de travail excessifs" in body or "ILO-D4-01" not in body
    assert "non requis pour un enfant" in body
    assert "1 réponse est inconnue" in body
    assert screening.determination == ""  # the engine decides nothing on the worker's behalf


def test_questions_follow_age_and_suspected_forms(awa, client):
    client.force_login(awa)
    response = client.post(
        reverse("screening:new"), PROFILE | {"suspected_forms": ["forced_begging"], "age": "30"}
    )
    page = client.get(response["Location"]).content.decode()
    assert 'name="q__MLI-BEG-02"' not in page  # child-only begging indicators are not asked of an adult
    assert 'name="q__UNODC-BEG-01"' in page and 'name="q__MLI-GOLD-01"' not in page
    assert 'name="q__UNODC-CHI-01"' not in page


def test_worker_records_a_determination_kept_apart_from_the_outcome(awa, client):
    client.force_login(awa)
    screening, _ = screen(client, {"ACT-01": "yes"})
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
    screening, _ = screen(client, {"ACT-01": "yes"})
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
    screening, _ = screen(client, {"ACT-01": "yes"})
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
    screening, result = screen(client, {"ACT-01": "yes"})
    assert '<option value="" selected>—</option>' in result.content.decode()
    client.post(reverse("screening:determine", args=[screening.pk]), {"status": "", "justification": "x"})
    screening.refresh_from_db()
    assert screening.determination == ""
