"""Database routing for more than one machine: the national statistics may read from a streaming
replica (SIRA_REPLICA_DATABASE_URL), everything else reads and writes the primary.

Statistics are aggregates over the whole registry: the heaviest reads, and the ones a replica's few
seconds of lag does not harm. A view marks its statistics reads with `statistics_reads()`; the router
sends reads made inside it to the replica when one is configured."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_statistics = ContextVar("sira_statistics_reads", default=False)


@contextmanager
def statistics_reads():
    token = _statistics.set(True)
    try:
        yield
    finally:
        _statistics.reset(token)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _statistics.get() and has_replica():
            return REPLICA
        return None  # the primary ("default")

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None  # the replica follows the primary's schema
