"""Tables published side by side cannot fill each other's gaps (the attacker probe's two findings):
a filtered view is a slice of the table by its filter, and the age tables are sums of one another."""

import datetime as dt

import pytest

from sira.accounts.models import Role, Scope
from sira.statistics import layer
from sira.testing.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(awa):
    # Kayes 20, Mopti 6, Gao 7, Kidal 3: Kidal hidden, and Mopti (the next smallest) with it.
    # Ages: Kidal's 3 are 4 years old (0–5 hidden), Mopti's 6 are 50 (50+, its complement), Kayes has
    # 10 of 13 and 10 of 30, Gao 7 of 30: children 13 beside 12–14 shown 10 would say 0–5 = 3.
    for region, age, n in (
        ("ML01", 13, 10),
        ("ML01", 30, 10),
        ("ML05", 50, 6),
        ("ML07", 30, 7),
        ("ML08", 4, 3),
    ):
        for _ in range(n):
            CaseFactory(by=awa, identification_date=dt.date(2025, 5, 1), region=region, estimated_age=age)
    layer.refresh()


def _values(table):
    return {r.key[0] if len(r.key) == 1 else r.key: r.value for r in table.rows}


def test_a_filter_on_a_hidden_complement_is_hidden_too(regions):
    by_region = _values(layer.run(layer.Query(by=("region",)), None))
    assert by_region["ML08"] is None and by_region["ML05"] is None and by_region["ML01"] == 20
    # Mopti's own figures would give Kidal = total − Kayes − Gao − Mopti.
    mopti = layer.run(layer.Query(by=("sex",), filters={"region": "ML05"}), None)
    assert mopti.total is None and all(r.value in (None, 0) for r in mopti.rows)
    gao = layer.run(layer.Query(by=("sex",), filters={"region": "ML07"}), None)
    assert gao.total == 7  # a visible cell's slice stays visible


def test_children_never_give_a_hidden_age_group_away(regions):
    ages = _values(layer.run(layer.Query(by=("age_group",)), None))
    child = _values(layer.run(layer.Query(by=("child",)), None))
    bands = _values(layer.run(layer.Query(by=("age_band",)), None))
    assert ages["0-5"] is None
    assert all(v in (None, 0) for v in child.values())
    assert all(v in (None, 0) for v in bands.values())


def test_a_user_with_record_access_sees_every_figure(regions, org_a):
    national_case_manager = UserFactory(
        username="cm.national", organisation=org_a, role=Role.CASE_MANAGER, scope=Scope.NATIONAL
    )
    mopti = layer.run(layer.Query(by=("sex",), filters={"region": "ML05"}), national_case_manager)
    assert mopti.total == 6
    assert _values(layer.run(layer.Query(by=("child",)), national_case_manager))["child"] == 13
