import datetime as dt

import pytest

from sira.justice import services
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory


@pytest.fixture
def agency(db):
    return OrganisationFactory(name="BPMC Test", acronym="TBPMC", org_type="PoliceBrigade", region_id="ML09")


@pytest.fixture
def other_agency(db):
    return OrganisationFactory(
        name="Gendarmerie Test", acronym="TGEND", org_type="Gendarmerie", region_id="ML01"
    )


@pytest.fixture
def court(db):
    return OrganisationFactory(
        name="Pôle Test", acronym="TPJS", org_type="ProsecutionCourt", region_id="ML09"
    )


@pytest.fixture
def other_court(db):
    return OrganisationFactory(
        name="Tribunal Test", acronym="TTGI", org_type="ProsecutionCourt", region_id="ML01"
    )


@pytest.fixture
def investigator(agency):
    return UserFactory(username="enq", organisation=agency, role="investigator")


@pytest.fixture
def other_investigator(other_agency):
    return UserFactory(username="enq2", organisation=other_agency, role="investigator")


@pytest.fixture
def prosecutor(court):
    return UserFactory(username="proc", organisation=court, role="prosecutor")


@pytest.fixture
def other_prosecutor(other_court):
    return UserFactory(username="proc2", organisation=other_court, role="prosecutor")


@pytest.fixture
def victim_case(awa):
    return CaseFactory(by=awa, identification_date=dt.date(2025, 2, 1), share_with=())


def open_inv(by, *, opened_on=dt.date(2025, 3, 1), region="ML09", forms=("DomesticServitude",), cases=()):
    return services.open_investigation(
        by=by,
        agency="BPMC",
        opened_on=opened_on,
        region_id=region,
        forms=list(forms),
        operation_type="Complaint",
        cases=list(cases),
    )


def suspect(inv, by, *, official=False, last="Traoré"):
    return services.add_suspect(
        inv,
        by=by,
        data={
            "first_name": "Moussa",
            "last_name": last,
            "gender": "Masculine",
            "is_public_official": official,
        },
    )


def prosecute(inv, by, court, *, opened_on=dt.date(2025, 4, 1)):
    return services.open_prosecution(
        inv, by=by, organisation=court, court="SpecializedJudicialPole", opened_on=opened_on
    )


def charge(pros, by, sus, *, code="L2012-023.TIP", offence_date=dt.date(2025, 1, 15)):
    return services.add_charge(pros, by=by, suspect=sus, article_code=code, offence_date=offence_date)


@pytest.fixture
def chain(investigator, prosecutor, court, victim_case):
    """An investigation with one suspect, transmitted to the court, with one pending charge."""
    inv = open_inv(investigator, cases=[victim_case])
    sus = suspect(inv, investigator)
    pros = prosecute(inv, investigator, court)
    ch = charge(pros, prosecutor, sus)
    return {"investigation": inv, "suspect": sus, "prosecution": pros, "charge": ch}
