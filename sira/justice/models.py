"""The justice chain: investigation → suspects → prosecution → charges (suspect × legal article in force
on the offence date) → hearings → outcome and sentence per charge → appeal. Suspects are a record of
their own, never a case's person; their identity is encrypted and searchable only by keyed tokens,
like persons'. HTCDS has no justice fields except the perpetrator's role (per_RoleInProcess)."""

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from sira.cases import choices as case_choices
from sira.core import names
from sira.core.crypto import IdentityCharField, IdentityTextField, blind_index
from sira.justice import choices


def version_field():
    return models.PositiveIntegerField(_("version"), default=1, editable=False)


class LegalArticle(models.Model):
    """One version of an offence's text (catalogue sira/justice/data/legal-articles.yaml): a charge
    names the version in force on the offence date (rules.article_in_force)."""

    code = models.CharField(_("offence code"), max_length=60)
    instrument = models.CharField(_("legal instrument"), max_length=40)
    instrument_title_fr = models.CharField(max_length=200)
    instrument_title_en = models.CharField(max_length=200)
    article = models.CharField(_("article"), max_length=100)
    title_fr = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    prison_min_months = models.PositiveIntegerField(_("minimum prison (months)"), null=True, blank=True)
    prison_max_months = models.PositiveIntegerField(_("maximum prison (months)"), null=True, blank=True)
    life = models.BooleanField(_("life imprisonment possible"), default=False)
    fine_min_fcfa = models.PositiveBigIntegerField(_("minimum fine (FCFA)"), null=True, blank=True)
    fine_max_fcfa = models.PositiveBigIntegerField(_("maximum fine (FCFA)"), null=True, blank=True)
    verified = models.BooleanField(_("penalty verified against the statute"), default=False)
    forms = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    catalogue_version = models.CharField(max_length=20)

    class Meta:
        ordering = ["instrument", "code", "valid_from"]
        verbose_name = _("legal article")
        verbose_name_plural = _("legal articles")
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="article_version_unique")]

    def __str__(self) -> str:
        return f"{self.article} — {self.title()}"

    def title(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        return self.title_en if (language or get_language() or "fr")[:2] == "en" else self.title_fr

    def instrument_title(self) -> str:
        from django.utils.translation import get_language

        return self.instrument_title_en if (get_language() or "fr")[:2] == "en" else self.instrument_title_fr


class Investigation(models.Model):
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    organisation = models.ForeignKey(  # the investigating agency's organisation (whose records these are)
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    agency = models.CharField(_("agency"), max_length=30, choices=choices.Agency.choices)
    opened_on = models.DateField(_("opened on"))
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    forms = models.JSONField(_("forms of exploitation"), default=list)  # exploitation_form codes
    operation_type = models.CharField(
        _("type of operation"), max_length=30, choices=choices.OperationType.choices
    )
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="investigations", verbose_name=_("linked cases (victims)")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=choices.InvestigationStatus.choices, default="open"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(
        _("closing reason"), max_length=30, choices=choices.ClosingReason.choices, blank=True
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="investigation_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True)
                | models.Q(status="closed", closed_on__isnull=False),
                name="investigation_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-opened_on"], name="investigation_org"),
            models.Index(fields=["opened_on", "closed_on"], name="investigation_period"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("justice:investigation", args=[self.pk])


SUSPECT_IDENTITY_FIELDS = ("first_name", "last_name", "alias", "identity_number")


class Suspect(models.Model):
    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, related_name="suspects", verbose_name=_("investigation")
    )
    first_name = IdentityCharField(_("first name"), max_length=100, blank=True, null=True)
    last_name = IdentityCharField(_("last name"), max_length=100, blank=True, null=True)
    alias = IdentityCharField(_("alias"), max_length=100, blank=True, null=True)
    identity_number = IdentityCharField(_("identity document number"), max_length=60, blank=True, null=True)
    last_name_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    gender = models.CharField(_("sex"), max_length=30, choices=case_choices.gender)
    nationality = CountryField(_("nationality"), blank=True)
    roles = models.JSONField(_("role in the process"), default=list)  # HTCDS per_RoleInProcess (multi)
    is_public_official = models.BooleanField(_("public official"), default=False)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("suspect")
        verbose_name_plural = _("suspects")

    def __str__(self) -> str:
        return f"{_('Suspect')} #{self.pk}"

    def save(self, *args, **kwargs):
        self.last_name_index = blind_index(self.last_name or "")
        with transaction.atomic():
            adding = self._state.adding
            super().save(*args, **kwargs)
            SuspectNameToken.rebuild(self, replace=not adding)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.alias or "")


