from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "sira.coordination"
    label = "coordination"
