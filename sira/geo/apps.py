from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "sira.geo"
    label = "geo"
