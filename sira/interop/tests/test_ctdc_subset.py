"""The CTDC k-anonymised subset (48,773 real records, read by path, never copied into the repo),
imported, reproduces its own distributions in Sira's statistics: counts by gender, age band and
citizenship, exactly."""

import csv
import time
from collections import Counter
from pathlib import Path

import pytest

from sira.interop import catalogue, services
from sira.testing.factories import UserFactory

SUBSET = Path("/work/shared/data/ctdc/ctdc_global_kanon_20200414_subset.csv")

# About 20 s on SQLite, 25 s on PostgreSQL (idle 2-core machine): marked slow, still run by `make test`.
pytestmark = [
    pytest.mark.skipif(not SUBSET.exists(), reason="the CTDC subset is not on this machine"),
    pytest.mark.slow,
]


def expected():
    c = catalogue.ctdc()
    unknown = set(c["unknown_countries"])
    gender, band, citizenship = Counter(), Counter(), Counter()
    with open(SUBSET, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            gender[c["gender_in"][row["gender"]]] += 1
            band[row["ageBroad"] if row["ageBroad"] != "-99" else ""] += 1
            citizenship[row["citizenship"] if row["citizenship"] not in unknown else ""] += 1
    return gender, band, citizenship


@pytest.mark.django_db(transaction=False)
def test_ctdc_subset_reproduces_its_distributions(importer_user):
    started = time.monotonic()
    result = services.import_file(
        SUBSET, fmt="ctdc", organisation=importer_user.organisation, by=importer_user
    )
    elapsed = time.monotonic() - started
    assert result.rows == 48773 and result.imported == 48773 and not result.problems
    gender, band, citizenship = expected()
    from sira.interop import figures

    # Read back through the statistics layer, as a user with record access (exact figures).
    national = UserFactory(
        username="nadia", organisation=importer_user.organisation, role="case_manager", scope="national"
    )
    for name, wanted in (("gender", gender), ("ctdc_age_band", band), ("citizenship", citizenship)):
        assert figures.counts_by(name, national) == +wanted, name
    print(f"CTDC subset imported in {elapsed:.1f} s")
