"""The statistics layer against a hand-counted fixture: figures, consent refusals, refresh, access."""

import datetime as dt

import pytest

from sira.accounts.models import Scope
from sira.cases import services
from sira.cases.models import Case
from sira.statistics import layer
from sira.statistics.models import Cell, Fact
from sira.statistics.tests.helpers import register
from sira.testing.factories import OrganisationFactory, UserFactory


@pytest.fixture
def worked(awa):
    """16 counted cases and 2 left out (statistics refused, and withdrawn):
    Kayes (ML01): 6 girls of 14 in domestic servitude (March 2025), 3 boys of 10 in child labour (May 2025)
    Sikasso (ML03): 7 women of 20, sexual exploitation and forced labour (November 2024)."""
    for _ in range(6):
        register(awa, region="ML01", day=dt.date(2025, 3, 10), origin="ML05", exploitation="ML01")
    for _ in range(3):
        register(
            awa, gender="Masculine", age=10, region="ML01", forms=("ChildLabour",), day=dt.date(2025, 5, 2)
        )
    for _ in range(7):
        register(
            awa, age=20, region="ML03", forms=("SexualExploitation", "ForcedLabour"), day=dt.date(2024, 11, 5)
        )
    register(awa, region="ML01", statistics=False)
    withdrawn = register(awa, region="ML01", statistics=True)
    consent = withdrawn.consents.get(purpose="Statistics")
    consent.withdrawn_on = dt.date(2025, 6, 1)
    consent.save()
    layer.refresh()
    return awa


@pytest.fixture
def national_manager(db):
    org = OrganisationFactory(name="Direction nationale test", acronym="TSTN", org_type="MinistryService")
    return UserFactory(username="national.cm", organisation=org, role="case_manager", scope=Scope.NATIONAL)


def values(table):
    return {r.key if len(r.key) > 1 else r.key[0]: r.value for r in table.rows}


def test_worked_example_exact_for_a_national_case_manager(worked, national_manager):
    run = lambda **kw: layer.run(layer.Query(**kw), national_manager)  # noqa: E731
    assert Case.objects.count() == 18
    t = run(by=("region",))
    assert t.total == 16 and not t.suppressed
    assert values(t) == {"ML01": 9, "ML03": 7}
    assert values(run(by=("sex",))) == {"Feminine": 13, "Masculine": 3}
    assert values(run(by=("form",))) == {
        "DomesticServitude": 6,
        "ChildLabour": 3,
        "SexualExploitation": 7,
        "ForcedLabour": 7,
    }
    assert run(by=("form",)).total == 16  # a case with two forms is one victim
    assert values(run(by=("year",))) == {2024: 7, 2025: 9}
    assert values(run(by=("quarter",), filters={"year": 2025})) == {(2025, 1): 6, (2025, 2): 3}
    assert values(run(by=("sex", "age_group"))) == {
        ("Feminine", "12-14"): 6,
        ("Feminine", "18-24"): 7,
        ("Masculine", "6-11"): 3,
    }
    assert values(run(by=("origin_region", "exploitation_region"))) == {
        ("ML05", "ML01"): 6,
        ("", ""): 10,
    }
    assert values(run(by=("child",))) == {"child": 9, "adult": 7}
    assert values(run(by=("region",), filters={"form": "ForcedLabour"})) == {"ML03": 7}
    # A filter combination no cell table holds: answered from the fact table, same figures.
    t = run(by=("region",), filters={"sex": "Feminine", "age_group": "12-14", "year": 2025})
    assert values(t) == {"ML01": 6} and t.total == 6
    assert values(run(by=("form",), filters={"sex": "Feminine", "child": "adult"})) == {
        "SexualExploitation": 7,
        "ForcedLabour": 7,
    }


def test_worked_example_suppressed_for_the_statistician(worked, secretariat):
    t = layer.run(layer.Query(by=("sex",)), secretariat)
    assert t.suppressed and t.total == 16
    assert values(t) == {"Feminine": None, "Masculine": None}  # 3 hidden, 13 would give it away
    forms = values(layer.run(layer.Query(by=("form",)), secretariat))
    assert forms["ChildLabour"] is None and forms["DomesticServitude"] is None
    assert forms["SexualExploitation"] == 7
    csv = layer.run(layer.Query(by=("sex",)), secretariat).as_csv("en")
    assert "Male,<5" in csv and "Female,<5" in csv and "Total,16" in csv
    assert "3" not in csv.replace("<5", "")
    assert "Masculin,<5" in layer.run(layer.Query(by=("sex",)), secretariat).as_csv("fr")


def test_statistics_refusals_are_never_counted(worked, national_manager):
    refused = Case.objects.exclude(pk__in=services.statistics_cases().values("pk"))
    assert refused.count() == 2
    assert not Fact.objects.filter(measure="victims", region="ML01", month=6).exists()
    assert layer.run(layer.Query(), national_manager).total == 16


def test_refresh_is_idempotent(worked):
    def snapshot():
        fields = [f.name for f in Cell._meta.fields if f.name != "id"]
        return sorted(tuple(str(v) for v in row) for row in Cell.objects.values_list(*fields))

    first = snapshot()
    facts = Fact.objects.count()
    layer.refresh()
    assert snapshot() == first and Fact.objects.count() == facts
    assert len(first) > 50


def test_record_access(worked, national_manager, secretariat, org_b):
    regional = UserFactory(
        username="regional.inv", organisation=org_b, role="investigator", scope=Scope.REGION
    )
    assert layer.has_record_access(national_manager, layer.Query(by=("sex",)))
    assert not layer.has_record_access(secretariat, layer.Query(by=("sex",)))
    assert not layer.has_record_access(worked, layer.Query(by=("sex",)))  # organisation scope
    kayes = layer.Query(by=("sex",), filters={"region": "ML01"})
    assert layer.has_record_access(regional, kayes)  # org_b is in Kayes (ML01)
    assert not layer.has_record_access(regional, layer.Query(by=("sex",)))
    assert values(layer.run(kayes, regional)) == {"Feminine": 6, "Masculine": 3}
    assert layer.run(kayes, regional, full=False).suppressed


def test_unknown_dimension_is_refused():
    with pytest.raises(layer.QueryError):
        layer.Query(by=("colour",))
    with pytest.raises(layer.QueryError):
        layer.Query(measure="screenings", by=("form",))
