"""Issue 10, item 10: `rotate_keys` re-encrypts every identity value under a new field key and rebuilds
the keyed search tokens under a new blind-index key, while the old keys keep the system working, in
resumable batches; afterwards the old keys can be removed and nothing is lost."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from sira.cases.models import Case, Person, PersonNameToken
from sira.cases.search import search_cases
from sira.core import keys
from sira.screening import importer
from sira.screening.models import ImportSegment, QuarantinedRow
from sira.screening.tests.test_import import as_csv, row
from sira.testing.factories import CaseFactory


def raw_values(column):
    table = connection.ops.quote_name(column.model._meta.db_table)
    name = connection.ops.quote_name(column.model._meta.get_field(column.field).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM {table} WHERE {name} IS NOT NULL")  # noqa: S608
        return [bytes(v) if column.binary else v.encode() for (v,) in cursor.fetchall() if v]


def readable_only_with(key: bytes) -> bool:
    f = Fernet(key)
    for column in keys.encrypted_columns():
        for token in raw_values(column):
            f.decrypt(token)  # raises InvalidToken if another key encrypted it
    return True


SURNAMES = ["Coulibaly", "Diarra", "Traoré", "Keïta", "Sangaré", "Koné", "Diallo"]


@pytest.fixture(autouse=True)
def fresh_keys():
    """Every test starts and ends with the fields reading the configured keys."""
    _forget_cached_keys()
    yield
    _forget_cached_keys()


@pytest.fixture
def data(awa):
    cases = [CaseFactory(by=awa, first_name="Mariam", last_name=name) for name in SURNAMES]
    Case.objects.filter(pk=cases[0].pk).update(narrative=None)
    services_case = cases[1]
    services_case.narrative = "Récit"
    services_case.save()
    content = as_csv([row("k1"), row("k2", **{"profile-screened_on": "bad"})])
    batch = importer.start_import(by=awa, file_name="k.csv", content=content)  # a pending segment
    importer.run(importer.start_import(by=awa, file_name="k2.csv", content=content))
    assert ImportSegment.objects.exclude(rows=b"").exists() and batch
    return cases


def test_rotation_re_encrypts_everything_in_batches_and_the_old_key_can_go(data, awa, settings):
    old = settings.SIRA_FIELD_ENCRYPTION_KEYS[0].encode()
    new = Fernet.generate_key()
    settings.SIRA_FIELD_ENCRYPTION_KEYS = [new.decode(), old.decode()]  # new first, old still decrypts
    _forget_cached_keys()
    # While both keys are configured, everything reads and new writes use the new key.
    assert Person.objects.get(pk=data[2].person_id).first_name == "Mariam"
    CaseFactory(by=awa, first_name="Awa", last_name="Nouvelle")
    assert keys.rotate_field_keys(dry_run=True, report=lambda _: None) > 0
    lines = []
    rotated = keys.rotate_field_keys(batch_size=3, report=lines.append)
    assert rotated > 0 and any("cases.Person.first_name" in line for line in lines)
    assert keys.rotate_field_keys(dry_run=True, report=lambda _: None) == 0  # nothing left: resumable
    assert readable_only_with(new)
    settings.SIRA_FIELD_ENCRYPTION_KEYS = [new.decode()]  # the old key removed
    _forget_cached_keys()
    assert sorted(Person.objects.values_list("last_name", flat=True)) == sorted([*SURNAMES, "Nouvelle"])
    assert Case.objects.get(pk=data[1].pk).narrative == "Récit"
    assert all(q.raw for q in QuarantinedRow.objects.all())
    batch = importer.run(importer.ImportBatch.objects.filter(finished_at=None).get())  # pending segment
    assert batch.counts()["needs_fix"] == 1


def test_a_write_between_read_and_rotation_is_not_overwritten(data, settings):
    old = settings.SIRA_FIELD_ENCRYPTION_KEYS[0]
    settings.SIRA_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    _forget_cached_keys()
    column = next(c for c in keys.encrypted_columns() if c.label == "cases.Person.last_name")
    original = keys.fernet().rotate

    def rotate_while_a_worker_saves(token):
        person = Person.objects.get(pk=data[0].person_id)
        if person.last_name != "Changée":
            person.last_name = "Changée"
            person.save()
        return original(token)

    keys.fernet = lambda: type("F", (), {"rotate": staticmethod(rotate_while_a_worker_saves)})()
    try:
        keys.rotate_column(column, batch_size=100)
    finally:
        del keys.fernet
        from sira.core import crypto

        keys.fernet = crypto.fernet
    assert Person.objects.get(pk=data[0].person_id).last_name == "Changée"


def test_blind_index_rotation_keeps_search_working_throughout(data, awa, settings):
    person = data[3].person
    old = settings.SIRA_BLIND_INDEX_KEY
    settings.SIRA_BLIND_INDEX_KEY = f"{'b' * 64},{old}"  # a new key first; tokens still under the old one
    visible = Case.objects.all()
    assert list(search_cases(visible, "Keita")) == [data[3]]  # found through the old key's tokens
    call_command("rotate_keys", "--blind-index", "--batch-size", "2", stdout=io.StringIO())
    settings.SIRA_BLIND_INDEX_KEY = "b" * 64  # the old key removed
    assert list(search_cases(visible, "Keita")) == [data[3]]
    assert list(search_cases(visible, "keyta mariam")) == [data[3]]
    tokens = set(PersonNameToken.objects.filter(person=person).values_list("token", flat=True))
    from sira.core import names

    assert set(names.name_tokens("Mariam", "Keita")) == tokens
    # Re-importing a quarantined row still finds it (its keyed hash was rebuilt too).
    before = QuarantinedRow.objects.count()
    importer.run(
        importer.start_import(
            by=awa, file_name="again.csv", content=as_csv([row("k2", **{"profile-screened_on": "bad"})])
        )
    )
    assert QuarantinedRow.objects.count() == before


def _forget_cached_keys():
    """Identity fields cache their MultiFernet (cached_property on the field): drop it after a change."""
    for column in keys.encrypted_columns():
        field = column.model._meta.get_field(column.field)
        field.__dict__.pop("keys", None)
        field.__dict__.pop("f", None)
