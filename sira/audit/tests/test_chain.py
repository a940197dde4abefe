"""The audit log is a hash chain: every way of writing an entry chains it, and `verify_audit` finds an
entry altered, removed, forged back-dated or moved, even by someone who lifts the append-only triggers
as the table owner can. Runs on SQLite and on PostgreSQL (CI)."""

import datetime as dt
import importlib
import itertools
import threading
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from sira.audit import rules, services
from sira.audit.models import AuditEvent
from sira.audit.services import events, record
from sira.testing.factories import CaseFactory, OrganisationFactory

append_only = importlib.import_module("sira.audit.migrations.0002_append_only")
chain_migration = importlib.import_module("sira.audit.migrations.0003_hash_chain")


@pytest.fixture(autouse=True)
def french():
    """Operators read the commands' messages in French first."""
    with translation.override("fr"):
        yield


@pytest.fixture
def log(awa):
    """A log written every way Sira writes it, with the append-only triggers of production on."""
    CaseFactory(by=awa)  # the registration service
    record(AuditEvent.Action.LOGIN, actor=awa)
    orgs = [OrganisationFactory(name=f"Org chain {n}") for n in range(3)]
    AuditEvent.objects.bulk_create(events(AuditEvent.Action.CREATE, awa, orgs, batch=7))  # imports
    record(AuditEvent.Action.EXPORT, actor=awa, count=3, format="labels", filters={"q": 1})
    statements = {"sqlite": append_only.SQLITE, "postgresql": append_only.POSTGRES}[connection.vendor]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return list(AuditEvent.objects.order_by("seq"))


