"""PostgreSQL only: the export's two passes read one snapshot; the import writes through COPY."""

import pytest
from django.db import connection

from sira.cases.models import PersonNameToken
from sira.core import names
from sira.interop import export, services
from sira.interop.tests import helpers

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_reads_one_snapshot(tmp_path, importer_user, monkeypatch):
    seen = []
    real = export.open_data

    def spy(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            seen.append(cursor.fetchone()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "open_data", spy)
    services.export_open_data(tmp_path / "out.csv", fmt="ctdc", by=importer_user)
    assert seen == ["repeatable read"]


@postgres_only
@pytest.mark.django_db
def test_copy_writes_the_same_tokens(tmp_path, importer_user):
    path = helpers.write(
        tmp_path / "in.csv", [helpers.row(i, first="Kadidiatou", last="N'Diaye") for i in range(3)]
    )
    assert (
        services.import_file(
            path, fmt="htcds", organisation=importer_user.organisation, by=importer_user
        ).imported
        == 3
    )
    wanted = set(names.name_tokens("Kadidiatou", None, "N'Diaye"))
    for person_id in PersonNameToken.objects.values_list("person_id", flat=True).distinct():
        assert (
            set(PersonNameToken.objects.filter(person_id=person_id).values_list("token", flat=True)) == wanted
        )
