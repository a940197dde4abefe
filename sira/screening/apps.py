from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "sira.screening"
    label = "screening"
