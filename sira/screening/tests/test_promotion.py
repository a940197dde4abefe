"""Promoting a screening into a case keeps every pre-filled value, untouched ones included (a
pre-filled origin once vanished because an untouched row counted as empty)."""

from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.cases.models import Case
from sira.screening.models import Screening
from sira.testing.html_forms import form_data

PROFILE = {
    "screened_on": "2026-11-20",
    "gender": "Feminine",
    "age": "15",
    "nationality": "ML",
    "departure_country": "ML",
    "departure_region": "ML04",
    "region": "ML01",
    "cercle": "ML0104",
    "context": "FlowMonitoringPoint",
    "suspected_forms": ["forced_labour_gold_mining"],
}


def screened(client):
    response = client.post(reverse("screening:new"), PROFILE)
    assert response.status_code == 302, response.content.decode()[:1500]
    client.post(response["Location"], {"q__C-ARRANGED": "yes", "q__C-HOURS": "yes"})
    return Screening.objects.latest("id")


def test_the_promotion_page_is_prefilled_and_saves_every_prefilled_value(awa, client):
    client.force_login(awa)
    screening = screened(client)
    page = client.get(reverse("screening:promote", args=[screening.pk])).content.decode()
    data = form_data(page)
    assert data["person-estimated_age"] == "15"
    assert data["route-0-kind"] == "Origin" and data["route-0-region"] == "ML04"
    # The worker adds only what the screening could not know, and leaves the rest as it is.
    data |= {"person-first_name": "Awa", "consent-Registration": "yes"}
    response = client.post(reverse("screening:promote", args=[screening.pk]), data)
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert (case.person.gender, case.person.estimated_age) == ("Feminine", 15)
    assert [str(c) for c in case.person.citizenships] == ["ML"]
    assert (case.identification_region_id, case.identification_cercle_id) == ("ML01", "ML0104")
    assert case.identification_context == "FlowMonitoringPoint"
    assert list(case.route.values_list("kind", "country", "region_id")) == [("Origin", "ML", "ML04")]
    assert sorted(case.exploitations.values_list("form", flat=True)) == sorted(
        screening.catalogue.data["case_forms"][f] for f in screening.suspected_forms
    )
    screening.refresh_from_db()
    assert screening.case == case
    assert AuditEvent.objects.filter(action="create", object_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(
        action="change", object_id=str(case.pk), detail__screening=screening.pk
    ).exists()
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("screening:result", args=[screening.pk]) in detail


def test_a_promotion_with_errors_keeps_the_screening_unattached(awa, client):
    client.force_login(awa)
    screening = screened(client)
    data = form_data(client.get(reverse("screening:promote", args=[screening.pk])).content.decode())
    data |= {"person-first_name": "", "case-identification_cercle": "ML0901"}
    response = client.post(reverse("screening:promote", args=[screening.pk]), data)
    assert response.status_code == 200 and not Case.objects.exists()
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert body.count('class="error"') >= 2  # both errors at once
    screening.refresh_from_db()
    assert screening.case is None