@contextmanager
def as_table_owner():
    """The attack: whoever owns the table lifts its triggers, rewrites, and puts them back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts: checked now
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            for sql in chain_migration.SQLITE_DROP:
                cursor.execute(sql)
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            for sql in append_only.SQLITE:
                cursor.execute(sql)


def verify():
    """Run the command as an operator would: (exit status, message)."""
    try:
        call_command("verify_audit", stdout=(out := _Buffer()), stderr=_Buffer())
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.text


class _Buffer:
    text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def columns(entry: AuditEvent) -> dict:
    return {name: getattr(entry, name) for name in rules.HASHED}


def test_every_write_path_chains_and_the_chain_verifies(log):
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert log[0].prev_hash == rules.GENESIS
    for before, entry in itertools.pairwise(log):
        assert entry.prev_hash == before.hash
        assert entry.hash == rules.entry_hash(columns(entry))
    assert {e.action for e in log} >= {"create", "login", "export"}
    status, message = verify()
    assert status == 0
    assert f"{len(log)} entrées" in message and log[-1].hash in message


def test_the_triggers_still_refuse_a_plain_rewrite(log):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'logout'")
    assert verify()[0] == 0


def test_altered_entry_is_found(log):
    target = log[2]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["999", target.pk])
    status, message = verify()
    assert status == 1
    assert f"id {target.pk} (séquence {target.seq})" in message and "modifiée" in message


def test_deleted_entry_is_found(log):
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [log[3].pk])
    status, message = verify()
    assert status == 1
    assert f"id {log[4].pk} (séquence {log[4].seq})" in message
    assert f"les entrées {log[3].seq} à {log[3].seq} manquent" in message


def test_forged_back_dated_entry_is_found_even_with_a_correct_hash(log):
    """The attacker knows the algorithm: the forged entry links to the head with a valid hash, but it
    claims to have happened two days ago, after entries written today."""
    head = log[-1]
    forged = {
        **columns(head),
        "seq": head.seq + 1,
        "prev_hash": head.hash,
        "at": head.at - dt.timedelta(days=2),
        "action": "grant",
        "detail": {"reason": "forged"},
        "ip_address": None,
    }
    digest = rules.entry_hash(forged)
    with as_table_owner() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, at, actor_id, actor_username, "
            "organisation_id, action, object_type, object_id, detail, ip_address, user_agent) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s)",
            [
                forged["seq"],
                forged["prev_hash"],
                digest,
                forged["at"],
                forged["actor_id"],
                forged["actor_username"],
                forged["organisation_id"],
                forged["action"],
                forged["object_type"],
                forged["object_id"],
                '{"reason": "forged"}',
                forged["user_agent"],
            ],
        )
    forged_id = AuditEvent.objects.get(seq=head.seq + 1).pk
    status, message = verify()
    assert status == 1
    assert f"id {forged_id}" in message and "antidatée" in message


def test_forged_entry_slipped_between_two_others_is_found(log):
    """Inserted in the middle: the entries after it must be renumbered, which breaks their hashes."""
    middle = log[2]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = seq + 1000 WHERE seq > %s", [middle.seq])
        cursor.execute("UPDATE audit_auditevent SET seq = seq - 999 WHERE seq > 1000")
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, at, actor_username, action, object_type, "
            "object_id, detail, user_agent) VALUES (%s, %s, %s, %s, 'x', 'grant', '', '', '{}', '')",
            [middle.seq + 1, middle.hash, "f" * 64, middle.at],
        )
    status, message = verify()
    assert status == 1 and "séquence 4" in message


def test_two_entries_swapped_are_found(log):
    """Reorder: two entries exchange their places in the chain (sequence, links and hashes)."""
    a, b = log[1], log[4]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = -seq WHERE id IN (%s, %s)", [a.pk, b.pk])
        for mine, theirs in ((a, b), (b, a)):
            cursor.execute(
                "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [theirs.seq, theirs.prev_hash, theirs.hash, mine.pk],
            )
    status, message = verify()
    assert status == 1
    assert f"id {b.pk} (séquence {a.seq})" in message


def test_two_entries_moved_whole_are_found(log):
    """Reorder done carefully: every column but the row id exchanged, so each hash still holds."""
    a, b = log[1], log[2]
    names = [n for n in rules.HASHED if n != "seq"] + ["hash"]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = -seq WHERE id IN (%s, %s)", [a.pk, b.pk])
        for mine, theirs in ((a, b), (b, a)):
            values = [getattr(theirs, n) for n in names]
            values[names.index("detail")] = _json(theirs.detail)
            sets = ", ".join(f"{n} = %s" for n in names)
            sql = f"UPDATE audit_auditevent SET seq = %s, {sets} WHERE id = %s"  # noqa: S608
            cursor.execute(sql, [theirs.seq, *values, mine.pk])
    status, message = verify()
    assert status == 1
    assert "hors d'ordre" in message


def _json(value):
    import json

    return json.dumps(value)


def test_a_rewritten_tail_with_recomputed_hashes_is_caught_by_an_anchor(log):
    """Recomputing every hash after the change makes the chain consistent again; the digest recorded
    outside Sira no longer matches."""
    call_command("audit_anchor", stdout=(out := _Buffer()))
    seq, digest = out.text.strip().rsplit(" ", 1)[1].split(":")
    assert services.check_anchor(int(seq), digest)
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = '999' WHERE id = %s", [log[1].pk])
        prev = log[0].hash
        for entry in AuditEvent.objects.filter(seq__gt=1).order_by("seq"):
            entry.prev_hash = prev
            entry.hash = prev = rules.entry_hash(columns(entry))
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [entry.prev_hash, entry.hash, entry.pk],
            )
    assert verify()[0] == 0  # the chain alone no longer shows it
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit", "--anchor", f"{seq}:{digest}", stdout=_Buffer(), stderr=_Buffer())
    assert failed.value.returncode == 1 and "réécrit" in str(failed.value)


def test_anchor_entry_names_the_head_it_seals(log):
    entry = services.anchor()
    assert entry.action == "anchor" and entry.seq == log[-1].seq + 1
    assert entry.detail == {"sealed_seq": log[-1].seq, "sealed_hash": log[-1].hash}
    call_command("verify_audit", "--anchor", f"{entry.seq}:{entry.hash}", stdout=(out := _Buffer()))
    assert "Ancres concordantes : 1" in out.text


def test_a_malformed_anchor_is_refused_clearly(log):
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit", "--anchor", "abc", stdout=_Buffer())
    assert "SEQ:HASH" in str(failed.value)


def test_caller_cannot_choose_the_date_of_an_entry(awa):
    event = AuditEvent(
        action="login", actor=awa, actor_username="awa", at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    event.save()
    assert AuditEvent.objects.get(pk=event.pk).at.year > 2020


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's in-memory test database is not shared between threads"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_never_fork_the_chain():
    """Writers in parallel threads (their own connections): every entry gets its own place, the chain
    holds. On PostgreSQL the advisory lock orders them; SQLite has one writer at a time."""
    errors = []

    def write(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    record(AuditEvent.Action.LOGIN, username=f"w{n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 60
    found = services.verify_chain()
    assert isinstance(found, rules.Head) and found.count == 60 and found.seq == 60
