from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """National figures, always through small-cell suppression; at the top of the import graph so it
    can count what every app records."""

    name = "sira.statistics"
    label = "statistics"
