from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from sira.cases import choices
from sira.core.crypto import IdentityJSONField, IdentityTextField
from sira.geo.fields import optional_cercle, optional_region


class CatalogueVersion(models.Model):
    """One loaded version of the indicator catalogue, kept whole and never changed: a screening points
    at the version it used, so loading a new version never alters an old result."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    data = models.JSONField(_("catalogue"))
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_current = models.BooleanField(_("current version"), default=False)

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = _("indicator catalogue version")
        verbose_name_plural = _("indicator catalogue versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current"
            )
        ]

    def __str__(self) -> str:
        return self.version

    @cached_property
    def catalogue(self):
        from sira.screening.catalogue import parse

        return parse(self.data)


PROFILE_FIELDS = (
    "screened_on",
    "gender",
    "age",
    "nationality",
    "departure_country",
    "departure_region",
    "destination_country",
    "region",
    "cercle",
    "context",
    "suspected_forms",
)


class Screening(models.Model):
    """A screening against the indicator catalogue. It may hold no identity at all (flow monitoring,
    border posts) and be attached to a case later. The engine's outcome and the worker's own
    determination are stored side by side and reported separately."""

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        XLSFORM = "xlsform", _("Offline form (ODK/KoboCollect)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        COMPLETE = "complete", _("Complete")

    class Outcome(models.TextChoices):
        STRONG = "strong", _("Strong indication of trafficking")
        SOME = "some", _("Some indications")
        INSUFFICIENT = "insufficient", _("Not enough information")
        NONE = "none", _("No indication found")

    catalogue = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, verbose_name=_("catalogue version")
    )
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("screened by")
    )
    screened_on = models.DateField(_("screening date"))
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="screenings"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    submission_id = models.CharField(_("submission id"), max_length=100, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    gender = models.CharField(_("sex / gender"), max_length=30, choices=choices.gender, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    departure_country = CountryField(_("country of departure"), blank=True)
    departure_region = optional_region(_("region of departure"))
    destination_country = CountryField(_("intended destination"), blank=True)
    region = optional_region(_("region of screening"))
    cercle = optional_cercle(_("cercle"))
    context = models.CharField(
        _("context"), max_length=30, choices=choices.identification_context, blank=True
    )
    suspected_forms = models.JSONField(_("suspected forms of exploitation"), default=list, blank=True)
    urgent = models.JSONField(_("urgent flags"), default=list, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, db_index=True
    )
    determination = models.CharField(  # HTCDS vic_TraffickingStatus, decided by a person
        _("worker's determination"), max_length=40, choices=choices.trafficking_status, blank=True
    )
    justification = IdentityTextField(_("justification"), blank=True, null=True)
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    determined_at = models.DateTimeField(null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self) -> str:
        return f"{_('Screening')} #{self.pk}"


class ImportBatch(models.Model):
    """One uploaded file of offline submissions, processed in chunks so long files show progress."""

    file_name = models.CharField(_("file"), max_length=200)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def report(self) -> list[dict]:
        """One entry per processed row, in file order: {row, status, submission_id, errors}."""
        return [entry for segment in self.segments.order_by("number") for entry in segment.report]

    def counts(self) -> dict[str, int]:
        tally = {"accepted": 0, "needs_fix": 0, "duplicate": 0}
        for entry in self.report:
            tally[entry["status"]] += 1
        return tally


class ImportSegment(models.Model):
    """A fixed run of an import's rows, parsed once from the uploaded file when it is received, and the
    report of those rows as they are processed. A chunk reads and writes only the segments it covers, so
    the work per row does not grow with the file. Only the data rows are kept (compressed JSON encrypted
    with the field keys, no copy of the file itself) and only until the segment is processed. The report
    quotes cell values, so it is encrypted too."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="segments")
    number = models.PositiveIntegerField()  # rows number*SEGMENT_ROWS … of the file's data rows
    rows = models.BinaryField(default=b"")  # Fernet(zlib(JSON [header, [cells…]…])); emptied once processed
    report = IdentityJSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="one_segment_number")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"


class QuarantinedRow(models.Model):
    """A submission that could not be imported as it stands: kept whole, with the reasons, until fixed.
    The row and the reasons (which quote its cells) are encrypted like a person's identity: an uploaded
    file may carry names and phone numbers in columns Sira does not read."""

    row_key = models.CharField(
        max_length=64, unique=True
    )  # keyed hash of the row's content: re-imports add nothing
    submission_id = models.CharField(max_length=100, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="quarantined")
    row_number = models.PositiveIntegerField()
    raw = IdentityJSONField()
    errors = IdentityJSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quarantined submission")
        verbose_name_plural = _("quarantined submissions")

    def __str__(self) -> str:
        return f"{self.batch.file_name}:{self.row_number}"
