from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "sira.interop"
    label = "interop"
    verbose_name = _("Open data and standards")
    default_auto_field = "django.db.models.BigAutoField"
