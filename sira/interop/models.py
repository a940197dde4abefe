"""What an import keeps: the source key of every record it created (re-importing a file adds nothing),
and the rows it set aside for correction (encrypted like a person's identity: a row may carry names)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sira.core.crypto import IdentityJSONField


class ImportedRecord(models.Model):
    """A record created by an import, by its source key: a keyed hash of the row's content and of its
    occurrence in the file (identical rows stay distinct records), or of the file's own record id."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=10)
    source_key = models.CharField(max_length=64)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "format", "source_key"], name="interop_one_record_per_source_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.format}:{self.source_key[:8]}"


class QuarantinedRecord(models.Model):
    """A row an import set aside (`--quarantine`): the row and its problems, encrypted, until corrected."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=10)
    source_key = models.CharField(max_length=64)
    file_name = models.CharField(_("file"), max_length=200)
    row_number = models.PositiveIntegerField(_("row"))
    raw = IdentityJSONField()
    errors = IdentityJSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quarantined import row")
        verbose_name_plural = _("quarantined import rows")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "format", "source_key"], name="interop_one_quarantine_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name}:{self.row_number}"
