"""The case registry. Field comments name the HTCDS v2.0 field each one maps to; Sira extensions are
listed in docs/htcds-extensions.md. Identifying values are encrypted (Identity*Field)."""

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from sira.cases import choices
from sira.core import names
from sira.core.crypto import IdentityCharField, IdentityDateField, IdentityTextField, blind_index
from sira.geo.fields import optional_cercle, optional_region

IDENTITY_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "birth_date",
    "phone",
    "address",
    "identity_number",
    "father_name",
    "mother_name",
    "disability_details",
)

# The names a person is found by (their keyed tokens are in PersonNameToken).
NAME_FIELDS = ("first_name", "middle_name", "last_name")

# The person's fields a worker fills in (the rest are derived or set by the system).
PERSON_FIELDS = [
    "first_name",
    "middle_name",
    "last_name",
    "birth_date",
    "estimated_age",
    "gender",
    "citizenships",
    "primary_language",
    "secondary_language",
    "education",
    "marital_status",
    "number_of_children",
    "phone",
    "address",
    "identity_number",
    "father_name",
    "mother_name",
    "has_disability",
    "disability_details",
]


# The details of one form of exploitation a worker records (every entry path writes these).
EXPLOITATION_FIELDS = [
    "form",
    "industry",
    "subsector",
    "means_of_control",
    "recruitment_methods",
    "recruiter_relationship",
    "age_at_recruitment",
    "start_date",
    "end_date",
]


def version_field():
    """The record's version: services.py raises it on every save with `UPDATE … WHERE version =
    expected`, so an edit made from a stale copy is refused instead of silently overwriting."""
    return models.PositiveIntegerField(_("version"), default=1, editable=False)


class Person(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    first_name = IdentityCharField(_("first name"), max_length=100, blank=True, null=True)  # prs_FirstName
    middle_name = IdentityCharField(_("middle name"), max_length=100, blank=True, null=True)  # prs_MiddleName
    last_name = IdentityCharField(_("last name"), max_length=100, blank=True, null=True)  # prs_SecondName
    first_name_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    last_name_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    birth_date = IdentityDateField(_("date of birth"), blank=True, null=True)  # prs_Birthdate
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age"), null=True, blank=True, help_text=_("When the date of birth is unknown.")
    )
    gender = models.CharField(_("sex / gender"), max_length=30, choices=choices.gender)  # prs_Gender
    citizenships = CountryField(_("citizenships"), multiple=True, blank=True)  # prs_Citizenship
    primary_language = models.CharField(  # prs_PrimaryLanguage
        _("primary language"), max_length=8, choices=choices.language, blank=True
    )
    secondary_language = models.CharField(  # prs_SecondaryLanguage
        _("secondary language"), max_length=8, choices=choices.language, blank=True
    )
    education = models.CharField(  # prs_HighestLevelOfEducation
        _("highest level of education"), max_length=40, choices=choices.education, blank=True
    )
    marital_status = models.CharField(  # prs_MaritalStatus
        _("marital status"), max_length=30, choices=choices.marital_status, blank=True
    )
    number_of_children = models.PositiveSmallIntegerField(_("number of children"), null=True, blank=True)
    phone = IdentityCharField(_("phone"), max_length=20, blank=True, null=True)  # prs_MobilePhone
    address = IdentityTextField(_("address"), blank=True, null=True)  # prs_Mailing*
    identity_number = IdentityCharField(_("identity document number"), max_length=60, blank=True, null=True)
    father_name = IdentityCharField(_("father's name"), max_length=150, blank=True, null=True)
    mother_name = IdentityCharField(_("mother's name"), max_length=150, blank=True, null=True)
    has_disability = models.BooleanField(_("has a disability"), null=True, blank=True)
    disability_details = IdentityTextField(_("disability details"), blank=True, null=True)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"{_('Person')} #{self.pk}"

    def save(self, *args, **kwargs):
        # The blind indexes are derived here so no code path can store a name without them.
        self.first_name_index = blind_index(self.first_name or "")
        self.last_name_index = blind_index(self.last_name or "")
        update_fields = kwargs.get("update_fields")
        if update_fields:
            kwargs["update_fields"] = {*update_fields, "first_name_index", "last_name_index"}
        with transaction.atomic():
            adding = self._state.adding
            super().save(*args, **kwargs)
            if not update_fields or set(NAME_FIELDS) & set(update_fields):
                PersonNameToken.rebuild(self, replace=not adding)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)


