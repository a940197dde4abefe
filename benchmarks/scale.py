"""National-scale benchmark (issue 9): N synthetic cases on PostgreSQL, then the median and p95 of the
pages, exports, registrations and concurrent load that must stay fast at one million cases.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/sira_bench \\
      .venv/bin/python benchmarks/scale.py --cases 20000        # default 100000; --cases 1000000

DATABASE_URL names the server and the scratch database (its name must start with sira_bench): the
database is dropped, created, migrated and filled, and dropped again at the end unless --keep. Every
record is marked synthetic. Identity fields are encrypted by the application's own field code: a pool
of distinct people is encrypted once and its ciphertexts (and name tokens) reused cyclically, so
generation runs at COPY speed. Everything is bounded in time and talks to 127.0.0.1 only."""

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# ruff: noqa: S310, S603, S608 (loopback URLs, our own server command, SQL built from model metadata)
ROOT = Path(__file__).resolve().parents[1]
POOL = 2000  # distinct encrypted people, reused cyclically
CHILD_SHARE = 0.75
GRANT_SHARE = 0.05
YEARS = 5
RUNS = 20


# --- database -------------------------------------------------------------------------------------


def scratch_url() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(
            "benchmarks/scale.py needs PostgreSQL (COPY, concurrent users, production plans); "
            f"DATABASE_URL is {url or 'unset'!r}. Example: "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/sira_bench python benchmarks/scale.py"
        )
    name = parts.path.lstrip("/") or "sira_bench"
    if not name.startswith("sira_bench"):
        sys.exit(
            f"The scratch database is dropped and re-created: its name must start with sira_bench, "
            f"not {name!r}"
        )
    return url, name


