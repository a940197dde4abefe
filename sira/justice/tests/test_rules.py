"""The pure rules: the text in force by offence date, sentence ranges, a conviction needs a charge."""

import datetime as dt
from types import SimpleNamespace as A

import pytest
from django.core.exceptions import ValidationError

from sira.justice import rules, services
from sira.justice.models import LegalArticle

D = dt.date

VERSIONS = [
    A(code="X", valid_from=D(2001, 8, 20), valid_to=D(2024, 12, 12), article="old"),
    A(code="X", valid_from=D(2024, 12, 13), valid_to=None, article="new"),
    A(code="Y", valid_from=D(2012, 7, 12), valid_to=None, article="other"),
]


@pytest.mark.parametrize(
    ("offence_date", "expected"),
    [
        (D(2001, 8, 19), None),  # before the first text: nothing in force
        (D(2001, 8, 20), "old"),  # first day in force
        (D(2024, 12, 12), "old"),  # last day of the old text
        (D(2024, 12, 13), "new"),  # first day of the new one
        (D(2026, 1, 1), "new"),
    ],
)
def test_article_in_force_by_offence_date(offence_date, expected):
    found = rules.article_in_force(VERSIONS, "X", offence_date)
    assert (found.article if found else None) == expected


def test_shipped_catalogue_is_loaded_with_dates_and_unverified_marks(db):
    base = LegalArticle.objects.get(code="L2012-023.TIP")
    assert (base.prison_min_months, base.prison_max_months, base.verified) == (60, 120, True)
    aggravated = LegalArticle.objects.get(code="L2012-023.TIP-AGG")
    assert (aggravated.prison_min_months, aggravated.prison_max_months) == (120, 240)
    begging = LegalArticle.objects.get(code="L2012-023.ART3")
    assert begging.verified is False  # the brief's range, conflicting with the press: shown "to verify"
    assert LegalArticle.objects.filter(instrument="penal_code_2024", code="PC.SLAVERY").exists()
    # The 2001 penal code's child trafficking article applies to an offence of 2020, not of 2025.
    assert services.article_for("PC.CHILD-TRAFFICKING", D(2020, 5, 1)).article == "art. 244"
    assert services.article_for("PC.CHILD-TRAFFICKING", D(2025, 5, 1)) is None
    assert services.article_for("PC.SLAVERY", D(2024, 12, 1)) is None
    assert services.article_for("PC.SLAVERY", D(2025, 1, 1)).valid_from == D(2024, 12, 13)


def test_loader_refuses_overlapping_versions():
    from sira.justice.loaders import CatalogueError, parse

    text = """
instruments: {i: {fr: a, en: a}}
articles:
  - code: X
    instrument: i
    versions:
      - {article: a, fr: a, en: a, valid_from: 2001-01-01, valid_to: null, verified: true}
      - {article: b, fr: b, en: b, valid_from: 2010-01-01, valid_to: null, verified: true}
"""
    with pytest.raises(CatalogueError, match="overlap"):
        parse(text)


BASE = A(
    prison_min_months=60,
    prison_max_months=120,
    life=False,
    fine_min_fcfa=None,
    fine_max_fcfa=None,
    verified=True,
)
UNVERIFIED = A(
    prison_min_months=24,
    prison_max_months=60,
    life=False,
    fine_min_fcfa=500_000,
    fine_max_fcfa=2_000_000,
    verified=False,
)


@pytest.mark.parametrize(
    ("article", "sentence", "reasons"),
    [
        (BASE, {"prison_months": 60}, []),
        (BASE, {"prison_months": 120}, []),
        (BASE, {"prison_months": 36}, ["prison_below_minimum"]),
        (BASE, {"prison_months": 121}, ["prison_above_maximum"]),
        (BASE, {"life": True}, ["life_not_provided"]),
        (UNVERIFIED, {"prison_months": 36, "fine_fcfa": 1_000_000}, []),
        (
            UNVERIFIED,
            {"prison_months": 36, "fine_fcfa": 5_000_000},
            ["fine_above_maximum", "range_unverified"],
        ),
    ],
)
def test_sentence_outside_range_is_flagged(article, sentence, reasons):
    assert rules.sentence_review_reasons(article, **sentence) == reasons


def test_conviction_without_charge_is_refused_with_a_translated_message():
    from django.utils import translation

    with translation.override("fr"):
        errors = rules.check_outcome(
            charge=None,
            outcome="convicted",
            outcome_date=D(2025, 5, 1),
            dropped_reason="",
            sentence={},
            opened_on=D(2025, 1, 1),
            today=D(2026, 1, 1),
        )
    assert errors["charge"].startswith("Une condamnation")


def test_service_refuses_conviction_without_charge_and_changes_nothing(chain, prosecutor):
    pros = chain["prosecution"]
    with pytest.raises(ValidationError) as raised:
        services.record_outcome(
            pros, by=prosecutor, charge=None, outcome="convicted", outcome_date=D(2025, 6, 1)
        )
    assert "charge" in raised.value.message_dict
    chain["charge"].refresh_from_db()
    assert chain["charge"].outcome == "pending"
