import datetime as dt
import functools
import ipaddress
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, ForeignObjectRel, Max
from django.db.models.functions import TruncDate
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sira.audit import rules
from sira.audit.models import AuditEvent

ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A valid IP address, or None: a zone ("%eth0"), a port or any other text is not one (PostgreSQL's
    inet column would refuse it with a server error)."""
    text = text.strip()
    if not text or "%" in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str | None:
    """The client's address, the one rule for the audit log and the lockout (AXES_CLIENT_IP_CALLABLE).

    The connecting address (REMOTE_ADDR), unless it is one of SIRA_TRUSTED_PROXIES: then X-Forwarded-For
    is read from the right, skipping trusted proxies, and the first address that is not one is the
    client (what a client writes in the header itself is to the left of it, and never believed). Text
    that is not an IP address is never returned: at an invalid hop the walk stops at the last proxy."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "SIRA_TRUSTED_PROXIES", ())))
    client = remote
    if _trusted(remote, networks):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = _address(hop)
            if address is None:
                break
            client = address
            if not _trusted(address, networks):
                break
    return str(client)


def record(action: str, *, actor=None, request=None, obj=None, **detail) -> AuditEvent:
    """Write one audit event. Called inside the service's transaction, so the event and the change
    it describes are committed together or not at all."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=getattr(actor, "username", "") or detail.pop("username", ""),
        organisation_id=getattr(actor, "organisation_id", None),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
        ip_address=client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:200] if request is not None else ""),
    )


def events(action: str, actor, objs, **detail) -> list[AuditEvent]:
    """Unsaved events, one per object, for a bulk_create in the transaction of a bulk change (imports):
    the same fields as record() writes, without a request. `AuditEvent.objects.bulk_create` chains
    them like single events."""
    return [
        AuditEvent(
            actor_id=actor.pk,  # the id: an instance costs a database-router lookup per event
            actor_username=actor.username,
            organisation_id=actor.organisation_id,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            detail=detail,
        )
        for obj in objs
    ]


def verify_chain(chunk_size: int = 5000) -> rules.Break | rules.Head:
    """Recompute the whole chain, oldest first: the first broken link, or the head of an intact one."""
    rows = AuditEvent.objects.order_by("seq", "id").values("id", "hash", *rules.HASHED)
    return rules.first_break(rows.iterator(chunk_size=chunk_size))


def describe(found: rules.Break) -> str:
    """The first broken link, for the person running the check."""
    messages = {
        "unchained": _("entry has no place in the chain (no sequence number)"),
        "missing": _("entries %(first)s to %(last)s are missing before it"),
        "order": _("entry out of order: sequence %(expected)s expected here"),
        "altered": _("its content no longer matches its hash (altered)"),
        "link": _("its link to the entry before it is broken (an entry was removed, inserted or moved)"),
        "backdated": _("dated %(at)s, earlier than the entry before it (%(previous_at)s): back-dated"),
    }
    where = _("Audit chain broken at entry id %(id)s (sequence %(seq)s)") % {"id": found.id, "seq": found.seq}
    return f"{where}: {messages[found.problem] % found.facts}"


def check_anchor(seq: int, digest: str) -> bool:
    """An anchor recorded outside Sira still matches the entry it names: with an intact chain, nothing
    written up to that entry has been rewritten, recomputed hashes included."""
    return AuditEvent.objects.filter(seq=seq, hash=digest.strip().lower()).exists()


def anchor(*, actor=None) -> AuditEvent:
    """Append an anchor entry that names the head it seals; its own hash is the digest to record
    outside Sira (printed by `manage.py audit_anchor`)."""
    head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first() or {
        "seq": 0,
        "hash": rules.GENESIS,
    }
    return record(AuditEvent.Action.ANCHOR, actor=actor, sealed_seq=head["seq"], sealed_hash=head["hash"])


def role_weaknesses() -> list[str]:
    """On PostgreSQL, what the connected role could do to the audit table that the application role must
    not be able to do: own it (and so disable its triggers), update, delete or truncate it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, tableowner, 'USAGE'), "
            "has_table_privilege(current_user, %s, 'UPDATE'), "
            "has_table_privilege(current_user, %s, 'DELETE'), "
            "has_table_privilege(current_user, %s, 'TRUNCATE') "
            "FROM pg_tables WHERE tablename = %s",
            [table, table, table, table],
        )
        row = cursor.fetchone()
    if row is None:
        return []
    names = ["owner", "UPDATE", "DELETE", "TRUNCATE"]
    return [name for name, held in zip(names, row, strict=True) if held]


