"""Small-cell suppression of a lone count: counts below the threshold are never shown, so statistics
cannot point at a person (a 14-year-old Nigerian girl identified in Kéniéba this month is one person,
not a statistic). The rule itself is sira.statistics.rules (with complementary suppression for
tables); this keeps the threshold setting in one place."""

from django.conf import settings

from sira.statistics import rules


def suppress(count: int, threshold: int | None = None) -> int | None:
    threshold = settings.SIRA_SMALL_CELL_THRESHOLD if threshold is None else threshold
    return rules.suppress(count, threshold)


def suppressed_counts(rows, key: str, threshold: int | None = None) -> list[dict]:
    """rows: [{key: value, "n": count}] → [{key, "n": count or None (suppressed)}]. A lone list without
    its total; a table with a total goes through rules.one_way."""
    return [{key: row[key], "n": suppress(row["n"], threshold)} for row in rows]
