"""Standing scopes beyond the access matrix's defaults: a national-scope user sees every organisation's
cases, also when they hold grants (an empty Q() OR-ed with the grants used to leave the grants alone)."""

from django.urls import reverse
from rest_framework.test import APIClient

from sira.cases import access
from sira.cases.services import grant_access
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory


def test_national_investigator_sees_cases_of_every_organisation(client, org_a, org_b):
    org_c = OrganisationFactory(name="Inspection Test C", acronym="TSTC", region_id="ML07")
    cases = [
        CaseFactory(by=UserFactory(organisation=org), share_with=[org_b]) for org in (org_a, org_b, org_c)
    ]
    investigator = UserFactory(
        username="national.inv", organisation=org_b, role="investigator", scope="national"
    )
    # A grant must add to the national scope, not replace it.
    grant_access(cases[0], by=cases[0].owner, user=investigator, reason="test referral")

    numbers = {c.case_number for c in cases}
    assert {c.case_number for c in access.visible_cases(investigator)} == numbers
    assert {c.case_number for c in access.visible_cases(investigator, access.EXPORT)} == numbers
    assert {c.case_number for c in access.visible_cases(investigator, access.CHANGE)} == numbers

    client.force_login(investigator)
    page = client.get(reverse("cases:list")).content.decode()
    assert all(n in page for n in numbers)
    assert client.get(reverse("cases:detail", args=[cases[2].pk])).status_code == 200
    api = APIClient()
    api.force_authenticate(investigator)
    assert {c["case_number"] for c in api.get("/api/v1/cases/").json()["results"]} == numbers


def test_organisation_scope_still_stops_at_the_organisation(org_a, org_b):
    mine = CaseFactory(by=UserFactory(organisation=org_a))
    CaseFactory(by=UserFactory(organisation=org_b))
    manager = UserFactory(
        username="org.manager", organisation=org_a, role="case_manager", scope="organisation"
    )
    assert list(access.visible_cases(manager)) == [mine]
