from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "sira.justice"
    label = "justice"

    def ready(self):
        from sira.core import keys
        from sira.justice import case_links, services

        case_links.connect()
        keys.register_reindexer("justice.Suspect name tokens", services.rebuild_suspect_name_tokens)
