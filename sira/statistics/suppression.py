"""Small-cell suppression: counts below the threshold are never shown, so statistics cannot point at
a person (a 14-year-old Nigerian girl identified in Kéniéba this month is one person, not a statistic)."""

from django.conf import settings


def suppress(count: int, threshold: int | None = None) -> int | None:
    threshold = settings.SIRA_SMALL_CELL_THRESHOLD if threshold is None else threshold
    if count == 0:
        return 0
    return count if count >= threshold else None


def suppressed_counts(rows, key: str, threshold: int | None = None) -> list[dict]:
    """rows: [{key: value, "n": count}] → [{key, "n": count or None (suppressed)}]."""
    return [{key: row[key], "n": suppress(row["n"], threshold)} for row in rows]
