"""The catalogues interop reads: CTDC values (data/ctdc.yaml), DHIS2 codes (data/dhis2.yaml), and the
HTCDS picklists (Sira's vocabularies, sira/core/data/vocabularies.csv, whose htcds_value column is the
one mapping of Sira codes to the standard's)."""

from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"


@cache
def ctdc() -> dict:
    return yaml.safe_load((DATA / "ctdc.yaml").read_text(encoding="utf-8"))


@cache
def dhis2() -> dict:
    return yaml.safe_load((DATA / "dhis2.yaml").read_text(encoding="utf-8"))


@cache
def countries() -> frozenset[str]:
    from django_countries import countries as all_countries

    return frozenset(code for code, _name in all_countries)


@cache
def codes(vocabulary: str) -> frozenset[str]:
    from sira.core.vocab import terms

    return frozenset(terms(vocabulary))


@cache
def regions() -> frozenset[str]:
    from sira.geo.models import Region

    return frozenset(Region.objects.values_list("code", flat=True))
