import pytest

from sira.testing.factories import OrganisationFactory, UserFactory


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
