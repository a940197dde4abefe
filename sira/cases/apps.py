from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sira.cases"
    label = "cases"

    def ready(self):
        from sira.cases.search import rebuild_stale_name_tokens
        from sira.core import keys

        keys.register_reindexer("cases.Person name tokens", rebuild_stale_name_tokens)