class PersonNameToken(models.Model):
    """Keyed tokens (HMAC, sira.core.names) of a person's name parts, their prefixes and phonetic keys,
    so names can be searched without decrypting them. Rebuilt by Person.save()."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_tokens")
    kind = models.PositiveSmallIntegerField()  # sira.core.names.EXACT … PHONETIC_PREFIX
    token = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["token", "person"], name="name_token_lookup")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.kind}"

    @classmethod
    def rebuild(cls, person: Person, *, replace: bool = True) -> None:
        if replace:
            cls.objects.filter(person=person).delete()
        tokens = names.name_tokens(*(getattr(person, f) for f in NAME_FIELDS))
        cls.objects.bulk_create([cls(person=person, kind=k, token=t) for t, k in tokens.items()])


class Case(models.Model):
    # Stored in capitals (Case.save) and indexed, so a search by number is a prefix match on an index.
    case_number = models.CharField(_("case number"), max_length=40, db_index=True)
    organisation = models.ForeignKey(  # identifying organisation
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("identified by")
    )
    owner = models.ForeignKey(  # cas_CaseOwner
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("case owner")
    )
    identification_date = models.DateField(_("identification date"))
    identification_context = models.CharField(
        _("identification context"), max_length=30, choices=choices.identification_context
    )
    identification_region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region of identification")
    )
    identification_cercle = optional_cercle(_("cercle of identification"))
    age_at_identification = models.PositiveSmallIntegerField(
        _("age at identification"), null=True, blank=True
    )
    trafficking_status = models.CharField(  # vic_TraffickingStatus
        _("trafficking status"),
        max_length=40,
        choices=choices.trafficking_status,
        default="PossibleVictimOfTrafficking",
    )
    status_decider = models.CharField(  # vic_TraffickingStatusDecisionMakingOrg
        _("status decided by (type of body)"), max_length=40, choices=choices.status_decider, blank=True
    )
    status_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("status decided by"),
    )
    status_decided_on = models.DateField(_("status decided on"), null=True, blank=True)
    case_status = models.CharField(  # cas_Status
        _("case status"), max_length=20, choices=choices.case_status, default="Active"
    )
    closure_reason = models.CharField(  # cas_ReasonForCaseClosure
        _("closure reason"), max_length=30, choices=choices.closure_reason, blank=True
    )
    narrative = IdentityTextField(_("narrative"), blank=True, null=True)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-identification_date", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_number"], name="case_number_unique_per_org"
            ),
            # The database holds the closure rule too (rules.check_case): no closed case without a reason.
            models.CheckConstraint(
                condition=~models.Q(case_status__in=["Closed", "ClosedReferred"])
                | ~models.Q(closure_reason=""),
                name="closed_case_has_reason",
                violation_error_message=_("Give the reason for closing the case."),
            ),
        ]
        indexes = [
            # The case list: an organisation's cases by status, newest first.
            models.Index(
                fields=["organisation", "case_status", "-identification_date"], name="case_org_status"
            ),
            # A case number searched by its start (LIKE 'TSTA-2026-%'), whatever the collation.
            models.Index(
                fields=["case_number"], name="case_number_prefix", opclasses=["varchar_pattern_ops"]
            ),
            # Regional scope and regional statistics.
            models.Index(fields=["identification_region", "identification_date"], name="case_region_date"),
            # The list's sort key (keyset pagination), alone (national scope) and after each scope column,
            # so that PostgreSQL reads a page in index order and stops after it (sira.cases.paging).
            models.Index(fields=["-identification_date", "-id"], name="case_list_order"),
            models.Index(fields=["organisation", "-identification_date", "-id"], name="case_list_org"),
            models.Index(
                fields=["identification_region", "-identification_date", "-id"], name="case_list_region"
            ),
            models.Index(fields=["owner", "-identification_date", "-id"], name="case_list_owner"),
            models.Index(
                fields=["identified_by", "-identification_date", "-id"], name="case_list_identifier"
            ),
        ]

    def __str__(self) -> str:
        return self.case_number

    def save(self, *args, **kwargs):
        self.case_number = (self.case_number or "").strip().upper()
        super().save(*args, **kwargs)


class Exploitation(models.Model):
    """One form of exploitation suffered in a case (HTCDS vic_TypeOfExploitation is multi-select:
    one row per value, each with its own industry and dates)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exploitations")
    form = models.CharField(_("form of exploitation"), max_length=40, choices=choices.exploitation_form)
    industry = models.CharField(  # vic_ForcedLabourIndustry (ISIC Rev.4 section)
        _("labour industry (ISIC)"), max_length=60, choices=choices.industry, blank=True
    )
    subsector = models.CharField(
        _("sub-sector"), max_length=40, choices=choices.industry_subsector, blank=True
    )
    means_of_control = models.JSONField(
        _("means of control"), default=list, blank=True
    )  # vic_MethodsOfControl
    recruitment_methods = models.JSONField(  # vic_MethodOfRecruitment
        _("recruitment methods"), default=list, blank=True
    )
    recruiter_relationship = models.CharField(  # vic_RelationshipToTrafficker
        _("relationship to recruiter"), max_length=20, choices=choices.recruiter_relationship, blank=True
    )
    age_at_recruitment = models.PositiveSmallIntegerField(  # vic_AgeWhenTrafficked
        _("age when recruited"), null=True, blank=True
    )
    start_date = models.DateField(_("start of exploitation"), null=True, blank=True)
    end_date = models.DateField(_("end of exploitation"), null=True, blank=True)
    version = version_field()

    class Meta:
        verbose_name = _("exploitation")
        verbose_name_plural = _("exploitations")
        # The list's filter by form reads the cases of one form (a rare form: a few index pages).
        indexes = [
            models.Index(fields=["form", "case"], name="exploitation_form_case"),
            # A case's first form (statistics facts: "first" and industry) is the lowest id of the
            # case: read from this index, never by walking the primary key over the whole table.
            models.Index(fields=["case", "id"], name="exploitation_case_first"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "form"], name="one_row_per_form"),
            # rules.check_exploitation, held by the database as well.
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="exploitation_ends_after_start",
                violation_error_message=_("The end of exploitation cannot be before its start."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_form_display()


class RouteStop(models.Model):
    """An ordered place on the person's route (HTCDS Historic Trafficking Events, hte_*)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="route")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("type of place"), max_length=20, choices=choices.route_stop)  # hte_Type
    country = CountryField(_("country"))  # hte_Country (ISO 3166 alpha-2)
    region = optional_region(_("region"))
    cercle = optional_cercle(_("cercle"))
    locality = models.CharField(_("town or site"), max_length=100, blank=True)  # hte_City
    date = models.DateField(_("date"), null=True, blank=True)  # hte_Date
    version = version_field()

    class Meta:
        ordering = ["order"]
        verbose_name = _("place on the route")
        verbose_name_plural = _("route")

    def __str__(self) -> str:
        return f"{self.order}. {self.get_kind_display()}: {self.country.code}"


class Consent(models.Model):
    """Purpose-specific consent (HTCDS con_Consent, split by purpose), with its withdrawal."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=choices.consent_purpose)
    given = models.BooleanField(_("consent given"))
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="+",
        verbose_name=_("organisations it may be shared with"),
    )
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    # A refused registration may still be recorded on a legal basis (rules.check_consents).
    legal_basis = models.CharField(
        _("legal basis without consent"), max_length=30, choices=choices.legal_basis, blank=True
    )
    basis_justification = IdentityTextField(_("justification of the legal basis"), blank=True, null=True)
    version = version_field()

    class Meta:
        ordering = ["purpose", "-recorded_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.given}"

    @property
    def active(self) -> bool:
        return self.given and self.withdrawn_on is None


class CaseGrant(models.Model):
    """Need-to-know access to one case for a user or an organisation outside its scope (sharing with
    consent, referral, urgent sharing, break-glass). Revoked and expired grants are kept for the record."""

    class Basis(models.TextChoices):
        OWN = "own", _("own organisation")
        CONSENT = "consent", _("sharing consent")
        URGENT = "urgent", _("urgent reason, without consent")
        EMERGENCY = "emergency", _("emergency access (break-glass)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="case_grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="case_grants"
    )
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices, default=Basis.CONSENT)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # None: the whole case. A list: only these fields (a referral's least-data packet), read through
    # the referral; such a grant never opens the case's own pages, list, search or exports.
    fields = models.JSONField(_("shared fields"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(user__isnull=False),
                name="grant_has_grantee",
            )
        ]
        indexes = [
            # The grants part of a user's visible cases (sira.cases.access).
            models.Index(fields=["organisation", "revoked_at"], name="grant_org_live"),
            models.Index(fields=["user", "revoked_at"], name="grant_user_live"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organisation_id or self.user_id}"


class AccessFlag(models.Model):
    """Access given outside the usual need-to-know path — emergency access (break-glass) or sharing on
    an urgent reason without consent — flagged to the case owner and the committee, and reviewed."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency access")
        URGENT_SHARING = "urgent_sharing", _("Sharing without consent on an urgent reason")

    class Verdict(models.TextChoices):
        JUSTIFIED = "justified", _("Justified")
        UNJUSTIFIED = "unjustified", _("Unjustified")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_flags")
    grant = models.OneToOneField(CaseGrant, on_delete=models.CASCADE, related_name="flag")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    # Free text: it may name people, so it is encrypted like a narrative.
    reason = IdentityTextField(_("reason"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    verdict = models.CharField(_("review"), max_length=20, choices=Verdict.choices, blank=True)
    review_note = IdentityTextField(_("review note"), blank=True, null=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access flag")
        verbose_name_plural = _("access flags")
        indexes = [models.Index(fields=["verdict", "-created_at"], name="access_flag_review")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.case_id}"


class CaseNumberCounter(models.Model):
    """The last registration number given by an organisation in a year: the next one is taken under a
    row lock (services.next_case_number), in constant time, and two registrations never share one."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="case_number_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


# ---------------------------------------------------------------------------------------------------
# The case's own follow-up: notes, assistance given, the case plan (issue 11).


class CaseNote(models.Model):
    """A case worker's note. Free text may name people: encrypted like the narrative, and every
    reading is that of the case (audited with it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    text = IdentityTextField(_("note"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.pk}"


class Assistance(models.Model):
    """One assistance given to the person (service, provider, date, by whom), whether or not it came
    through a referral (`referral_id` then names it: the registry does not know referrals)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assistance")
    service = models.CharField(_("service"), max_length=40, choices=choices.service_type)
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    given_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    referral_id = models.PositiveIntegerField(_("referral"), null=True, blank=True)
    note = IdentityTextField(_("details"), blank=True, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance given")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.service}"


class CaseGoal(models.Model):
    """A goal of the case plan, with the date it is reviewed."""

    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        MET = "met", _("met")
        DROPPED = "dropped", _("dropped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    text = IdentityTextField(_("goal"))
    review_on = models.DateField(_("review date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review_on", "id"]
        verbose_name = _("goal of the case plan")
        verbose_name_plural = _("case plan")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.review_on}"
