from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sira.audit"
    label = "audit"

    def ready(self):
        from sira.audit import signals  # noqa: F401
