from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "sira.screening"
    label = "screening"

    def ready(self):
        from sira.screening import case_links

        case_links.connect()