class SuspectNameToken(models.Model):
    """Keyed tokens of a suspect's names (sira.core.names), as for persons: searchable, never readable."""

    suspect = models.ForeignKey(Suspect, on_delete=models.CASCADE, related_name="name_tokens")
    kind = models.PositiveSmallIntegerField()
    token = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["token", "suspect"], name="suspect_token_lookup")]

    def __str__(self) -> str:
        return f"{self.suspect_id}:{self.kind}"

    @classmethod
    def rebuild(cls, suspect: Suspect, *, replace: bool = True) -> None:
        if replace:
            cls.objects.filter(suspect=suspect).delete()
        tokens = names.name_tokens(suspect.first_name, suspect.last_name, suspect.alias)
        cls.objects.bulk_create([cls(suspect=suspect, kind=k, token=t) for t, k in tokens.items()])


class Prosecution(models.Model):
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="prosecutions", verbose_name=_("investigation")
    )
    organisation = models.ForeignKey(  # the prosecutor's office / court whose records these are
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    court = models.CharField(_("court"), max_length=30, choices=choices.Court.choices)
    court_reference = models.CharField(_("court reference"), max_length=60, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)  # set when every charge is decided
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("prosecution")
        verbose_name_plural = _("prosecutions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="prosecution_closes_after_opening",
            )
        ]
        indexes = [models.Index(fields=["organisation", "-opened_on"], name="prosecution_org")]

    def __str__(self) -> str:
        return self.court_reference or f"{_('Prosecution')} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("justice:prosecution", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Charge(models.Model):
    """A suspect charged under one article (the version in force on the offence date), with the
    court's outcome for that charge."""

    prosecution = models.ForeignKey(Prosecution, on_delete=models.CASCADE, related_name="charges")
    suspect = models.ForeignKey(
        Suspect, on_delete=models.PROTECT, related_name="charges", verbose_name=_("suspect")
    )
    article = models.ForeignKey(
        LegalArticle, on_delete=models.PROTECT, related_name="charges", verbose_name=_("article")
    )
    offence_date = models.DateField(_("offence date"))
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=choices.Outcome.choices, default="pending"
    )
    outcome_date = models.DateField(_("date of the decision"), null=True, blank=True)
    dropped_reason = models.CharField(
        _("reason charges were dropped"), max_length=30, choices=choices.DroppedReason.choices, blank=True
    )
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(
                fields=["prosecution", "suspect", "article"], name="one_charge_per_article"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="pending") | models.Q(outcome_date__isnull=False),
                name="decided_charge_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="dropped") | ~models.Q(dropped_reason=""),
                name="dropped_charge_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suspect} — {self.article.article}"


class Sentence(models.Model):
    """The sentence on a convicted charge. A term outside the article's range is kept and flagged for
    review (courts decide; data-entry errors are common): `review_reasons` says why."""

    charge = models.OneToOneField(Charge, on_delete=models.CASCADE, related_name="sentence")
    prison_months = models.PositiveIntegerField(_("prison (months)"), default=0)
    suspended_months = models.PositiveIntegerField(_("of which suspended (months)"), default=0)
    life = models.BooleanField(_("life imprisonment"), default=False)
    fine_fcfa = models.PositiveBigIntegerField(_("fine (FCFA)"), default=0)
    other = models.CharField(_("other penalty"), max_length=200, blank=True)
    needs_review = models.BooleanField(_("flagged for review"), default=False)
    review_reasons = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("sentence")
        verbose_name_plural = _("sentences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(suspended_months__lte=models.F("prison_months")),
                name="suspended_within_prison",
            )
        ]

    def __str__(self) -> str:
        return f"{self.charge_id}: {self.prison_months}"


class Hearing(models.Model):
    prosecution = models.ForeignKey(Prosecution, on_delete=models.CASCADE, related_name="hearings")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of hearing"), max_length=20, choices=choices.HearingKind.choices)
    note = IdentityTextField(_("note"), blank=True, null=True)  # free text may name people
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class Appeal(models.Model):
    prosecution = models.ForeignKey(Prosecution, on_delete=models.CASCADE, related_name="appeals")
    suspect = models.ForeignKey(
        Suspect, on_delete=models.PROTECT, related_name="+", verbose_name=_("defendant")
    )
    appealed_by = models.CharField(_("appealed by"), max_length=20, choices=choices.AppealBy.choices)
    filed_on = models.DateField(_("filed on"))
    result = models.CharField(
        _("result"), max_length=12, choices=choices.AppealResult.choices, default="pending"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["filed_on", "id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.suspect_id} {self.filed_on}"


class ReferenceCounter(models.Model):
    """The last investigation number given by an organisation in a year (taken under a row lock)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="investigation_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"
