# The name tokens gain the TYPO kind (sira.core.names.deletions): every person's are rebuilt once.
from django.db import migrations


def rebuild(apps, schema_editor):
    from sira.cases.search import rebuild_name_tokens

    rebuild_name_tokens(apps.get_model("cases", "Person"), apps.get_model("cases", "PersonNameToken"))


class Migration(migrations.Migration):
    dependencies = [("duplicates", "0001_initial")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
