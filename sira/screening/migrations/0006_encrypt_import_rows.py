from django.db import migrations

import sira.core.crypto


def encrypt_existing(apps, schema_editor):
    """Rows, reasons, reports and pending segments written before encryption are encrypted in place
    (raw SQL: the model fields would try to decrypt them)."""
    from cryptography.fernet import InvalidToken

    from sira.core.crypto import fernet

    f = fernet()

    def is_token(value) -> bool:
        try:
            f.decrypt(value if isinstance(value, bytes) else value.encode())
        except (InvalidToken, TypeError, ValueError):
            return False
        return True

    connection = schema_editor.connection
    quarantined = apps.get_model("screening", "QuarantinedRow")._meta.db_table
    segments = apps.get_model("screening", "ImportSegment")._meta.db_table
    with connection.cursor() as cursor:
        for table, columns in ((quarantined, ("raw", "errors")), (segments, ("report",))):
            for column in columns:
                cursor.execute(f"SELECT id, {column} FROM {table}")  # noqa: S608 - names from the models
                for pk, value in cursor.fetchall():
                    if value is not None and not is_token(value):
                        token = f.encrypt(str(value).encode()).decode()
                        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [token, pk])  # noqa: S608
        cursor.execute(f"SELECT id, rows FROM {segments}")  # noqa: S608
        for pk, value in cursor.fetchall():
            data = bytes(value or b"")
            if data and not is_token(data):
                cursor.execute(f"UPDATE {segments} SET rows = %s WHERE id = %s", [f.encrypt(data), pk])  # noqa: S608


class Migration(migrations.Migration):
    """Quarantined rows, their reasons, import reports and pending segments are encrypted with the field
    keys: an uploaded file may carry identities in columns Sira does not read (issue 10)."""

    dependencies = [
        ("screening", "0005_import_segments"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importsegment",
            name="report",
            field=sira.core.crypto.IdentityJSONField(default=list),
        ),
        migrations.AlterField(
            model_name="quarantinedrow",
            name="errors",
            field=sira.core.crypto.IdentityJSONField(),
        ),
        migrations.AlterField(
            model_name="quarantinedrow",
            name="raw",
            field=sira.core.crypto.IdentityJSONField(),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
