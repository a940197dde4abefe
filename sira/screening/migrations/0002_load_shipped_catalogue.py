from django.db import migrations


def load(apps, schema_editor):
    from sira.screening.loaders import load_shipped

    load_shipped(apps.get_model("screening", "CatalogueVersion"))


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
