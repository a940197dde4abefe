import datetime as dt
import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, ForeignObjectRel, Max
from django.db.models.functions import TruncDate
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sira.audit.models import AuditEvent


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
    the same fields as record() writes, without a request."""
    return [
        AuditEvent(
            actor=actor,
            actor_username=actor.username,
            organisation_id=actor.organisation_id,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            detail=detail,
        )
        for obj in objs
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
