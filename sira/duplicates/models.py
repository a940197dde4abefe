"""One person across organisations: requests to another organisation to confirm a probable duplicate
and share its case, and merges of two records of the same person within an organisation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DuplicateRequest(models.Model):
    """Organisation A asks organisation B whether one of B's cases is the same person as A's case, and
    to share it. A never learns which case (target_case is read only by B's users and the services)."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        CONFIRMED = "confirmed", _("confirmed and shared")
        DENIED = "denied", _("not the same person, or not shared")

    source_case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="duplicate_requests_sent"
    )
    target_case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="duplicate_requests_received"
    )
    requesting_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    target_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("asked of")
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    score = models.FloatField(_("match score"))
    created_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    grant = models.ForeignKey(
        "cases.CaseGrant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("duplicate request")
        verbose_name_plural = _("duplicate requests")
        constraints = [
            models.UniqueConstraint(
                fields=["source_case", "target_case"],
                condition=models.Q(state="pending"),
                name="one_pending_duplicate_request",
            )
        ]

    def __str__(self) -> str:
        return f"D-{self.pk}"

    @property
    def reference(self) -> str:
        return f"D-{self.pk}"


class PersonMerge(models.Model):
    """Two records of one person in an organisation made one: every row that pointed to the merged
    person now points to the kept one. The merged person's row is kept (its identity untouched, its
    name tokens removed so it is neither searched nor matched again) and `moved` lists, per relation,
    the ids that were moved: the merge can be undone by hand from this record."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    kept = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.OneToOneField("cases.Person", on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("merge of two records of a person")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"