def grant_statements(app_role: str) -> list[str]:
    """SQL, run by the owner role after every `migrate`, that lets `app_role` use every table of Sira and
    only INSERT and SELECT the audit table. The owner keeps ownership: only it can alter the table or
    disable its triggers."""
    from django.db import connection

    if not ROLE_NAME.fullmatch(app_role or ""):
        raise ValueError(app_role)
    role = connection.ops.quote_name(app_role)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE ALL ON {table} FROM {role}",
        f"REVOKE ALL ON {table} FROM PUBLIC",
        f"GRANT SELECT, INSERT ON {table} TO {role}",
    ]


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    text: str
    grouped: bool = False  # identity reads of one user on one day, counted


def field_label(model, name: str) -> str:
    """The verbose name, in the active language, of a field named as the audit stores it: "case_status",
    "person.first_name" (through a relation), "screenings" or "exploitation" (related records)."""
    label = name
    for part in name.split("."):
        field = _find_field(model, part)
        if field is None:
            return name.rsplit(".", 1)[-1].replace("_", " ")
        if isinstance(field, ForeignObjectRel):  # related records: "screenings", "exploitations"
            meta = field.related_model._meta
            label = meta.verbose_name if field.one_to_one else meta.verbose_name_plural
        else:
            label = field.verbose_name
        if field.is_relation:
            model = field.related_model
    return str(label)


def _find_field(model, part: str):
    try:
        return model._meta.get_field(part)
    except FieldDoesNotExist:
        # "exploitation" for the reverse relation "exploitations", "routestop" for "route"...
        for rel in model._meta.related_objects:
            if part in (rel.related_model._meta.model_name, rel.related_model._meta.model_name + "s"):
                return rel
    return None


def _text(event: AuditEvent, model) -> str:
    action = event.get_action_display()
    fields = event.detail.get("fields") if isinstance(event.detail, dict) else None
    if event.action == AuditEvent.Action.CHANGE and fields:
        labels = ", ".join(field_label(model, f) for f in fields)
        return _("%(user)s %(action)s: %(fields)s") % {
            "user": event.actor_username,
            "action": action,
            "fields": labels,
        }
    return f"{event.actor_username} {action}"


def timeline(obj, limit: int = 50) -> list[TimelineEntry]:
    """The record's history, newest first, for people: identity reads are counted per user per day
    ("awa viewed the identity 4 times on 01/12/2026") and changed fields are named in the active
    language. The audit log itself keeps every event and the field names as stored."""
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    reads = (
        events.filter(action=AuditEvent.Action.VIEW_IDENTITY)
        .annotate(day=TruncDate("at"))
        .values("actor_username", "day")
        .annotate(n=Count("id"), last=Max("at"))
        .order_by("-last")[:limit]
    )
    entries = [
        TimelineEntry(
            at=r["last"],
            grouped=True,
            text=ngettext(
                "%(user)s viewed the identity once on %(date)s",
                "%(user)s viewed the identity %(count)s times on %(date)s",
                r["n"],
            )
            % {
                "user": r["actor_username"],
                "count": r["n"],
                "date": date_format(r["day"], "SHORT_DATE_FORMAT"),
            },
        )
        for r in reads
    ]
    others = events.exclude(action=AuditEvent.Action.VIEW_IDENTITY).order_by("-at", "-id")[:limit]
    entries += [TimelineEntry(at=e.at, text=_text(e, type(obj))) for e in others]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
