"""The upgrade rehearsal: a database at the previous release's migrations, seeded with that release's
models, migrated forward to the running code, and the data checked (sira/ops/tests/test_upgrade.py
runs it on a scratch database; docs/deploy.md, "Upgrades").

The previous release is the state of the first tagged-in-spirit release of 22 November 2026 (commit
7755fbb, "Screening pages, XLSForm…"): the repository has no tags yet; the test checks that these are
exactly the migrations that commit shipped. Rows are written with the *historical* models of that
state (what the old code would have written), never with today's models."""

import datetime as dt
import json

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

PREVIOUS_RELEASE_COMMIT = "7755fbb"
PREVIOUS_RELEASE = [
    ("accounts", "0001_initial"),
    ("audit", "0002_append_only"),
    ("cases", "0001_initial"),
    ("geo", "0002_load_units"),
    ("screening", "0002_load_shipped_catalogue"),
]
NAME = ("Fatoumata", "Diakité")
PHONE = "+22376001122"
OLD_NUMBER = "tsta-2026-0007"  # release 1 accepted lower case; cases/0002 puts numbers in capitals


def migrate_to_previous_release() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS_RELEASE)


def seed_previous_release() -> dict:
    """Rows as release 1 wrote them, through its historical models."""
    old = MigrationExecutor(connection).loader.project_state(PREVIOUS_RELEASE).apps
    Organisation = old.get_model("accounts", "Organisation")
    User = old.get_model("accounts", "User")
    Person = old.get_model("cases", "Person")
    Case = old.get_model("cases", "Case")
    Exploitation = old.get_model("cases", "Exploitation")
    Consent = old.get_model("cases", "Consent")
    AuditEvent = old.get_model("audit", "AuditEvent")
    Region = old.get_model("geo", "Region")

    kayes = Region.objects.get(pk="ML01")
    org = Organisation.objects.create(name="ONG Ancienne", acronym="TSTA", org_type="NGO", region=kayes)
    user = User.objects.create(
        username="ancien.gestionnaire",
        password=make_password("release-one-password"),
        organisation=org,
        role="case_manager",
        scope="organisation",
    )
    person = Person.objects.create(
        first_name=NAME[0],
        last_name=NAME[1],
        phone=PHONE,
        gender="Feminine",
        estimated_age=14,
        organisation=org,
    )
    case = Case.objects.create(
        case_number=OLD_NUMBER,
        identification_date=dt.date(2026, 11, 20),
        identification_context="Outreach",
        identification_region=kayes,
        identified_by=user,
        owner=user,
        organisation=org,
        person=person,
        narrative="Rencontrée au marché de Kayes.",
    )
    Exploitation.objects.create(case=case, form="DomesticServitude", means_of_control=["DebtBondage"])
    Consent.objects.create(
        case=case, purpose="Registration", given=True, recorded_on=case.identification_date, recorded_by=user
    )
    for action in ("login", "create", "view_identity"):
        AuditEvent.objects.create(
            actor=user,
            actor_username=user.username,
            organisation_id=org.pk,
            action=action,
            object_type="cases.case",
            object_id=str(case.pk),
        )
    return {"case": case.pk, "person": person.pk, "user": user.pk}


def migrate_forward() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def check_after_upgrade(ids: dict) -> dict:
    """What the upgraded database holds, read with today's models and services."""
    from sira.accounts.models import User
    from sira.audit import rules as audit_rules
    from sira.audit import services as audit
    from sira.audit.models import AuditEvent
    from sira.cases import search, services
    from sira.cases.models import Case, CaseNumberCounter, PersonNameToken

    case = Case.objects.select_related("person", "organisation").get(pk=ids["case"])
    user = User.objects.get(pk=ids["user"])
    chain = audit.verify_chain()
    # Found by part of the name without its accent: the name tokens cases/0002 built from the old rows.
    found = list(search.search_cases(Case.objects.all(), "diakite fatou").values_list("pk", flat=True))
    return {
        "case_number": case.case_number,
        "name": [case.person.first_name, case.person.last_name],
        "phone": case.person.phone,
        "narrative": case.narrative,
        "forms": list(case.exploitations.values_list("form", flat=True)),
        "consents": list(case.consents.values_list("purpose", "given")),
        "version": case.version,
        "name_tokens": PersonNameToken.objects.filter(person=case.person).count(),
        "search": found,
        "counter": list(
            CaseNumberCounter.objects.filter(organisation=case.organisation).values_list("year", "last")
        ),
        "next_number": services.next_case_number(case.organisation, 2026),
        "password_ok": user.check_password("release-one-password"),
        "chain": "intact" if not isinstance(chain, audit_rules.Break) else audit.describe(chain),
        "chain_entries": chain.count if not isinstance(chain, audit_rules.Break) else None,
        "audit_seqs": list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)),
    }


def rehearse() -> None:
    """Run inside `django.setup()` against an EMPTY scratch database; prints the report as JSON."""
    migrate_to_previous_release()
    ids = seed_previous_release()
    migrate_forward()
    print(json.dumps(check_after_upgrade(ids), ensure_ascii=False))
