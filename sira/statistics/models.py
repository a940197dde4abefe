"""Pre-aggregated statistics, rebuilt by `layer.refresh()` (manage.py refresh_statistics): pages read
these small tables, never the case table. Nothing here names a person: a fact row carries only coded
dimensions and the anonymous row number of what it counts."""

from django.db import models

# Every dimension a fact or a cell may carry (sira.statistics.layer.DIMENSIONS describes each).
DIMENSION_FIELDS = (
    "sex",
    "age_group",
    "age_band",
    "child",
    "nationality",
    "region",
    "cercle",
    "origin_region",
    "origin_cercle",
    "exploitation_region",
    "exploitation_cercle",
    "form",
    "industry",
    "context",
    "org_type",
    "status",
    "referral_stage",
    "justice_stage",
    "outcome",
    "determination",
    "service",
    "referral_state",
)


def _dimension_columns():
    return {name: models.CharField(max_length=40, null=True, blank=True) for name in DIMENSION_FIELDS}


class Fact(models.Model):
    """One row per counted thing (a case and one of its forms of exploitation, a screening, a
    referral), with its coded dimensions. `first` is 1 on one row per counted thing, so that a count
    not split by form counts each case once. Filled by refresh(); read only for rare filter
    combinations that no cell table answers."""

    measure = models.CharField(max_length=20)
    first = models.PositiveSmallIntegerField(default=1)
    year = models.PositiveSmallIntegerField(null=True)
    quarter = models.PositiveSmallIntegerField(null=True)
    month = models.PositiveSmallIntegerField(null=True)
    locals().update(_dimension_columns())

    class Meta:
        indexes = [models.Index(fields=["measure", "year"], name="stat_fact_measure_year")]

    def __str__(self) -> str:
        return f"{self.measure} #{self.pk}"


class Cell(models.Model):
    """A pre-aggregated count: `grouping` names the dimensions grouped ('+'-joined, period first);
    the other dimension columns are null."""

    measure = models.CharField(max_length=20)
    grouping = models.CharField(max_length=120)
    year = models.PositiveSmallIntegerField(null=True)
    quarter = models.PositiveSmallIntegerField(null=True)
    month = models.PositiveSmallIntegerField(null=True)
    locals().update(_dimension_columns())
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["measure", "grouping", "year"], name="stat_cell_grouping")]

    def __str__(self) -> str:
        return f"{self.measure} {self.grouping}: {self.n}"


class Refresh(models.Model):
    """When the tables were last rebuilt and how long it took (manage.py status reads the last)."""

    finished_at = models.DateTimeField()
    seconds = models.FloatField()
    facts = models.PositiveIntegerField()
    cells = models.PositiveIntegerField()

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} ({self.seconds:.1f} s)"
