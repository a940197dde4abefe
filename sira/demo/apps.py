from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo data, seeded through each app's services like any other entry path."""

    name = "sira.demo"
    label = "demo"
