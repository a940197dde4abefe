from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A first-level unit of Mali (8 regions + Bamako District), COD 2015 pcodes."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name_fr = models.CharField(_("French name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80)
    iso_3166_2 = models.CharField(_("ISO 3166-2 code"), max_length=8)
    centroid_lat = models.FloatField(_("centroid latitude"))
    centroid_lon = models.FloatField(_("centroid longitude"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr


class Cercle(models.Model):
    """A second-level unit (cercle, or Bamako District), COD 2015 pcodes."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cercles", verbose_name=_("region")
    )
    name_fr = models.CharField(_("French name"), max_length=80)
    centroid_lat = models.FloatField(_("centroid latitude"))
    centroid_lon = models.FloatField(_("centroid longitude"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("cercle")
        verbose_name_plural = _("cercles")

    def __str__(self) -> str:
        return self.name_fr
