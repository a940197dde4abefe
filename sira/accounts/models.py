from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from sira.core.vocab import choices


def org_type_choices():
    return choices("org_type")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)  # HTCDS org_Name
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    org_type = models.CharField(_("type"), max_length=40, choices=org_type_choices)  # HTCDS org_Type (+Mali)
    region = models.ForeignKey(
        "geo.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)  # HTCDS org_ShippingCity
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # HTCDS org_Phone (E.164)
    email = models.EmailField(_("email"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.acronym or self.name


class Role(models.TextChoices):
    FRONTLINE = "frontline_worker", _("Frontline worker")
    CASE_MANAGER = "case_manager", _("Case manager")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    INVESTIGATOR = "investigator", _("Investigator")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    STATISTICIAN = "national_statistician", _("National statistician")
    ADMINISTRATOR = "administrator", _("Administrator")


class Scope(models.TextChoices):
    """Which case records a user sees besides those explicitly granted (shared or referred)."""

    GRANTED = "granted", _("Granted records only")
    OWN = "own", _("Own records")
    ORGANISATION = "organisation", _("Own organisation")
    REGION = "region", _("Organisation's region")
    NATIONAL = "national", _("National")


DEFAULT_SCOPE = {
    Role.FRONTLINE: Scope.OWN,
    Role.CASE_MANAGER: Scope.ORGANISATION,
    Role.SERVICE_PROVIDER: Scope.GRANTED,
    Role.INVESTIGATOR: Scope.ORGANISATION,
    Role.PROSECUTOR: Scope.GRANTED,
    Role.STATISTICIAN: Scope.GRANTED,
    Role.ADMINISTRATOR: Scope.GRANTED,
}


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.FRONTLINE)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo record"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):
        if not self.scope:
            self.scope = DEFAULT_SCOPE[Role(self.role)]
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 digest of its key is stored: the key is shown once, when it
    is created, and cannot be read back by anyone (administrators included). The rules that make a token
    usable are in sira/accounts/tokens.py."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("starts with"), max_length=8)
    # A digest of the password hash the token was created under: a password change ends the token.
    password_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """One-time recovery codes for a user who has lost their authenticator, as a django-otp device.
    Unlike django-otp's static device, the codes are stored only as keyed hashes (HMAC-SHA256 under the
    SECRET_KEY): a copy of the database does not reveal them. Each code works once."""

    digests = models.JSONField(default=list)

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        from sira.accounts.twofactor import recovery_code_digest

        allowed, _detail = self.verify_is_allowed()
        if not allowed:
            return False
        digest = recovery_code_digest(str(token))
        if digest in self.digests:
            self.digests = [d for d in self.digests if d != digest]
            self.throttle_reset(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class AccessChange(models.Model):
    """A change to what a user may reach (role, scope, organisation, staff and superuser status, groups,
    permissions), held until a second administrator approves it (sira/accounts/services.py). `changes`
    maps each field to [current, requested], as codes and ids."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="access_changes", verbose_name=_("account")
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    changes = models.JSONField(_("changes"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        indexes = [models.Index(fields=["status", "-requested_at"], name="access_change_status")]

    def __str__(self) -> str:
        return f"{self.user.username}: {', '.join(sorted(self.changes))} ({self.get_status_display()})"