def maintenance(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def recreate_database(url: str, name: str) -> None:
    with maintenance(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    with maintenance(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sira.settings_test")
    import django

    django.setup()


def verified_login(client, user) -> None:
    """A session past both factors (password and authenticator code), as after a real login."""
    from sira.testing.auth import force_login

    force_login(client, user)


# --- figures --------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(label: str, times_ms: list[float], extra: str = "") -> None:
    print(f"  {label:44} median {statistics.median(times_ms):8.1f} ms   p95 {p95(times_ms):8.1f} ms  {extra}")


def step(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.perf_counter()


# --- organisations and users ----------------------------------------------------------------------

EXTRA_ORGS = [  # besides the demo landscape: registering organisations across the country
    ("NGO", "ML01", "Kayes"),
    ("NGO", "ML02", "Koulikoro"),
    ("NGO", "ML03", "Sikasso"),
    ("NGO", "ML04", "Ségou"),
    ("PoliceBrigade", "ML05", "Mopti"),
    ("NGO", "ML06", "Tombouctou"),
    ("NGO", "ML07", "Gao"),
    ("PoliceBrigade", "ML08", "Kidal"),
    ("NGO", "ML09", "Bamako"),
    ("LabourInspection", "ML02", "Kati"),
    ("PoliceBrigade", "ML03", "Bougouni"),
    ("NGO", "ML09", "Bamako"),
]


def create_people() -> dict:
    """The demo organisations and one user per role, plus a regional investigator, a national-scope
    investigator and a frontline worker in each extra organisation."""
    from sira.accounts.models import Organisation, Role, Scope, User
    from sira.demo import seed as demo

    spec = demo.load_spec()
    users = demo.seed_organisations_and_users(spec)
    users["bench.region"] = User.objects.create(
        username="bench.region",
        organisation=users["enqueteur"].organisation,
        role=Role.INVESTIGATOR,
        scope=Scope.REGION,
        is_synthetic=True,
    )
    users["bench.national"] = User.objects.create(
        username="bench.national",
        organisation=users["enqueteur.bfmht"].organisation,
        role=Role.INVESTIGATOR,
        scope=Scope.NATIONAL,
        is_synthetic=True,
    )
    registering = [  # (organisation, its registering users, weight)
        (users["gestionnaire"].organisation, [users["gestionnaire"], users["agent.ong"]], 12),
        (users["agent.kayes"].organisation, [users["agent.kayes"]], 8),
        (users["enqueteur"].organisation, [users["enqueteur"]], 10),
        (users["enqueteur.bfmht"].organisation, [users["enqueteur.bfmht"]], 5),
    ]
    for i, (org_type, region, city) in enumerate(EXTRA_ORGS, start=1):
        org = Organisation.objects.create(
            name=f"Organisation synthétique {i} {city} (banc d'essai)",
            acronym=f"SYN{i:02d}",
            org_type=org_type,
            region_id=region,
            city=city,
            is_synthetic=True,
        )
        agent = User.objects.create(
            username=f"bench.agent{i:02d}", organisation=org, role=Role.FRONTLINE, is_synthetic=True
        )
        registering.append((org, [agent], 65 / len(EXTRA_ORGS)))
    return {"spec": spec, "users": users, "registering": registering}


def load_people() -> dict:
    """The users of a kept database (--reuse): the same keys as create_people."""
    from sira.accounts.models import User
    from sira.demo import seed as demo

    return {
        "spec": demo.load_spec(),
        "users": {u.username: u for u in User.objects.select_related("organisation")},
        "registering": [],
    }


# --- generation with COPY -------------------------------------------------------------------------


def copy_text(cursor, model, columns: list[str], chunks) -> None:
    """COPY rows (text format, tab-separated lines already built) into the model's table; columns of
    the model not listed get their field default, so a new column does not break the benchmark."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    missing = [c for c in fields if c not in columns]
    tail = ""
    for column in missing:
        field = fields[column]
        default = field.get_default()
        if default is None or (field.null and default == ""):
            tail += "\t\\N"
        elif isinstance(default, bool):
            tail += "\tt" if default else "\tf"
        elif isinstance(default, (list, dict)):
            tail += "\t" + json.dumps(default)
        else:
            tail += f"\t{default}"
    names = ", ".join(f'"{c}"' for c in [*columns, *missing])
    with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
        for chunk in chunks:
            if tail:
                chunk = chunk.replace("\n", tail + "\n")
            copy.write(chunk)


def encrypted_pool(spec: dict, rng: random.Random) -> list[dict]:
    """POOL distinct synthetic people, encrypted once with the model fields' own code."""
    from sira.cases.models import Person
    from sira.core import names
    from sira.core.crypto import blind_index

    field = {
        name: Person._meta.get_field(name) for name in ("first_name", "last_name", "phone", "birth_date")
    }

    def enc(name, value):
        return field[name].get_prep_value(value) if value not in (None, "") else None

    pool = []
    last_names = spec["last_names"] + spec["last_names_NG"]
    for i in range(POOL):
        female = rng.random() < 0.55
        gender = "Feminine" if female else "Masculine"
        first = rng.choice(spec["first_names"][gender])
        last = rng.choice(last_names)
        if i % 7 == 0:  # more distinct names than the demo lists: a numbered variant
            first = f"{first}{'abcdefghij'[i % 10]}"
        phone = f"+2237{rng.randint(0, 9999999):07d}" if rng.random() < 0.3 else ""
        birth = (
            dt.date(2008, 1, 1) + dt.timedelta(days=rng.randint(0, 9 * 365)) if rng.random() < 0.4 else None
        )
        tokens = names.name_tokens(first, None, last)
        pool.append(
            {
                "gender": gender,
                "first": enc("first_name", first),
                "last": enc("last_name", last),
                "first_index": blind_index(first),
                "last_index": blind_index(last),
                "phone": enc("phone", phone),
                "birth": enc("birth_date", birth),
                "has_birth": birth is not None,
                "tokens": [(k, t) for t, k in tokens.items()],
            }
        )
    return pool


def n(value) -> str:
    return "\\N" if value is None else str(value)


def generate(count: int, people: dict, *, batch: int = 5000) -> dict:
    from django.db import connection

    from sira.accounts.models import Organisation
    from sira.cases.models import Case, CaseGrant, Consent, Exploitation, Person, PersonNameToken, RouteStop
    from sira.core.vocab import terms
    from sira.geo.models import Cercle

    rng = random.Random(2012023)
    spec = people["spec"]
    users = people["users"]
    scenarios = spec["scenarios"]
    weights = [s["weight"] for s in scenarios]
    registering = people["registering"]
    org_weights = [w for _, _, w in registering]
    cercles: dict[str, list[str]] = {}
    for code, region in Cercle.objects.values_list("code", "region_id"):
        cercles.setdefault(region, []).append(code)
    regions = sorted(cercles)
    t0 = time.perf_counter()
    pool = encrypted_pool(spec, rng)
    print(f"  encrypted pool of {POOL} people: {time.perf_counter() - t0:.1f} s", flush=True)
    shelter = users["prestataire"].organisation
    prosecutor = users["procureur"]
    today = dt.date.today()
    start_ids = {
        model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        for model in (Person, Case, Exploitation, RouteStop, Consent, CaseGrant, PersonNameToken)
    }
    # Case numbers continue each organisation's yearly sequence (registrations made before generation).
    counters: dict[tuple[int, int], int] = {}
    for org_id, number in Case.objects.values_list("organisation_id", "case_number"):
        prefix, _, seq = number.rpartition("-")
        year = int(prefix.rsplit("-", 1)[1])
        counters[(org_id, year)] = max(counters.get((org_id, year), 0), int(seq))
    acronyms = dict(Organisation.objects.values_list("pk", "acronym"))
    industry_of = {k: t.htcds_value for k, t in terms("industry_subsector").items()}
    ids = dict(start_ids)
    written = {m.__name__: 0 for m in start_ids}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg 3
        # Generated rows are consistent by construction: no per-row foreign-key triggers while copying,
        # and the secondary indexes are built once at the end rather than row by row.
        cursor.execute("SET session_replication_role = replica")
        indexes = drop_secondary_indexes(cursor)
        for offset in range(0, count, batch):
            buf = {m: io.StringIO() for m in start_ids}
            for i in range(offset, min(count, offset + batch)):
                scenario = rng.choices(scenarios, weights=weights)[0]
                org, agents, _ = rng.choices(registering, weights=org_weights)[0]
                by = rng.choice(agents)
                ident = today - dt.timedelta(days=rng.randint(0, YEARS * 365))
                key = (org.pk, ident.year)
                counters[key] = counters.get(key, 0) + 1
                number = f"{(acronyms[org.pk] or 'ORG').upper()}-{ident.year}-{counters[key]:04d}"
                region = rng.choice(scenario["regions"]) if rng.random() < 0.7 else org.region_id
                region = region if region in cercles else rng.choice(regions)
                cercle = rng.choice(cercles[region])
                age = rng.randint(*scenario["ages"]) if rng.random() < CHILD_SHARE else rng.randint(18, 45)
                p = pool[i % POOL]
                person_id, case_id = ids[Person], ids[Case]
                ids[Person] += 1
                ids[Case] += 1
                nationality = rng.choices(list(scenario["nat"]), weights=list(scenario["nat"].values()))[0]
                stamp = f"{ident.isoformat()} 10:00:00+00"
                buf[Person].write(
                    f"{person_id}\t{org.pk}\t{n(p['first'])}\t{n(p['last'])}\t{p['first_index']}\t"
                    f"{p['last_index']}\t{n(p['birth'])}\t{n(None if p['has_birth'] else age)}\t"
                    f"{p['gender']}\t{nationality}\tbam\t{n(p['phone'])}\tt\t{stamp}\t{stamp}\n"
                )
                for kind, token in p["tokens"]:
                    buf[PersonNameToken].write(f"{ids[PersonNameToken]}\t{person_id}\t{kind}\t{token}\n")
                    ids[PersonNameToken] += 1
                status = rng.choice(["Active"] * 3 + ["FollowUp", "Closed"])
                closure = (
                    rng.choice(["Reintegrated", "ReturnedToFamily", "Repatriated"])
                    if status == "Closed"
                    else ""
                )
                trafficking = rng.choice(["PossibleVictimOfTrafficking"] * 3 + ["ActualVictimOfTrafficking"])
                buf[Case].write(
                    f"{case_id}\t{number}\t{org.pk}\t{person_id}\t{by.pk}\t{by.pk}\t{ident.isoformat()}\t"
                    f"{rng.choice(CONTEXTS)}\t{region}\t{cercle}\t{age}\t{trafficking}\t{status}\t{closure}\t"
                    f"t\t{stamp}\t{stamp}\n"
                )
                subsector = scenario["subsector"] or ""
                industry = industry_of.get(subsector, "") if subsector else ""
                means = rng.sample(scenario["means"], k=rng.randint(1, len(scenario["means"])))
                means_json = "[" + ", ".join(f'"{m}"' for m in means) + "]"
                recruitment = rng.choice(
                    ["ThroughFamilyOrFamilyEvents", "ThroughIntermediary", "ThroughFriendsOrSocialEvents"]
                )
                relationship = rng.choice(["Familial", "Acquainted", "Unaquainted"])
                recruited_at = max(min(age, 17) - rng.randint(0, 2), 3)
                for form in scenario["forms"]:
                    buf[Exploitation].write(
                        f"{ids[Exploitation]}\t{case_id}\t{form}\t{industry}\t{subsector}\t{means_json}\t"
                        f'["{recruitment}"]\t{relationship}\t{recruited_at}\t\\N\t\\N\n'
                    )
                    ids[Exploitation] += 1
                origin_region = rng.choice(regions) if nationality == "ML" else None
                buf[RouteStop].write(
                    f"{ids[RouteStop]}\t{case_id}\t1\tOrigin\t{nationality}\t{n(origin_region)}\t\\N\t\t\\N\n"
                    f"{ids[RouteStop] + 1}\t{case_id}\t2\tIdentification\tML\t{region}\t{cercle}\t\t"
                    f"{ident.isoformat()}\n"
                )
                ids[RouteStop] += 2
                sharing = rng.random() < 0.6
                for purpose, given in (
                    ("Registration", True),
                    ("Sharing", sharing),
                    ("Statistics", rng.random() < 0.9),
                    ("Contact", rng.random() < 0.5),
                ):
                    buf[Consent].write(
                        f"{ids[Consent]}\t{case_id}\t{purpose}\t{'t' if given else 'f'}\t"
                        f"{ident.isoformat()}\t{by.pk}\t\\N\t\\N\n"
                    )
                    ids[Consent] += 1
                if sharing and rng.random() < GRANT_SHARE / 0.6:
                    to_user = rng.random() < 0.25  # a quarter to the prosecutor, the rest to the shelter
                    buf[CaseGrant].write(
                        f"{ids[CaseGrant]}\t{case_id}\t{n(None if to_user else shelter.pk)}\t"
                        f"{n(prosecutor.pk if to_user else None)}\t{by.pk}\tSynthetic referral (benchmark)\t"
                        f"{stamp}\t\\N\n"
                    )
                    ids[CaseGrant] += 1
            for model, columns in TABLES.items():
                copy_text(cursor, model_of(model), columns, [buf[model_of(model)].getvalue()])
            done = min(count, offset + batch)
            if done % (batch * 20) == 0 or done == count:
                print(f"  {done:>9} cases  {time.perf_counter() - t0:6.1f} s", flush=True)
        for model in start_ids:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
            written[model.__name__] = ids[model] - start_ids[model]
        cursor.execute("SET session_replication_role = DEFAULT")
        t1 = time.perf_counter()
        for definition in indexes:
            cursor.execute(definition)
        print(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - t1:.1f} s", flush=True)
    return written


CONTEXTS = [
    "PoliceOperation",
    "FlowMonitoringPoint",
    "BorderPost",
    "Community",
    "LabourInspection",
    "Outreach",
    "Hotline",
]
TABLES = {
    "Person": [
        "id",
        "organisation_id",
        "first_name",
        "last_name",
        "first_name_index",
        "last_name_index",
        "birth_date",
        "estimated_age",
        "gender",
        "citizenships",
        "primary_language",
        "phone",
        "is_synthetic",
        "created_at",
        "updated_at",
    ],
    "PersonNameToken": ["id", "person_id", "kind", "token"],
    "Case": [
        "id",
        "case_number",
        "organisation_id",
        "person_id",
        "identified_by_id",
        "owner_id",
        "identification_date",
        "identification_context",
        "identification_region_id",
        "identification_cercle_id",
        "age_at_identification",
        "trafficking_status",
        "case_status",
        "closure_reason",
        "is_synthetic",
        "created_at",
        "updated_at",
    ],
    "Exploitation": [
        "id",
        "case_id",
        "form",
        "industry",
        "subsector",
        "means_of_control",
        "recruitment_methods",
        "recruiter_relationship",
        "age_at_recruitment",
        "start_date",
        "end_date",
    ],
    "RouteStop": ["id", "case_id", "order", "kind", "country", "region_id", "cercle_id", "locality", "date"],
    "Consent": [
        "id",
        "case_id",
        "purpose",
        "given",
        "recorded_on",
        "recorded_by_id",
        "withdrawn_on",
        "withdrawn_by_id",
    ],
    "CaseGrant": [
        "id",
        "case_id",
        "organisation_id",
        "user_id",
        "granted_by_id",
        "reason",
        "created_at",
        "revoked_at",
    ],
}


def model_of(name: str):
    from django.apps import apps

    return apps.get_model("cases", name)


def drop_secondary_indexes(cursor) -> list[str]:
    """Drop the generated tables' indexes that back no constraint; return their definitions."""
    tables = [model_of(name)._meta.db_table for name in TABLES]
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [tables],
    )
    rows = cursor.fetchall()
    for name, _ in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name in TABLES:
            cursor.execute(f'VACUUM (ANALYZE) "{model_of(name)._meta.db_table}"')


# --- measurements ---------------------------------------------------------------------------------


def timed(client, url: str, runs: int = RUNS) -> tuple[list[float], object]:
    times, response = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, response


def deep_page_url(client) -> tuple[str, str]:
    """Page ~21 by following the list's cursor links (?after=), or ?page=200 if it has none."""
    response = client.get("/cases/")
    html = response.content.decode()
    if "after=" not in html:
        return "/cases/?page=200", "?page=200"
    url = "/cases/"
    for hops in range(20):  # noqa: B007 (reported after the loop)
        links = re.findall(r'href="([^"]*[?&]after=[^"]*)"', html)
        if not links:
            break
        href = links[-1].replace("&amp;", "&")
        url = href if href.startswith("/") else "/cases/" + href
        html = client.get(url).content.decode()
    return url, f"cursor, {hops + 1} next links"


def measure_pages(people: dict, runs: int) -> None:
    from django.test import Client

    from sira.cases import access

    users = people["users"]
    roles = [
        ("case manager", users["gestionnaire"]),
        ("regional investigator", users["bench.region"]),
        ("national scope", users["bench.national"]),
    ]
    for label, user in roles:
        client = Client(HTTP_HOST="127.0.0.1")
        verified_login(client, user)
        print(f"  -- {label} ({user.username}, scope {user.scope})")
        deep, how = deep_page_url(client)
        for name, url, note in [
            ("case list page 1", "/cases/", ""),
            ("deep page", deep, how),
            ("filter form=DomesticServitude", "/cases/?form=DomesticServitude", ""),
            ("name search q=coulibaly", search_url(client, "coulibaly"), "token URL after the POST"),
            ("API list", "/api/v1/cases/", ""),
        ]:
            times, _ = timed(client, url, runs)
            line(name, times, note)
        case = access.visible_cases(user).order_by("-identification_date", "-id").first()
        if case:
            times, _ = timed(client, f"/cases/{case.pk}/", runs)
            line("case detail", times)


def search_url(client, text: str) -> str:
    """The list URL a search leads to: the name is POSTed, and the page that follows carries a
    token standing for it (sira.cases.search), never the name."""
    response = client.post("/cases/", {"q": text})
    assert response.status_code == 303, response.status_code
    return response["Location"]


COPY_SQL = """
COPY (
  SELECT c.case_number, o.name, p.gender, p.citizenships, c.age_at_identification, c.trafficking_status,
         c.status_decider,
         (SELECT string_agg(e.form, ',') FROM cases_exploitation e WHERE e.case_id = c.id),
         (SELECT string_agg(e.industry, ',') FROM cases_exploitation e WHERE e.case_id = c.id),
         (SELECT string_agg(e.means_of_control::text, ',')
            FROM cases_exploitation e WHERE e.case_id = c.id),
         (SELECT string_agg(e.recruitment_methods::text, ',')
            FROM cases_exploitation e WHERE e.case_id = c.id),
         (SELECT string_agg(e.recruiter_relationship, ',') FROM cases_exploitation e WHERE e.case_id = c.id),
         c.case_status, c.identification_date, c.identification_context, r.name_fr
  FROM cases_case c
  JOIN accounts_organisation o ON o.id = c.organisation_id
  JOIN cases_person p ON p.id = c.person_id
  JOIN geo_region r ON r.code = c.identification_region_id
  WHERE c.organisation_id = {org}
     OR EXISTS (SELECT 1 FROM cases_casegrant g WHERE g.case_id = c.id AND g.revoked_at IS NULL
                AND (g.user_id = {user} OR g.organisation_id = {org}))
  ORDER BY c.identification_date DESC, c.id DESC
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def measure_export(people: dict, budget: float) -> None:
    from django.db import connection
    from django.test import Client

    user = people["users"]["gestionnaire"]
    client = Client(HTTP_HOST="127.0.0.1")
    verified_login(client, user)
    print(f"  (as {user.username}; each export stops after {budget:.0f} s if not finished)")
    for fmt in ("labels", "htcds"):
        t0 = time.perf_counter()
        response = client.get(f"/cases/export.csv?format={fmt}")
        rows, complete = -1, True  # the header is not a row
        chunks = response.streaming_content if getattr(response, "streaming", False) else [response.content]
        for chunk in chunks:
            rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
            if time.perf_counter() - t0 > budget:
                complete = False
                break
        if hasattr(response, "close"):
            response.close()
        elapsed = time.perf_counter() - t0
        kind = "streaming" if getattr(response, "streaming", False) else "in memory"
        state = "complete" if complete else "stopped at the time budget"
        print(
            f"  export {fmt:7} {rows:>9} rows in {elapsed:7.2f} s = {rows / elapsed:9.0f} rows/s  "
            f"({kind}, {state})"
        )
    sql = COPY_SQL.format(org=int(user.organisation_id), user=int(user.pk))
    with connection.cursor() as django_cursor:
        t0 = time.perf_counter()
        rows = -1
        with django_cursor.cursor.copy(sql) as copy:
            for data in copy:
                rows += bytes(data).count(b"\n")
        elapsed = time.perf_counter() - t0
    print(f"  COPY of the same columns {rows:>9} rows in {elapsed:7.2f} s = {rows / elapsed:9.0f} rows/s")


def register(people: dict, count: int, seed: int) -> float:
    """Cases per second through services.register_case, as the registration page does it."""
    from sira.cases import services
    from sira.demo import seed as demo

    rng = random.Random(seed)
    spec = people["spec"]
    scenarios = spec["scenarios"]
    weights = [s["weight"] for s in scenarios]
    by = people["users"]["gestionnaire"]
    today = dt.date.today()
    inputs = []
    for _ in range(count):
        data = demo._case_input(rng, spec, rng.choices(scenarios, weights=weights)[0], today)
        if data["case"]["case_status"] == "Closed":
            data["case"]["closure_reason"] = "Reintegrated"
        data["consents"]["Sharing"].pop("organisations", None)
        inputs.append(data)
    t0 = time.perf_counter()
    for data in inputs:
        services.register_case(by=by, synthetic=True, **data)
    return count / (time.perf_counter() - t0)


def register_on_empty(url: str, count: int, seed: int) -> float:
    """Cases per second through register_case on a fresh empty database, in a child process (this
    process's connection stays on the full one)."""
    empty = urlunsplit(urlsplit(url)._replace(path=f"/{urlsplit(url).path.lstrip('/')}_empty"))
    result = subprocess.run(
        [sys.executable, __file__, "--register-empty", str(count), "--seed", str(seed)],
        env={**os.environ, "DATABASE_URL": empty},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def register_empty_child(url: str, name: str, count: int, seed: int) -> None:
    recreate_database(url, name)
    setup_django()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        people = create_people()
        print(register(people, count, seed=seed))
    finally:
        drop_database(url, name)


def explain_jit(people: dict) -> None:
    """The case manager's list page query and the name search, EXPLAIN ANALYZE with JIT on and off."""
    from django.db import connection

    from sira.cases import access, search
    from sira.cases.filters import CaseFilter

    user = people["users"]["gestionnaire"]
    base = search.for_list(access.visible_cases(user))
    queries = {
        "list page 1": CaseFilter({}, queryset=base).qs[:25],
        "list count": None,
        "name search": CaseFilter({"q": "coulibaly"}, queryset=base).qs[:25],
    }
    with connection.cursor() as cursor:
        for name, qs in queries.items():
            if qs is None:
                sql, params = CaseFilter({}, queryset=base).qs.query.sql_with_params()
                sql = f"SELECT count(*) FROM ({sql}) AS counted"
            else:
                sql, params = qs.query.sql_with_params()
            figures = []
            for jit in ("on", "off"):
                cursor.execute(f"SET jit = {jit}")
                best = None
                for _ in range(3):
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                    plan = cursor.fetchone()[0]
                    plan = plan[0] if isinstance(plan, list) else plan
                    total = plan["Planning Time"] + plan["Execution Time"]
                    jit_ms = plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0)
                    if best is None or total < best[0]:
                        best = (total, jit_ms)
                figures.append(f"jit={jit}: {best[0]:8.1f} ms (JIT {best[1]:6.1f} ms)")
            print(f"  {name:14} " + "   ".join(figures))
        cursor.execute("SET jit = off")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, workers: int):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        # Persistent connections, as in production (sira/settings.py): the test settings open one per
        # request, which costs PostgreSQL a new backend each time.
        "SIRA_TEST_CONN_MAX_AGE": "60",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if gunicorn.exists():
        cmd = [str(gunicorn), "sira.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
        cmd += ["--timeout", "60", "--log-level", "warning"]
        kind = f"gunicorn, {workers} workers"
    else:
        cmd = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        kind = "manage.py runserver --noreload (threaded; gunicorn is not installed)"
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
            return server, port, kind
        except urllib.error.HTTPError:
            return server, port, kind
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("the local server did not start")


def stop_server(server) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def concurrent(
    people: dict, database_url: str, threads: int, requests: int, workers: int, budget: float
) -> None:
    from django.conf import settings
    from django.test import Client

    users = [people["users"][u] for u in ("gestionnaire", "bench.region", "bench.national")]
    cookies = []
    for user in users:
        client = Client()
        verified_login(client, user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    server, port, kind = start_server(database_url, workers)
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + budget

    def worker(i: int, requests: int = requests, times: list = times) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/cases/", headers={"Cookie": cookies[i % len(cookies)]}
        )
        for _ in range(requests):
            if time.monotonic() > deadline:
                return
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                    # urllib follows redirects: a lost session would time the login page instead.
                    ok = response.status == 200 and "/login" not in response.geturl()
                    if not ok:
                        with lock:
                            errors.append(f"{response.status} {response.geturl()}")
            except OSError as exc:
                ok = False
                with lock:
                    errors.append(str(exc))
            with lock:
                if ok:
                    times.append((time.perf_counter() - t0) * 1000)

    try:
        # Warm-up, not timed: every worker process serves its first requests (templates compiled,
        # catalogues read, database connection opened) before the timed run, as a running server has.
        warm = [threading.Thread(target=worker, args=(i, 3, []), daemon=True) for i in range(threads)]
        for t in warm:
            t.start()
        for t in warm:
            t.join(timeout=budget)
        errors.clear()
        pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
        t0 = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=budget + 70)
        elapsed = time.perf_counter() - t0
    finally:
        stop_server(server)
    print(
        f"  server: {kind} on 127.0.0.1:{port}; "
        f"{threads} threads x up to {requests} requests, 3 users in turn"
    )
    if times:
        print(
            f"  {len(times)} responses in {elapsed:.1f} s ({len(times) / elapsed:.1f}/s): "
            f"p50 {statistics.median(times):.0f} ms   p95 {p95(times):.0f} ms   errors {len(errors)}"
        )
    else:
        print(f"  no successful response; errors: {errors[:3]}")


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per page (default 20)")
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--requests", type=int, default=15, help="requests per thread (default 15)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--export-seconds", type=float, default=60.0, help="time budget per export")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database kept by --keep (no generation; kept)"
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate and keep the database, measure nothing"
    )
    parser.add_argument("--register-empty", type=int, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()

    url, name = scratch_url()
    if args.register_empty:
        return register_empty_child(url, name, args.register_empty, args.seed)
    started = time.perf_counter()
    if not args.reuse:
        recreate_database(url, name)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    empty_rate = None
    try:
        if args.reuse:
            people = load_people()
            analyse()
        else:
            t = step(f"database {name}: migrate")
            call_command("migrate", verbosity=0)
            with connection.cursor() as cursor:
                cursor.execute("SHOW jit")
                print(
                    f"  migrated in {time.perf_counter() - t:.1f} s; "
                    f"jit for Sira's connections: {cursor.fetchone()[0]}"
                )
            people = create_people()

            step(f"registration on the empty database ({args.registrations} cases)")
            empty_rate = register(people, args.registrations, seed=1)
            print(f"  {empty_rate:.1f} cases/s")

            t = step(f"generating {args.cases} synthetic cases with COPY")
            written = generate(args.cases, people)
            analyse()
            elapsed = time.perf_counter() - t
            print(
                f"  {args.cases / elapsed:.0f} cases/s; " + ", ".join(f"{k} {v}" for k, v in written.items())
            )
        from sira.cases.models import Case, CaseGrant

        if args.generate_only:
            args.keep = True
            return
        total = Case.objects.count()
        for label, user in (
            ("case manager", people["users"]["gestionnaire"]),
            ("regional investigator", people["users"]["bench.region"]),
        ):
            from sira.cases import access

            print(f"  {label} sees {access.visible_cases(user).count()} of {total} cases")
        print(f"  active grants: {CaseGrant.objects.filter(revoked_at__isnull=True).count()}")

        step(f"pages, {args.runs} runs each (Django test client, in process)")
        measure_pages(people, args.runs)

        step("EXPLAIN ANALYZE, jit on / off (best of 3, planning + execution)")
        explain_jit(people)

        step("CSV export throughput")
        measure_export(people, args.export_seconds)

        step(f"registration at {total} cases beside an empty database ({args.registrations} cases each)")
        # Rounds alternate between a fresh empty database (a child process) and this one, so that
        # the machine's load at the time weighs on both sides of the ratio alike.
        rounds = 4
        empty_rates, full_rates = [], []
        for n in range(rounds):
            empty_rates.append(register_on_empty(url, args.registrations // rounds, seed=10 + n))
            full_rates.append(register(people, args.registrations // rounds, seed=20 + n))
        empty, full = statistics.median(empty_rates), statistics.median(full_rates)
        print(f"  empty database, {rounds} rounds: " + ", ".join(f"{r:.1f}" for r in empty_rates))
        print(f"  at {total} cases, {rounds} rounds: " + ", ".join(f"{r:.1f}" for r in full_rates))
        print(f"  median {full:.1f} cases/s (empty database: {empty:.1f}/s, ratio {empty / full:.2f}x)")
        if empty_rate:
            print(f"  (before generation, on this database while empty: {empty_rate:.1f}/s)")

        step(f"{args.threads} concurrent users on the case list")
        from django.db import connections

        connections.close_all()
        concurrent(people, url, args.threads, args.requests, args.workers, budget=120.0)
    finally:
        if args.keep or args.reuse:
            print(f"\nkept database {name}")
        else:
            drop_database(url, name)
            print(f"\ndropped database {name}")
        print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
