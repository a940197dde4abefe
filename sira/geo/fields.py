"""Optional links to Mali's administrative units, as used across the case and screening models."""

from django.db import models


def optional_region(verbose_name) -> models.ForeignKey:
    return models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
    )


def optional_cercle(verbose_name) -> models.ForeignKey:
    return models.ForeignKey(
        "geo.Cercle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
    )
