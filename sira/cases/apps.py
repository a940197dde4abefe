from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sira.cases"
    label = "cases"
