"""Counts for the home dashboard: the national aggregates through the statistics layer (suppressed and
protected by complementary suppression), and a user's own visible cases by status."""

from django.db.models import Count

from sira.core.vocab import label
from sira.statistics import layer


def by_status(queryset) -> list[dict]:
    """The user's own visible cases (records they may open anyway): not a statistic, no suppression."""
    rows = queryset.values("case_status").annotate(n=Count("id")).order_by("case_status")
    return [{"label": label("case_status", r["case_status"]), "n": r["n"]} for r in rows]


def _rows(measure: str, dim: str, user) -> list[dict]:
    table = layer.run(layer.Query(measure=measure, by=(dim,)), user)
    return [{"label": row.labels[0], "n": row.value} for row in table.rows]


def national_summary(user=None) -> dict:
    """The national figures of the home dashboard. Without a user (or for the aggregate roles that see
    this dashboard) always suppressed. People who refused statistics are left out (the layer)."""
    return {
        "total": layer.run(layer.Query(), user).total,
        "by_region": _rows("victims", "region", user),
        "by_gender": _rows("victims", "sex", user),
        "by_age": _rows("victims", "age_group", user),
        "by_form": _rows("victims", "form", user),
        "screenings_by_outcome": _rows("screenings", "outcome", user),
        "screenings_by_determination": _rows("screenings", "determination", user),
    }
