"""Bulk insertion (sira.core.bulk): what goes in by COPY reads back exactly as a save would give it,
an encrypted column gets its own ciphertext per row even for equal values, and audit entries
inserted in bulk keep the chain whole. Runs on PostgreSQL (COPY) and SQLite (bulk_create)."""

import datetime as dt
import gc

import pytest
from django.db import connection, transaction

from sira.audit.models import AuditEvent
from sira.audit.rules import Head
from sira.audit.services import events, verify_chain
from sira.core import bulk
from sira.screening.models import Screening
from sira.screening.services import current_catalogue

pytestmark = pytest.mark.django_db


def screening(user, **changes):
    values = {
        "catalogue": current_catalogue(),
        "organisation": user.organisation,
        "screened_by": user,
        "screened_on": dt.date(2026, 11, 2),
        "gender": "Feminine",
        "age": 14,
        "nationality": "ML",
        "departure_country": "BF",
        "region_id": "ML01",
        "suspected_forms": ["forced_begging"],
        "answers": {"C-PAY": "as_agreed", "C-WHO": ["relative"]},
        "result": {"outcome": "some", "note": "élève coranique, Kayes — « talibé »"},
        "outcome": "some",
        "justification": "Même texte",
        "source": Screening.Source.XLSFORM,
    }
    return Screening(**(values | changes))


def test_rows_inserted_in_bulk_read_back_as_given(awa):
    made = bulk.insert(Screening, [screening(awa), screening(awa, nationality="", age=None)])
    assert all(s.pk for s in made)
    first, second = (Screening.objects.get(pk=s.pk) for s in made)
    assert (first.nationality.code, first.departure_country.code, second.nationality.code) == ("ML", "BF", "")
    assert (first.age, second.age, first.screened_on) == (14, None, dt.date(2026, 11, 2))
    assert first.answers == {"C-PAY": "as_agreed", "C-WHO": ["relative"]}
    assert first.result["note"] == "élève coranique, Kayes — « talibé »"
    assert first.suspected_forms == ["forced_begging"]
    assert first.justification == second.justification == "Même texte"
    assert first.created_at is not None  # auto_now_add is set as on a save


def test_equal_values_of_an_encrypted_column_get_different_ciphertexts(awa):
    made = bulk.insert(Screening, [screening(awa), screening(awa)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT justification FROM screening_screening WHERE id IN (%s, %s)", [made[0].pk, made[1].pk]
        )
        stored = [bytes(r[0]) if isinstance(r[0], memoryview) else r[0] for r in cursor.fetchall()]
    assert len(stored) == 2 and stored[0] != stored[1]
    assert all("Même" not in str(value) for value in stored)


def test_audit_entries_written_in_bulk_keep_the_chain_whole(awa):
    made = bulk.insert(Screening, [screening(awa) for _ in range(5)])
    AuditEvent.objects.bulk_create(events(AuditEvent.Action.CREATE, awa, made, batch=1))
    entries = AuditEvent.objects.filter(object_type="screening.screening").order_by("seq")
    assert [e.object_id for e in entries] == [str(s.pk) for s in made]
    assert isinstance(verify_chain(), Head)


def test_instances_made_while_copying_are_all_written_with_their_keys(awa):
    made_along = []
    # Made before (nothing may query the database while the copy runs), handed over one by one.
    ready = [screening(awa, age=age) for age in (9, 12, 15)]

    def made():  # the screening import scores each row as the copy asks for it
        for obj in ready:
            made_along.append(obj.age)
            yield obj

    stored = bulk.insert(Screening, made(), count=3)
    assert made_along == [9, 12, 15] and len({s.pk for s in stored}) == 3
    assert [Screening.objects.get(pk=s.pk).age for s in stored] == [9, 12, 15]


def test_a_count_that_does_not_match_the_instances_writes_nothing(awa):
    before = Screening.objects.count()
    with pytest.raises(ValueError), transaction.atomic():
        bulk.insert(Screening, [screening(awa), screening(awa)], count=3)
    assert Screening.objects.count() == before


def test_the_collector_settings_come_back_after_a_bulk_job_even_when_it_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), bulk.fewer_collections(threshold=12_345):
        assert gc.get_threshold()[0] == 12_345 and gc.get_freeze_count() > 0
        raise RuntimeError
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_query_made_while_copying_is_refused_not_left_waiting(awa):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no COPY: the instances are all made before the insert")

    def made():
        yield screening(awa, catalogue=current_catalogue())  # a query inside the copy
        yield screening(awa, catalogue=current_catalogue())

    before = Screening.objects.count()
    with pytest.raises(RuntimeError, match="may not query"), transaction.atomic():
        bulk.insert(Screening, made(), count=2)
    assert Screening.objects.count() == before
