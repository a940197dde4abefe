"""The audit chain, as pure functions: what an entry's hash covers and how a chain is checked.

Every entry carries `seq` (1, 2, 3… with no gap), `prev_hash` (the hash of entry seq - 1; GENESIS for the
first) and `hash`, the SHA-256 of its canonical content, which includes `prev_hash`. Changing, removing,
inserting or reordering any entry therefore breaks the link at that point. Rewriting the whole tail with
recomputed hashes is caught by the anchors recorded outside Sira (see docs/security.md)."""

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64
# An entry may be written a little earlier than the one before it (clocks of two application servers,
# a transaction that read the clock before waiting for the chain lock), never hours earlier.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)
# The columns the hash covers, in the order of the canonical form.
HASHED = (
    "seq",
    "prev_hash",
    "at",
    "actor_id",
    "actor_username",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "detail",
    "ip_address",
    "user_agent",
)


def normal_address(value: str | None) -> str | None:
    """One spelling per address, the one PostgreSQL's inet gives back ("2001:db8::1")."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return str(value)


def canonical(entry: dict) -> bytes:
    """The bytes hashed for an entry: its HASHED columns as sorted-key JSON, times in UTC to the
    microsecond, the detail as the database gives it back (JSON round trip)."""
    at = entry["at"]
    content = {
        **{name: entry.get(name) for name in HASHED},
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "detail": json.loads(json.dumps(entry.get("detail") or {})),
        "ip_address": normal_address(entry.get("ip_address")),
        "actor_username": entry.get("actor_username") or "",
        "object_type": entry.get("object_type") or "",
        "object_id": entry.get("object_id") or "",
        "user_agent": entry.get("user_agent") or "",
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold: the entry (id, seq), what is wrong (a code of
    PROBLEMS) and the figures that show it."""

    id: int | None
    seq: int | None
    problem: str
    facts: dict


# What each problem means; services.describe() words them for people.
PROBLEMS = ("unchained", "missing", "order", "altered", "link", "backdated")


@dataclass(frozen=True)
class Head:
    count: int
    seq: int
    hash: str


def first_break(entries: Iterable[dict]) -> Break | Head:
    """Walk entries in seq order (each a dict of the HASHED columns plus `id` and `hash`) and return
    the first broken link, or the head of an intact chain."""
    prev = None
    count = 0
    for entry in entries:
        count += 1
        expected = 1 if prev is None else prev["seq"] + 1
        prev_hash = GENESIS if prev is None else prev["hash"]

        def broken(problem, **facts):
            return Break(id=entry["id"], seq=entry["seq"], problem=problem, facts=facts)  # noqa: B023

        if entry["seq"] is None:
            return broken("unchained")
        if entry["seq"] > expected:
            return broken("missing", first=expected, last=entry["seq"] - 1)
        if entry["seq"] < expected:
            return broken("order", expected=expected)
        if entry_hash(entry) != entry["hash"]:
            return broken("altered")
        if entry["prev_hash"] != prev_hash:
            return broken("link", previous=prev["id"] if prev else None)
        if prev is not None and entry["id"] <= prev["id"]:
            return broken("order", expected=expected, previous=prev["id"])
        if prev is not None and entry["at"] < prev["at"] - CLOCK_TOLERANCE:
            return broken("backdated", at=entry["at"].isoformat(), previous_at=prev["at"].isoformat())
        prev = entry
    if prev is None:
        return Head(count=0, seq=0, hash=GENESIS)
    return Head(count=count, seq=prev["seq"], hash=prev["hash"])
