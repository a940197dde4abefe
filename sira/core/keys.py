"""Key rotation without downtime (manage.py rotate_keys).

Field keys: the new Fernet key is put first in SIRA_FIELD_ENCRYPTION_KEYS and the application
restarted; from then on every write is encrypted with it while every key still decrypts. `rotate_keys`
then re-encrypts, batch by batch, each encrypted value still under an older key: each batch is a short
transaction, and each value is replaced only if it has not changed since it was read (a worker's save in
between wins), so the application keeps running. A value the newest key already reads is skipped, so an
interrupted run is resumed by running it again. When it reports nothing left, the old key can go.

Blind-index key: the new key is put first in SIRA_BLIND_INDEX_KEY (old ones after it, so searches still
find every name); `rotate_keys --blind-index` rebuilds the name tokens and the other keyed hashes that
apps register here, batch by batch; then the old key can go."""

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import connection, transaction

from sira.core.crypto import SiraKeysMixin, fernet, primary_fernet

# (app_label.Model, field) of binary columns holding a Fernet token that are not Identity*Fields.
_binary_tokens: list[tuple[str, str]] = []
# name → function(batch_size, report) rebuilding keyed hashes under the newest blind-index key.
_reindexers: dict[str, Callable] = {}


def register_binary_token(model_label: str, field: str) -> None:
    if (model_label, field) not in _binary_tokens:
        _binary_tokens.append((model_label, field))


def register_reindexer(name: str, function: Callable) -> None:
    _reindexers[name] = function


@dataclass
class Column:
    model: type
    field: str
    binary: bool = False

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


def encrypted_columns() -> list[Column]:
    """Every column holding values encrypted with the field keys, in every installed app."""
    columns = [
        Column(model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, SiraKeysMixin)
    ]
    columns += [Column(apps.get_model(label), name, binary=True) for label, name in _binary_tokens]
    return columns


def _current(token: bytes) -> bool:
    try:
        primary_fernet().decrypt(token)
    except InvalidToken:
        return False
    return True


def rotate_column(column: Column, *, batch_size: int = 500, dry_run: bool = False) -> tuple[int, int]:
    """Re-encrypts under the newest key the values of one column that an older key encrypted. Returns
    (values seen, values re-encrypted, or to re-encrypt with dry_run)."""
    table = connection.ops.quote_name(column.model._meta.db_table)
    db_column = column.model._meta.get_field(column.field).column
    name = connection.ops.quote_name(db_column)
    pk = connection.ops.quote_name(column.model._meta.pk.column)
    multi = fernet()
    seen = rotated = 0
    last = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where = f"WHERE {pk} > %s" if last is not None else ""
            cursor.execute(
                f"SELECT {pk}, {name} FROM {table} {where} ORDER BY {pk} LIMIT %s",  # noqa: S608 - quoted names
                [last, batch_size] if last is not None else [batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return seen, rotated
            last = rows[-1][0]
            for row_pk, value in rows:
                if value is None or (column.binary and not bytes(value)):
                    continue
                seen += 1
                token = bytes(value) if column.binary else value.encode()
                if _current(token):
                    continue
                rotated += 1
                if dry_run:
                    continue
                new = multi.rotate(token)
                new_value = new if column.binary else new.decode()
                # Only if unchanged since read: a save in between already used the newest key.
                cursor.execute(
                    f"UPDATE {table} SET {name} = %s WHERE {pk} = %s AND {name} = %s",  # noqa: S608
                    [new_value, row_pk, value],
                )


def rotate_field_keys(*, batch_size: int = 500, dry_run: bool = False, report=print) -> int:
    """Every encrypted column, in turn; returns how many values were (or would be) re-encrypted."""
    total = 0
    for column in encrypted_columns():
        seen, rotated = rotate_column(column, batch_size=batch_size, dry_run=dry_run)
        total += rotated
        report(f"{column.label}: {seen} values, {rotated} {'to re-encrypt' if dry_run else 're-encrypted'}")
    return total


def rebuild_keyed_hashes(*, batch_size: int = 500, report=print) -> None:
    for name, function in _reindexers.items():
        count = function(batch_size=batch_size)
        report(f"{name}: {count} rebuilt under the newest blind-index key")
