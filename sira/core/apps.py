from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sira.core"
    label = "core"
