from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "sira.duplicates"
    label = "duplicates"

    def ready(self):
        from sira.duplicates import case_links

        case_links.connect()
