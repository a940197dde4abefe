"""Chain the audit log: every entry gets its place (seq), the hash of the entry before it and the hash
of its own content (sira/audit/rules.py). Existing entries are chained in the order they were written
(id). The append-only triggers are lifted for the rewrite and put back, as the table owner running
migrations may; the application role cannot (see `manage.py audit_grants`)."""

import importlib

from django.db import migrations, models

append_only = importlib.import_module("sira.audit.migrations.0002_append_only")

SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_no_change ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent",
]


def lift_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def chain_existing(apps, schema_editor):
    from sira.audit import rules

    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev = rules.GENESIS
    for seq, event in enumerate(AuditEvent.objects.order_by("id").iterator(chunk_size=2000), start=1):
        event.ip_address = rules.normal_address(event.ip_address)
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = rules.entry_hash({name: getattr(event, name) for name in rules.HASHED})
        AuditEvent.objects.filter(pk=event.pk).update(
            seq=event.seq, prev_hash=event.prev_hash, hash=event.hash, ip_address=event.ip_address
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(lift_triggers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, editable=False, verbose_name="when"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "created"),
                    ("change", "changed"),
                    ("view_identity", "viewed identity"),
                    ("export", "exported"),
                    ("grant", "shared"),
                    ("login", "logged in"),
                    ("login_failed", "failed login"),
                    ("logout", "logged out"),
                    ("delete", "deleted"),
                    ("access_requested", "requested an access change"),
                    ("access_approved", "approved an access change"),
                    ("access_rejected", "rejected an access change"),
                    ("anchor", "anchored the audit chain"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="sequence"),
        ),
        # Back on, exactly as 0002 put them (and only where 0002 did).
        migrations.RunPython(append_only.forwards, migrations.RunPython.noop),
    ]
