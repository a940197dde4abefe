from django.db import migrations


def load(apps, schema_editor):
    from sira.justice.loaders import load as load_catalogue

    load_catalogue(apps.get_model("justice", "LegalArticle"))


class Migration(migrations.Migration):
    dependencies = [("justice", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
