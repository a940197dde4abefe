from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "sira.screening"
    label = "screening"

    def ready(self):
        from sira.core import keys
        from sira.screening import case_links, importer

        case_links.connect()
        keys.register_binary_token("screening.ImportSegment", "rows")
        keys.register_reindexer("screening.QuarantinedRow row keys", importer.rebuild_row_keys)
