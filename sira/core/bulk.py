"""Bulk insertion of model instances: Django's bulk_create, or on PostgreSQL COPY.

An import writes thousands of screenings whose JSON columns (answers, result) make each row a few
kilobytes. bulk_create sends them as one huge INSERT statement that PostgreSQL must parse literal by
literal (about 1.2 ms a row); COPY streams the same rows in PostgreSQL's own row format. The primary
keys are drawn from the table's sequence first, so the caller gets its instances back with their keys
(the audit entries name them) exactly as bulk_create gives them.

Each column's conversion is chosen once per call, not looked up field by field for every row: JSON
is encoded by orjson, and plain code columns (a country, a choice) convert each distinct value once.
Encrypted columns are converted value by value (each gets its own nonce)."""

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


def insert(model, objs: list, *, using: str | None = None) -> list:
    """Insert unsaved instances of `model` and set their primary keys; returns `objs`."""
    using = using or router.db_for_write(model)
    connection = connections[using]
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.using(using).bulk_create(objs)
    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, meta.pk.attname, pk)
        converters = [_converter(f, connection) for f in fields]
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([convert(obj) for convert in converters])
    for obj in objs:
        obj._state.adding, obj._state.db = False, using
    return objs
