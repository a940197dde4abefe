import pytest

from sira.testing.factories import OrganisationFactory, UserFactory


@pytest.fixture
def importer_user(db):
    org = OrganisationFactory(name="ONG Import", acronym="TSTI", region_id="ML09")
    return UserFactory(username="imran", organisation=org, role="case_manager")
