import django.db.models.deletion
from django.db import migrations, models


def to_segments(apps, schema_editor):
    """Each batch's file is parsed once more, into segments that also take its report; the file goes."""
    from sira.screening.importer import SEGMENT_ROWS, ImportFileError, _pack, read_table

    ImportBatch = apps.get_model("screening", "ImportBatch")
    ImportSegment = apps.get_model("screening", "ImportSegment")
    for batch in ImportBatch.objects.all():
        try:
            header, rows = read_table(batch.file_name, bytes(batch.content))
        except ImportFileError:
            header, rows = [], []
        report = batch.report or []
        count = max(len(rows), len(report))
        for number, start in enumerate(range(0, count, SEGMENT_ROWS)):
            end = start + SEGMENT_ROWS
            pending = batch.finished_at is None and end > batch.processed_rows
            ImportSegment.objects.create(
                batch=batch,
                number=number,
                rows=_pack(header, rows[start:end]) if pending else b"",
                report=report[start:end],
            )


class Migration(migrations.Migration):
    """Imports are parsed once: the uploaded file is no longer kept, only its data rows in segments."""

    dependencies = [("screening", "0004_load_question_bank")]

    operations = [
        migrations.CreateModel(
            name="ImportSegment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                ("rows", models.BinaryField(default=b"")),
                ("report", models.JSONField(default=list)),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="segments",
                        to="screening.importbatch",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("batch", "number"), name="one_segment_number")
                ],
            },
        ),
        migrations.RunPython(to_segments, migrations.RunPython.noop),
        migrations.RemoveField(model_name="importbatch", name="content"),
        migrations.RemoveField(model_name="importbatch", name="report"),
    ]
