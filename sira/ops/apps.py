from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Sira as a service: the administrators' `status` command. No models. At the top of the
    import graph beside the demo, so it can read every app's state (backups, audit chain)."""

    name = "sira.ops"
    label = "ops"
