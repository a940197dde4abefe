from django.contrib import admin

from sira.geo.models import Cercle, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en", "iso_3166_2"]


@admin.register(Cercle)
class CercleAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "region"]
    list_filter = ["region"]
