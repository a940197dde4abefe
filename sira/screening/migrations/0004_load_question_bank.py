from django.db import migrations


def load(apps, schema_editor):
    from sira.screening.loaders import load_bank

    load_bank(apps.get_model("screening", "CatalogueVersion"))


class Migration(migrations.Migration):
    """Catalogue 2026.2, the question bank, becomes current. Screenings made with 2026.1 keep it."""

    dependencies = [("screening", "0003_outcome_insufficient")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
