"""Bulk insertion of model instances: Django's bulk_create, or on PostgreSQL COPY.

An import writes thousands of screenings whose JSON columns (answers, result) make each row a few
kilobytes. bulk_create sends them as one huge INSERT statement that PostgreSQL must parse literal by
literal (about 1.2 ms a row); COPY streams the same rows in PostgreSQL's own row format. The primary
keys are drawn from the table's sequence first, so the caller gets its instances back with their keys
(the audit entries name them) exactly as bulk_create gives them.

Each column's conversion is chosen once per call, not looked up field by field for every row: JSON
is encoded by orjson, and plain code columns (a country, a choice) convert each distinct value once.
Encrypted columns are converted value by value (each gets its own nonce)."""

import gc
from contextlib import contextmanager

import orjson
from django.db import connections, router
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    Expression,
    ForeignKey,
    IntegerField,
    JSONField,
    PositiveSmallIntegerField,
    Value,
)
from django_countries.fields import CountryField
from psycopg.types.json import Jsonb

# Columns whose database value depends only on the value: converted once per distinct value.
# Exact classes: a subclass (an encrypted text field) may not be deterministic.
_REPEATABLE = (
    BooleanField,
    CharField,
    CountryField,
    DateField,
    ForeignKey,
    IntegerField,
    PositiveSmallIntegerField,
)


def _dumps(value) -> str:
    return orjson.dumps(value).decode()


def _converter(field, connection):
    """obj → the value COPY writes for this column."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):

        def from_pre_save(obj):
            value = field.pre_save(obj, True)
            if isinstance(value, Value):
                value = value.value
            elif isinstance(value, Expression):
                raise ValueError(f"{field.name}: an expression cannot be copied")
            return field.get_db_prep_save(value, connection)

        return from_pre_save
    attname = field.attname
    if type(field) is JSONField and field.encoder is None:
        return lambda obj: None if (v := obj.__dict__[attname]) is None else Jsonb(v, dumps=_dumps)
    if type(field) in _REPEATABLE:
        seen: dict = {}

        def repeatable(obj):
            value = obj.__dict__[attname]
            try:
                return seen[value]
            except KeyError:
                seen[value] = converted = field.get_db_prep_save(value, connection)
                return converted
            except TypeError:  # not hashable
                return field.get_db_prep_save(value, connection)

        return repeatable

    def plain(obj):
        value = obj.__dict__[attname]
        if isinstance(value, Expression):
            raise ValueError(f"{field.name}: an expression cannot be copied")
        return field.get_db_prep_save(value, connection)

    return plain


def insert(model, objs, *, using: str | None = None, count: int | None = None) -> list:
    """Insert unsaved instances of `model` and set their primary keys; returns them as a list.

    `objs` may be an iterator of `count` instances, made while the rows are copied: PostgreSQL then
    reads and indexes one row while Python makes the next (two cores at work instead of one, the
    screening import's case, where each row is scored before it is written)."""
    using = using or router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":  # no COPY: the instances are all made first
        objs = list(objs)
        if count is not None and len(objs) != count:
            raise ValueError(f"{len(objs)} instances given for a count of {count}")
        return model.objects.using(using).bulk_create(objs) if objs else objs
    if count is None:
        objs = list(objs)
        count = len(objs)
    if not count:
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    made = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        keys = [pk for (pk,) in cursor.fetchall()]
        converters = [_converter(f, connection) for f in fields]
        columns = ", ".join(quote(f.column) for f in fields)
        pk_name = meta.pk.attname
        with (
            connection.execute_wrapper(_no_query_while_copying),
            cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for obj, pk in zip(objs, keys, strict=True):
                setattr(obj, pk_name, pk)
                copy.write_row([convert(obj) for convert in converters])
                made.append(obj)
    for obj in made:
        obj._state.adding, obj._state.db = False, using
    return made


def _no_query_while_copying(execute, sql, params, many, context):
    """The connection is busy with the COPY until it ends: a query made meanwhile (by the code that
    makes the instances) would wait for ever. It is refused instead, naming the mistake."""
    raise RuntimeError("bulk.insert: instances made during the copy may not query the database")


@contextmanager
def fewer_collections(threshold: int = 50_000):
    """Python's cyclic garbage collector, tuned for a bulk job while the block runs.

    An import allocates a few hundred small objects a row (parsed values, an assessment's lists and
    dicts, model instances), almost none of them in reference cycles. With the default threshold
    (700 allocations) the collector runs every couple of rows, and each older-generation pass walks
    every live object — the whole of Django, the catalogues and the chunk being written: measured,
    a third of the screening assessment's time. The objects alive when the job starts are frozen
    (never walked while it runs) and the young generation is collected every `threshold`
    allocations. Both are put back afterwards, whatever happens; the memory a cycle holds is still
    freed, only later."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold, previous[1], previous[2])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
