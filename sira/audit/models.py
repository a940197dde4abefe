from contextlib import nullcontext

from django.conf import settings
from django.db import connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sira.audit import rules
from sira.core import bulk

# Any constant: the key of the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK = 0x51_7A_A0_D1


def _head() -> tuple[int, str]:
    """Take the chain for this transaction, until it commits, and read its last entry, so two writers
    never take the same place. PostgreSQL: a transaction-level advisory lock, then the head read by a
    second statement (its own snapshot, which sees what the previous holder committed); both in one
    round trip. SQLite: a transaction that has read the head cannot write after another has committed
    (the write fails, it never forks); the unique `seq` is the last guard on both."""
    head_sql = "SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK}); {head_sql}")
            cursor.nextset()
        else:
            cursor.execute(head_sql)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, rules.GENESIS)


def _seal(events) -> None:
    """Give unsaved events their place in the chain, in list order. Call inside a transaction, right
    before inserting them: the chain stays taken until that transaction ends."""
    seq, prev = _head()
    now = timezone.now()
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.at = now  # never the caller's: an entry cannot be written back-dated
        event.ip_address = rules.normal_address(event.ip_address)
        event.hash = prev = rules.entry_hash({name: getattr(event, name) for name in rules.HASHED})


def _in_transaction(using):
    """The caller's transaction if there is one (no savepoint needed), else a new one."""
    return nullcontext() if connection.in_atomic_block else transaction.atomic(using=using)


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with _in_transaction(self.db):
            _seal(objs)
            if connections[self.db].vendor == "postgresql" and not args and not kwargs:
                return bulk.insert(self.model, objs, using=self.db)  # COPY: an import audits every row
            return super().bulk_create(objs, *args, **kwargs)


class AuditEvent(models.Model):
    """Append-only record of who did what to which record, when and from where.
    Values of identifying fields are never stored here: only the names of the fields touched."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        VIEW_IDENTITY = "view_identity", _("viewed identity")
        EXPORT = "export", _("exported")
        GRANT = "grant", _("shared")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logged out")
        DELETE = "delete", _("deleted")
        ACCESS_REQUESTED = "access_requested", _("requested an access change")
        ACCESS_APPROVED = "access_approved", _("approved an access change")
        ACCESS_REJECTED = "access_rejected", _("rejected an access change")
        ANCHOR = "anchor", _("anchored the audit chain")

    # Set when the event takes its place in the chain (not auto_now_add, which would set it after the
    # hash is computed in bulk_create).
    at = models.DateTimeField(_("when"), db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=40, blank=True)
    object_id = models.CharField(_("record"), max_length=40, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    # The chain (sira/audit/rules.py): place, hash of the entry before, hash of this entry's content.
    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # The case timeline: events of one record, newest first.
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_timeline"),
        ]

    def __str__(self) -> str:
        target = f"{self.object_type}:{self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        with _in_transaction(kwargs.get("using")):
            _seal([self])
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events cannot be deleted")
