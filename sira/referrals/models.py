"""The national referral mechanism: the service directory (organisations and the services they
offer), referrals between organisations, their follow-up tasks, and in-app notifications."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from sira.cases import choices
from sira.core.crypto import IdentityTextField
from sira.core.vocab import label
from sira.geo.fields import optional_cercle


class ServiceOffering(models.Model):
    """A service an organisation offers, who it is for, where, when, and its places (kept up to date
    by the provider)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="offerings",
        verbose_name=_("provider"),
    )
    service = models.CharField(_("service"), max_length=40, choices=choices.service_type)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Eligibility: an empty list means everyone.
    sexes = models.JSONField(_("for sexes"), default=list, blank=True)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    nationalities = CountryField(_("for nationalities"), multiple=True, blank=True)
    forms = models.JSONField(_("for forms of exploitation"), default=list, blank=True)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    cercle = optional_cercle(_("cercle"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    # Places: None when the service does not count them.
    capacity_total = models.PositiveIntegerField(_("places in total"), null=True, blank=True)
    capacity_in_use = models.PositiveIntegerField(_("places in use"), default=0)
    capacity_updated_at = models.DateTimeField(_("places updated at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)

    class Meta:
        ordering = ["region_id", "organisation__name", "service", "id"]
        verbose_name = _("service offered")
        verbose_name_plural = _("service directory")
        indexes = [models.Index(fields=["service", "region"], name="offering_service_region")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity_total__isnull=True)
                | models.Q(capacity_in_use__lte=models.F("capacity_total")),
                name="offering_places_in_use_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name}"

    @property
    def free_places(self) -> int | None:
        if self.capacity_total is None:
            return None
        return max(self.capacity_total - self.capacity_in_use, 0)


class Referral(models.Model):
    """A referral of a case from one organisation to another for a service. Its state changes only in
    sira.referrals.services, following the table in sira.referrals.rules."""

    class State(models.TextChoices):
        SENT = "sent", _("sent, waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        IN_SERVICE = "in_service", _("in service")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn by the sender")

    class DeclineReason(models.TextChoices):
        NO_CAPACITY = "no_capacity", _("No capacity (no free place)")
        NOT_FOR_PROFILE = "not_for_profile", _("No service for this sex or age")
        NOT_OFFERED = "not_offered", _("Service not offered or not available")
        OTHER = "other", _("Other reason")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    sender = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("from"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    receiver = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to"),
    )
    offering = models.ForeignKey(
        ServiceOffering, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    service = models.CharField(_("service"), max_length=40, choices=choices.service_type)
    pathway = models.CharField(_("special pathway"), max_length=30, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.SENT)
    # The least-data packet: the fields the sender chose to share (sira.referrals.rules.PACKET_FIELDS).
    shared_fields = models.JSONField(_("shared fields"), default=list)
    basis = models.CharField(_("basis"), max_length=20)  # "consent" or "urgent" (cases.CaseGrant.Basis)
    urgent_reason = IdentityTextField(_("urgent reason without consent"), blank=True, null=True)
    needs_review = models.BooleanField(_("flagged for review"), default=False)
    # What the receiver sees before accepting: no identity, only what is needed to decide.
    gender = models.CharField(_("sex / gender"), max_length=30, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    region = models.ForeignKey(
        "geo.Region", null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    forms = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    # Free text for the receiver, shown once the referral is accepted (it may name people).
    message = IdentityTextField(_("message to the receiver"), blank=True, null=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_note = IdentityTextField(_("details of the decline"), blank=True, null=True)
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_assigned",
        verbose_name=_("case worker"),
    )
    grant = models.OneToOneField(
        "cases.CaseGrant", null=True, blank=True, on_delete=models.SET_NULL, related_name="referral"
    )
    sent_at = models.DateTimeField(_("sent at"))
    due_at = models.DateTimeField(_("answer due by"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["receiver", "state", "-sent_at"], name="referral_intake"),
            models.Index(fields=["sender", "state", "-sent_at"], name="referral_outbox"),
            models.Index(fields=["state", "due_at"], name="referral_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="declined") | ~models.Q(decline_reason=""),
                name="declined_referral_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.pk}"

    @property
    def gender_label(self) -> str:
        return label("gender", self.gender) if self.gender else ""

    @property
    def nationality_name(self) -> str:
        from django_countries import countries

        return countries.name(self.nationality) if self.nationality else ""

    @property
    def forms_label(self) -> str:
        return ", ".join(label("exploitation_form", f) for f in self.forms)


class FollowUpTask(models.Model):
    """A dated follow-up step of a referral (next visit, review), for the receiving organisation."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Next visit")
        REVIEW = "review", _("Review")
        OTHER = "other", _("Other")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")

    def __str__(self) -> str:
        return f"{self.referral_id}:{self.kind}:{self.due_on}"


class Notification(models.Model):
    """An in-app notice. Its text never names the person (a referral's reference and its service)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("text"), max_length=300)  # French / English, as e-mailed
    # The message (its English source) and its values: the page shows it in the reader's language.
    message = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=200, blank=True)
    # The event it reports (one notice per user and event: the deadline command can run again).
    key = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_event")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"

    @property
    def shown(self) -> str:
        """The notice in the language of the page (the stored text for notices without a message)."""
        if not self.message:
            return self.text
        params = dict(self.params)
        if "service" in params:
            params["service"] = label("service_type", params["service"])
        return gettext(self.message) % params


# The follow-up kinds, importable by name (the API schema's enum name: settings.SPECTACULAR_SETTINGS).
FOLLOW_UP_KINDS = FollowUpTask.Kind.choices
