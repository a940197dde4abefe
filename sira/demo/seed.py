"""Synthetic demo data: organisations, one user per role, and a few hundred cases spread like the
reports describe (mostly children; gold mines, domestic servitude, forced begging…). Deterministic and
idempotent: a second run changes nothing."""

import base64
import datetime as dt
import random
from pathlib import Path

import yaml
from django.db import transaction

from sira.accounts import twofactor
from sira.accounts.models import Organisation, User
from sira.cases import services
from sira.cases.models import Case
from sira.cases.rules import age_at_identification, is_child
from sira.core.vocab import terms
from sira.geo.models import Cercle

DEMO_FILE = Path(__file__).parent / "data" / "demo.yaml"
CONTEXTS = [
    "PoliceOperation",
    "FlowMonitoringPoint",
    "BorderPost",
    "Community",
    "LabourInspection",
    "Outreach",
    "Hotline",
]


def load_spec() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def seed_organisations_and_users(spec: dict) -> dict[str, User]:
    orgs = {}
    for item in spec["organisations"]:
        fields = {k: v for k, v in item.items() if k not in ("key", "name", "region")}
        orgs[item["key"]], _ = Organisation.objects.get_or_create(
            name=item["name"], defaults={**fields, "region_id": item["region"], "is_synthetic": True}
        )
    users = {}
    for item in spec["users"]:
        user, created = User.objects.get_or_create(
            username=item["username"],
            defaults={
                "organisation": orgs[item["org"]],
                "role": item["role"],
                "is_staff": item.get("staff", False),
                "is_superuser": item.get("staff", False),
                "is_synthetic": True,
            },
        )
        if created:
            user.set_password(spec["password"])
            user.save(update_fields=["password"])
        twofactor.seed_demo_authenticator(user, demo_key_hex(spec))
        users[item["username"]] = user
    return users


def demo_key_hex(spec: dict) -> str:
    """The documented demo authenticator key (base32 in demo.yaml) as django-otp stores it."""
    return base64.b32decode(spec["totp_key"]).hex()


def _pick_weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _case_input(rng: random.Random, spec: dict, scenario: dict, today: dt.date) -> dict:
    nationality = _pick_weighted(rng, scenario["nat"])
    female = rng.random() < scenario["female"]
    gender = "Feminine" if female else "Masculine"
    if nationality == "NG" and female:
        first, last = rng.choice(spec["first_names"]["Feminine_NG"]), rng.choice(spec["last_names_NG"])
    else:
        first, last = rng.choice(spec["first_names"][gender]), rng.choice(spec["last_names"])
    age = rng.randint(*scenario["ages"])
    identified = today - dt.timedelta(days=rng.randint(0, 3 * 365))
    region = rng.choice(scenario["regions"])
    cercles = list(Cercle.objects.filter(region_id=region).values_list("code", flat=True))
    # A birth date that makes the person exactly `age` at identification (365-day years would make some
    # a year younger, and their age at recruitment then comes after the identification).
    birth = (
        identified - dt.timedelta(days=int(age * 365.25) + rng.randint(1, 300))
        if rng.random() < 0.4
        else None
    )
    subsector = scenario["subsector"]
    exploitation = {
        "forms": scenario["forms"],
        "means_of_control": rng.sample(scenario["means"], k=rng.randint(1, len(scenario["means"]))),
        "recruitment_methods": [
            rng.choice(["ThroughFamilyOrFamilyEvents", "ThroughIntermediary", "ThroughFriendsOrSocialEvents"])
        ],
        "recruiter_relationship": rng.choice(["Familial", "Acquainted", "Unaquainted"]),
        "age_at_recruitment": min(age, max(age - rng.randint(0, 2), 3)),  # never after identification
    }
    if subsector:
        exploitation |= {
            "subsector": subsector,
            "industry": terms("industry_subsector")[subsector].htcds_value,
        }
    origin_country = nationality if nationality != "ML" else "ML"
    cercle = rng.choice(cercles)
    route = [
        {"kind": "Origin", "country": origin_country, "region": None, "cercle": None, "locality": ""},
        # Exploited where identified (the commonest case; no draw, so the demo stays as it was).
        {"kind": "Exploitation", "country": "ML", "region_id": region, "cercle_id": cercle, "locality": ""},
        {"kind": "Identification", "country": "ML", "region_id": region, "cercle_id": cercle, "locality": ""},
    ]
    if origin_country == "ML":
        route[0] |= {"region_id": rng.choice(["ML01", "ML02", "ML03", "ML04", "ML05"]), "region": None}
    route = [{k: v for k, v in stop.items() if v is not None} for stop in route]
    return {
        "person": {
            "first_name": first,
            "last_name": last,
            "birth_date": birth,
            "estimated_age": None if birth else age,
            "gender": gender,
            "citizenships": [nationality],
            "primary_language": {"NG": "bin", "BF": "mos"}.get(nationality, "bam"),
            "phone": f"+2237{rng.randint(0, 9999999):07d}" if rng.random() < 0.3 else "",
        },
        "case": {
            "identification_date": identified,
            "identification_context": rng.choice(CONTEXTS),
            "identification_region_id": region,
            "trafficking_status": rng.choice(
                ["PossibleVictimOfTrafficking"] * 3 + ["ActualVictimOfTrafficking"]
            ),
            "case_status": rng.choice(["Active"] * 3 + ["FollowUp", "Closed"]),
        },
        "exploitation": exploitation,
        "route": route,
        "consents": {
            "Registration": {"given": True},
            "Sharing": {"given": rng.random() < 0.6},
            "Statistics": {"given": rng.random() < 0.9},
            "Contact": {"given": rng.random() < 0.5},
        },
    }


def seed_cases(spec: dict, users: dict[str, User], count: int, today: dt.date | None = None) -> int:
    if Case.objects.filter(is_synthetic=True).exists():
        return 0
    today = today or dt.date.today()
    rng = random.Random(2012023)  # seeded: the same demo every time (law 2012-023)
    scenarios = spec["scenarios"]
    weights = [s["weight"] for s in scenarios]
    registrars = [users[name] for name in spec["registrars"]]
    shelter = users["prestataire"].organisation
    prosecutor = users["procureur"]
    with transaction.atomic():
        for n in range(count):
            data = _case_input(rng, spec, rng.choices(scenarios, weights=weights)[0], today)
            age = age_at_identification(
                birth_date=data["person"]["birth_date"],
                estimated_age=data["person"]["estimated_age"],
                identification_date=data["case"]["identification_date"],
            )
            if n % 40 == 7 and is_child(age):
                # A child whose guardian refused registration, kept on the child's best interest.
                data["consents"]["Registration"] = {
                    "given": False,
                    "legal_basis": "ChildBestInterest",
                    "justification": "Démo : enfant seul, tuteur injoignable, protection immédiate.",
                }
            if data["case"]["case_status"] == "Closed":
                data["case"]["closure_reason"] = rng.choice(
                    ["Reintegrated", "ReturnedToFamily", "Repatriated"]
                )
            by = rng.choice(registrars)
            sharing = data["consents"]["Sharing"]
            if sharing["given"]:  # the person agreed to share with the shelter and the prosecutor
                sharing["organisations"] = [shelter, prosecutor.organisation]
            case = services.register_case(by=by, synthetic=True, **data)
            # Sharing only where the person consented to it with that organisation: the service asks
            # `sharing_basis` and refuses any other grant (no urgent reason is invented for the demo).
            if sharing["given"] and rng.random() < 0.4:
                services.grant_access(case, by=by, organisation=shelter, reason="Demo referral to shelter")
            if sharing["given"] and rng.random() < 0.15:
                services.grant_access(case, by=by, user=prosecutor, reason="Demo: case under investigation")
    return count


def seed_screenings(users: dict[str, User], count: int, today: dt.date | None = None) -> int:
    """Synthetic screenings: most anonymous (flow-monitoring points, borders), some attached to cases."""
    from sira.screening import engine
    from sira.screening.models import Screening
    from sira.screening.services import current_catalogue, demo_value

    if Screening.objects.filter(is_synthetic=True).exists():
        return 0
    today = today or dt.date.today()
    rng = random.Random(2023)
    version = current_catalogue()
    catalogue = version.catalogue
    form_ids = [f["id"] for f in catalogue.forms]
    screeners = [users[name] for name in ("agent.ong", "agent.kayes", "enqueteur")]
    with transaction.atomic():
        for n in range(count):
            by = rng.choice(screeners)
            age = rng.choice([None, *range(8, 30)])
            forms = rng.sample(form_ids, k=rng.randint(0, 2))
            questions = catalogue.questions(child=is_child(age), forms=forms)
            answered = rng.sample(questions, k=min(len(questions), rng.randint(8, 25)))
            profile = rng.random()
            if profile < 0.25:  # nothing found
                answers = {i.id: demo_value(i, "no") for i in answered}
            else:
                answers = {i.id: demo_value(i, rng.choice(["yes", "no", "no", "unknown"])) for i in answered}
            if profile > 0.6:  # a clear picture: an act, recruitment means, exploitation, coercion
                strong = [
                    "ACT-01",
                    "ILO-D1-01",
                    "ILO-D1-02",
                    "ILO-D4-01",
                    "ILO-D4-02",
                    "ILO-D5-01",
                    "ILO-D5-02",
                    *("C-ARRANGED", "C-PROMISES", "C-HOURS", "C-PAY", "C-DOCS", "C-VIOLENCE"),  # 2026.2 on
                ]
                asked = {i.id: i for i in questions}
                answers |= {i: demo_value(asked[i], "yes") for i in strong if i in asked}
            urgent = ["URG-UNACCOMPANIED"] if age is not None and age < 15 and rng.random() < 0.3 else []
            screening = Screening.objects.create(
                catalogue=version,
                organisation=by.organisation,
                screened_by=by,
                screened_on=today - dt.timedelta(days=rng.randint(0, 365)),
                status=Screening.Status.COMPLETE,
                gender=rng.choice(["Feminine", "Masculine"]),
                age=age,
                nationality=rng.choice(["ML", "ML", "NE", "BF", "GN", "NG"]),
                region_id=rng.choice(["ML01", "ML05", "ML07", "ML03"]),
                context=rng.choice(["FlowMonitoringPoint", "BorderPost", "LabourInspection"]),
                suspected_forms=forms,
                answers=answers,
                urgent=urgent,
                is_synthetic=True,
            )
            screening.result = engine.score(catalogue, answers, age=age, forms=forms, urgent=urgent)
            screening.outcome = screening.result["outcome"]
            if n % 5 == 0:
                screening.case = Case.objects.filter(organisation=by.organisation).order_by("id")[n // 5]
            screening.save(update_fields=["result", "outcome", "case"])
    return count


def seed_justice(users: dict[str, User], today: dt.date | None = None) -> int:
    """Synthetic investigations, prosecutions and verdicts, through the justice services: the BPMC and
    BFMHT investigators open investigations on cases their brigade registered, the Pôle's prosecutor
    charges and judges. Idempotent (nothing is added once a synthetic investigation exists)."""
    from sira.justice import services as justice
    from sira.justice.models import Investigation

    if Investigation.objects.filter(is_synthetic=True).exists():
        return 0
    today = today or dt.date.today()
    rng = random.Random(2024027)  # seeded (loi 2024-027)
    prosecutor = users["procureur"]
    court = prosecutor.organisation
    created = 0
    plans = [
        # (investigator, agency, operation, forms, days ago opened, suspects, prosecute, outcomes)
        ("enqueteur", "BPMC", "Complaint", ["DomesticServitude"], 500, 2, True, ["convicted", "acquitted"]),
        (
            "enqueteur",
            "BPMC",
            "JointMiningSite",
            ["ForcedLabour", "ChildLabour"],
            420,
            3,
            True,
            ["convicted", "convicted", "pending"],
        ),
        ("enqueteur", "BPMC", "Referral", ["ForcedBeggingKoranic"], 300, 1, True, ["dropped"]),
        (
            "enqueteur.bfmht",
            "BFMHT",
            "BorderCheck",
            ["SexualExploitation"],
            380,
            2,
            True,
            ["convicted", "pending"],
        ),
        ("enqueteur.bfmht", "BFMHT", "JointMiningSite", ["SexualExploitation"], 120, 1, False, []),
        ("enqueteur", "BPMC", "Complaint", ["DescentBasedSlavery"], 60, 1, False, []),
    ]
    first = ["Moussa", "Seydou", "Aminata", "Boubacar", "Hawa", "Drissa", "Mariam"]
    last = ["Sangaré", "Dembélé", "Cissé", "Doumbia", "Sissoko", "Kanté", "Touré"]
    with transaction.atomic():
        for n, (who, agency, operation, forms, ago, n_suspects, prosecute, outcomes) in enumerate(plans):
            by = users[who]
            opened_on = today - dt.timedelta(days=ago)
            cases = list(
                Case.objects.filter(
                    organisation=by.organisation, is_synthetic=True, identification_date__lte=opened_on
                ).order_by("-identification_date")[n : n + 2]
            )
            region = cases[0].identification_region_id if cases else by.organisation.region_id
            inv = justice.open_investigation(
                by=by,
                agency=agency,
                opened_on=opened_on,
                region_id=region,
                forms=forms,
                operation_type=operation,
                cases=cases,
                synthetic=True,
            )
            suspects = [
                justice.add_suspect(
                    inv,
                    by=by,
                    synthetic=True,
                    data={
                        "first_name": rng.choice(first),
                        "last_name": rng.choice(last),
                        "gender": rng.choice(["Masculine", "Feminine"]),
                        "nationality": rng.choice(["ML", "ML", "NG", "BF"]),
                        "roles": [rng.choice(["RecruiterOrIntermediary", "Exploiter", "Transporter"])],
                        "is_public_official": n == 1
                        and i == 0,  # one official (a site supervisor) in the demo
                    },
                )
                for i in range(n_suspects)
            ]
            created += 1
            if not prosecute:
                continue
            pros = justice.open_prosecution(
                inv,
                by=by,
                organisation=court,
                court="SpecializedJudicialPole",
                court_reference=f"RP-DEMO-{n + 1:03d}",
                opened_on=opened_on + dt.timedelta(days=40),
                synthetic=True,
            )
            justice.add_hearing(
                pros, by=prosecutor, date=pros.opened_on + dt.timedelta(days=30), kind="FirstAppearance"
            )
            code = {"ForcedBeggingKoranic": "L2012-023.ART3"}.get(forms[0], "L2012-023.TIP")
            if "ChildLabour" in forms:
                code = "L2012-023.TIP-AGG"
            for suspect, outcome in zip(suspects, outcomes, strict=False):
                charge = justice.add_charge(
                    pros,
                    by=prosecutor,
                    suspect=suspect,
                    article_code=code,
                    offence_date=opened_on - dt.timedelta(days=20),
                )
                if outcome == "pending":
                    continue
                decided = pros.opened_on + dt.timedelta(days=150)
                sentence = (
                    {"prison_months": rng.choice([36, 72, 96, 144])} if outcome == "convicted" else None
                )
                justice.record_outcome(
                    pros,
                    by=prosecutor,
                    charge=charge,
                    outcome=outcome,
                    outcome_date=decided,
                    dropped_reason="ComplaintWithdrawn" if outcome == "dropped" else "",
                    sentence=sentence,
                )
    return created


def seed_directory(spec: dict) -> int:
    """The synthetic service directory (demo.yaml `directory`), marked synthetic. Idempotent."""
    from sira.referrals.models import ServiceOffering

    if ServiceOffering.objects.filter(is_synthetic=True).exists():
        return 0
    orgs = {item["key"]: Organisation.objects.get(name=item["name"]) for item in spec["organisations"]}
    with transaction.atomic():
        for item in spec["directory"]:
            ServiceOffering.objects.create(
                organisation=orgs[item["org"]],
                service=item["service"],
                name=item["name"],
                sexes=item.get("sexes", []),
                age_min=item.get("age_min"),
                age_max=item.get("age_max"),
                forms=item.get("forms", []),
                region_id=item["region"],
                cercle_id=item.get("cercle"),
                latitude=item.get("lat"),
                longitude=item.get("lon"),
                hours=item.get("hours", ""),
                contact=item.get("contact", ""),
                capacity_total=item.get("total"),
                capacity_in_use=item.get("in_use", 0),
                is_synthetic=True,
            )
    return len(spec["directory"])


def _consent_to(case, organisation, by) -> None:
    """The worker records the person's consent to share with the provider (as a worker would, before
    referring): the earlier organisations stay."""
    current = services.current_consents(case).get("Sharing")
    orgs = {o.pk for o in current.organisations.all()} if current is not None and current.active else set()
    if organisation.pk not in orgs:
        services.record_consent(
            case, by=by, purpose="Sharing", given=True, organisations=[*orgs, organisation.pk]
        )


def seed_referrals(users: dict[str, User], today: dt.date | None = None) -> int:
    """A few synthetic referrals in every state, sent and answered through the referral services (the
    same rules as the pages: consent, eligibility, transitions)."""
    from django.utils import timezone

    from sira.referrals import services as referrals
    from sira.referrals.models import Referral, ServiceOffering

    if Referral.objects.filter(is_synthetic=True).exists():
        return 0
    sender = users["gestionnaire"]
    cases = Case.objects.filter(organisation=sender.organisation, case_status="Active").select_related(
        "person"
    )
    women = list(cases.filter(person__gender="Feminine").order_by("id")[:40])
    boys = [
        c
        for c in cases.filter(person__gender="Masculine").order_by("id")[:40]
        if c.age_at_identification and 8 <= c.age_at_identification <= 17
    ]
    offer = {
        (o.organisation.acronym, o.service): o for o in ServiceOffering.objects.select_related("organisation")
    }
    now = timezone.now()
    plan = [
        # (case, provider, service, days ago, steps, receiver username)
        (women, "KANUYA", "Shelter", 0, [], "prestataire"),
        (women, "KANUYA", "Shelter", 3, ["accept", "start"], "prestataire"),
        (women, "KANUYA", "Psychosocial", 20, ["accept", "start", "complete"], "prestataire"),
        (women, "JDKAYES", "Psychosocial", 12, [], "prestataire.kayes"),  # no answer: overdue
        (boys, "CAOE", "FamilyTracing", 6, ["accept"], "prestataire.centre"),
        (boys, "EAMOPTI", "Shelter", 9, ["decline:no_capacity"], "prestataire.mopti"),
        (women, "CSREF5", "Medical", 4, ["withdraw"], "prestataire.sante"),
        (boys, "SPE", "ChildProtection", 15, ["decline:not_for_profile"], "protection.enfance"),
    ]
    made = 0
    with transaction.atomic():
        for pool, acronym, service, days, steps, receiver in plan:
            offering = offer.get((acronym, service))
            if not pool or offering is None:
                continue
            case = pool.pop(0)
            _consent_to(case, offering.organisation, sender)
            if referrals.send_errors(
                case,
                by=sender,
                offering=offering,
                service=service,
                shared_fields=referrals.default_packet(service),
                urgent=False,
                urgent_reason="",
            ):
                continue
            sent = now - dt.timedelta(days=days, hours=2)
            referral = referrals.send_referral(
                case,
                by=sender,
                offering=offering,
                service=service,
                shared_fields=referrals.default_packet(service),
                synthetic=True,
                now=sent,
            )
            worker = users[receiver]
            for step in steps:
                name, _sep, reason = step.partition(":")
                when = sent + dt.timedelta(hours=20)
                if name == "accept":
                    referrals.accept_referral(referral, by=worker, case_worker=worker, now=when)
                elif name == "decline":
                    referrals.decline_referral(referral, by=worker, reason=reason, now=when)
                elif name == "withdraw":
                    referrals.withdraw_referral(referral, by=sender)
                else:
                    referrals.TRANSITION_SERVICES[name](referral, by=worker)
                referral.refresh_from_db()
            made += 1
    return made


DUPLICATE_CASES = 4


def seed_duplicates(users: dict[str, User], today: dt.date | None = None) -> int:
    """One person registered by two organisations (the NGO and the BPMC brigade, in Bamako: the NGO's
    case page warns of a probable match at the brigade, without saying who), and one person registered
    twice in the NGO (its page offers the merge). Through the registry's service. Idempotent."""
    numbers = ["DEMO-DOUBLON-1", "DEMO-DOUBLON-2", "DEMO-DOUBLON-3", "DEMO-DOUBLON-4"]
    if Case.objects.filter(case_number__in=numbers).exists():
        return 0
    today = today or dt.date.today()
    cercle = "ML0901"
    plan = [
        # (number, registered by, first, middle, last, age, days ago)
        (numbers[0], "enqueteur", "Aminata", "Sékou", "Kulibali", 14, 40),
        (numbers[1], "gestionnaire", "Aminatou", "Sekou", "Coulibaly", 15, 2),
        (numbers[2], "gestionnaire", "Fatoumata", "", "Diarra", 12, 30),
        (numbers[3], "agent.ong", "Fatimata", "", "Jara", 12, 1),
    ]
    with transaction.atomic():
        for number, username, first, middle, last, age, days in plan:
            services.register_case(
                by=users[username],
                synthetic=True,
                person={
                    "first_name": first,
                    "middle_name": middle,
                    "last_name": last,
                    "gender": "Feminine",
                    "estimated_age": age,
                    "citizenships": ["ML"],
                },
                case={
                    "case_number": number,
                    "identification_date": today - dt.timedelta(days=days),
                    "identification_context": "Community",
                    "identification_region_id": "ML09",
                    "identification_cercle_id": cercle,
                },
                exploitation={"forms": ["DomesticServitude"]},
                route=[{"kind": "Identification", "country": "ML", "region_id": "ML09", "cercle_id": cercle}],
                consents={"Registration": {"given": True}},
            )
    return len(plan)


DEMO_PLAN_CODE = "PAN-DEMO"


@transaction.atomic
def seed_coordination(users: dict[str, User], today: dt.date | None = None) -> int:
    """The synthetic coordination demo: actors, a national plan imported from a workbook, reports,
    meetings and decisions, projects and labour inspections, all through the coordination coordination.
    Idempotent: nothing is added once the demo plan exists."""
    from sira.coordination import importer
    from sira.coordination import services as coordination
    from sira.coordination.models import Activity, Actor, Plan
    from sira.geo.models import Region

    if Plan.objects.filter(code=DEMO_PLAN_CODE).exists():
        return 0
    today = today or dt.date.today()
    secretariat = users["statisticien"]
    orgs = {o.acronym: o for o in Organisation.objects.filter(is_synthetic=True)}
    member_orgs = {
        "CNCLTP": "government",
        "ESPOIR": "ngo",
        "BPMC": "government",
        "OIPD": "un",
        "ITKAYES": "government",
    }
    actors = {}
    for acronym, kind in member_orgs.items():
        org = orgs[acronym]
        actors[acronym] = coordination.save_actor(
            by=secretariat,
            data={
                "name": org.name,
                "acronym": acronym,
                "kind": kind,
                "organisation": org,
                "region": org.region,
                "committee_member": acronym != "ITKAYES",
            },
            synthetic=True,
        )
    for acronym, name, kind, member in (
        ("MPFEF", "Ministère de la Promotion de l'Enfant et de la Famille (démo)", "government", True),
        ("BAILLEUR", "Coopération bilatérale partenaire (démo)", "donor", False),
        ("AGENCE-NU", "Agence des Nations unies pour l'enfance (démo)", "un", False),
    ):
        actors[acronym] = coordination.save_actor(
            by=secretariat,
            data={
                "name": name,
                "acronym": acronym,
                "kind": kind,
                "region": Region.objects.get(pk="ML09"),
                "committee_member": member,
            },
            synthetic=True,
        )

    def d(days):
        return today + dt.timedelta(days=days)

    first, last = today.year - 3, today.year + 1
    rows = {
        "plan": [[DEMO_PLAN_CODE, f"Plan d'action national {first}–{last} (démo)", first, last, "", ""]],
        "objectives": [
            ["1.1", "prevention", "Sensibiliser les communautés des zones de départ"],
            ["1.2", "prevention", "Former les acteurs de première ligne"],
            ["2.1", "protection", "Améliorer la prise en charge des victimes"],
            ["3.1", "prosecution", "Poursuivre et juger les auteurs"],
            ["4.1", "partnership", "Coordonner l'action nationale"],
        ],
        "activities": [
            [
                "1.1.1",
                "1.1",
                "Émissions radio en bambara et peul sur la traite, Mopti",
                "awareness",
                "ESPOIR",
                "",
                "ML05",
                "ML0501",
                d(-120),
                d(60),
                6_000_000,
                "donor",
                "Coopération bilatérale partenaire (démo)",
            ],
            [
                "1.1.2",
                "1.1",
                "Causeries communautaires dans les villages d'orpaillage",
                "awareness",
                "JDKAYES",
                "ESPOIR",
                "ML01",
                "ML0101",
                d(-200),
                d(-30),
                4_500_000,
                "ngo",
                "",
            ],
            [
                "1.2.1",
                "1.2",
                "Formation des OPJ sur la loi n° 2012-023",
                "training",
                "CNCLTP",
                "BPMC",
                "ML09",
                "",
                d(-90),
                d(30),
                8_000_000,
                "state",
                "",
            ],
            [
                "1.2.2",
                "1.2",
                "Formation des inspecteurs du travail à l'identification",
                "training",
                "ITKAYES",
                "",
                "ML01",
                "ML0101",
                d(-60),
                d(-10),
                3_000_000,
                "state",
                "",
            ],
            [
                "2.1.1",
                "2.1",
                "Renforcer le centre d'accueil de Bamako",
                "other",
                "KANUYA",
                "",
                "ML09",
                "",
                d(-300),
                d(200),
                25_000_000,
                "mixed",
                "",
            ],
            [
                "2.1.2",
                "2.1",
                "Ouvrir un centre d'accueil à Gao",
                "other",
                "",
                "",
                "ML07",
                "",
                d(30),
                d(400),
                40_000_000,
                "none",
                "",
            ],
            [
                "3.1.1",
                "3.1",
                "Formation des magistrats du pôle spécialisé",
                "training",
                "PJS",
                "CNCLTP",
                "ML09",
                "",
                d(-150),
                d(-100),
                5_000_000,
                "donor",
                "Coopération bilatérale partenaire (démo)",
            ],
            [
                "4.1.1",
                "4.1",
                "Réunions mensuelles du Comité national",
                "other",
                "CNCLTP",
                "",
                "ML09",
                "",
                d(-330),
                d(30),
                2_000_000,
                "state",
                "",
            ],
        ],
        "indicators": [
            [
                "I1.1",
                "1.1",
                "Personnes sensibilisées",
                "personnes",
                0,
                first - 1,
                *[5000 * (i + 1) for i in range(last - first + 1)],
            ],
            [
                "I1.2",
                "1.2",
                "Acteurs formés",
                "personnes",
                120,
                first - 1,
                *[100 * (i + 1) for i in range(last - first + 1)],
            ],
            [
                "I3.1",
                "3.1",
                "Condamnations pour traite",
                "jugements",
                3,
                first - 1,
                *[5 + 2 * i for i in range(last - first + 1)],
            ],
        ],
    }
    workbook = importer.workbook_from_rows(rows, target_years=range(first, last + 1))
    plan = coordination.import_plan(workbook, by=secretariat, language="fr", synthetic=True)
    activities = {a.code: a for a in Activity.objects.filter(objective__plan=plan)}

    def report(code, user, **data):
        coordination.report_activity(activities[code], by=users[user], data=data, today=today)

    report(
        "1.1.2",
        "prestataire.kayes",
        as_of=d(-35),
        status="completed",
        actual_start=d(-195),
        actual_end=d(-35),
        amount_spent=4_200_000,
        girls=320,
        boys=280,
        women=410,
        men=190,
        channels=["community_meeting"],
        evidence="Listes de présence des causeries (synthétiques)",
    )
    report(
        "1.2.1",
        "statisticien",
        as_of=d(-15),
        status="in_progress",
        actual_start=d(-80),
        amount_spent=3_500_000,
        participants_female=12,
        participants_male=28,
        audience_types=["police"],
        topics=["law_2012_023", "identification"],
    )
    report(
        "1.2.2",
        "agent.kayes",
        as_of=d(-40),
        status="in_progress",
        actual_start=d(-55),
        amount_spent=900_000,
        participants_female=3,
        participants_male=9,
        audience_types=["labour_inspectors"],
        topics=["identification", "child_labour"],
    )
    report(
        "2.1.1",
        "prestataire",
        as_of=d(-150),
        status="in_progress",
        actual_start=d(-290),
        amount_spent=11_000_000,
        girls=46,
        women=12,
    )
    report(
        "3.1.1",
        "procureur",
        as_of=d(-98),
        status="completed",
        actual_start=d(-140),
        actual_end=d(-100),
        amount_spent=4_800_000,
        participants_female=6,
        participants_male=14,
        audience_types=["magistrates"],
        topics=["law_2012_023", "child_protection_armed_conflict"],
    )
    report(
        "4.1.1",
        "statisticien",
        as_of=d(-20),
        status="in_progress",
        actual_start=d(-320),
        amount_spent=1_200_000,
    )

    members = [a for a in actors.values() if a.committee_member]
    present = [actors[k] for k in ("CNCLTP", "ESPOIR", "BPMC")]
    earlier = coordination.record_meeting(
        by=secretariat,
        date=d(-60),
        title="Session ordinaire du Comité national",
        place="Bamako",
        present=[*present, actors["MPFEF"]],
        absent=[actors["OIPD"]],
    )
    coordination.add_decision(
        earlier,
        by=secretariat,
        text="Désigner une organisation responsable du centre d'accueil de Gao",
        owner=actors["MPFEF"],
        due=d(-5),
    )
    meeting = coordination.record_meeting(
        by=secretariat,
        date=d(-25),
        title="Session ordinaire du Comité national",
        place="Bamako",
        present=present,
        absent=[m for m in members if m not in present],
    )
    coordination.add_decision(
        meeting,
        by=secretariat,
        text="Transmettre les rapports d'activité du trimestre",
        owner=actors["ESPOIR"],
        due=d(10),
    )
    closed = coordination.add_decision(
        meeting,
        by=secretariat,
        text="Partager le calendrier des formations",
        owner=actors["CNCLTP"],
        due=d(-10),
    )
    coordination.close_decision(closed, by=secretariat, note="Calendrier diffusé", on=d(-12))

    regions = {r.code: r for r in Region.objects.all()}
    for title, actor, donor, forms, axes, codes, budget, start, end in (
        (
            "Retour et réinsertion des enfants des sites d'orpaillage",
            "AGENCE-NU",
            "BAILLEUR",
            ["ChildLabour", "ForcedLabour"],
            ["protection"],
            ["ML01", "ML03"],
            180_000_000,
            -400,
            300,
        ),
        (
            "Lutte contre la mendicité forcée des talibés",
            "ESPOIR",
            "BAILLEUR",
            ["ForcedBeggingKoranic"],
            ["prevention", "protection"],
            ["ML05", "ML04", "ML09"],
            45_000_000,
            -200,
            500,
        ),
        (
            "Appui aux enquêtes et aux poursuites",
            "CNCLTP",
            "BAILLEUR",
            ["SexualExploitation", "ForcedLabour"],
            ["prosecution"],
            ["ML09", "ML01"],
            60_000_000,
            -100,
            600,
        ),
        (
            "Prévenir le recrutement d'enfants par les groupes armés",
            "OIPD",
            "",
            ["ArmedForcesRecruitment"],
            ["prevention", "protection"],
            ["ML07", "ML08", "ML05"],
            90_000_000,
            -300,
            200,
        ),
    ):
        coordination.save_project(
            by=secretariat,
            data={
                "title": title,
                "actor": actors[actor],
                "donor": actors.get(donor),
                "forms": forms,
                "axes": axes,
                "regions": [regions[c] for c in codes],
                "start": d(start),
                "end": d(end),
                "budget": budget,
            },
            synthetic=True,
        )

    inspector = users["agent.kayes"]
    cercles = {c.code: c for c in Cercle.objects.filter(region_id="ML01")}
    for days, cercle, sector, worksite, cl, fl, imposed, collected, removed, referred in (
        (-20, "ML0101", "artisanal_gold_mining", True, 5, 1, 3, 1, 7, 6),
        (-45, "ML0106", "artisanal_gold_mining", True, 3, 0, 2, 2, 4, 4),
        (-80, "ML0101", "domestic_work", False, 1, 0, 0, 0, 1, 1),
        (-120, "ML0102", "agriculture", True, 2, 0, 1, 0, 2, 1),
        (-400, "ML0101", "artisanal_gold_mining", True, 4, 2, 2, 1, 5, 3),
        (-430, "ML0105", "herding", True, 1, 1, 0, 0, 0, 0),
        (-700, "ML0101", "artisanal_gold_mining", True, 2, 0, 0, 0, 2, 1),
    ):
        coordination.record_inspection(
            by=inspector,
            data={
                "date": d(days),
                "cercle": cercles.get(cercle) or next(iter(cercles.values())),
                "sector": sector,
                "at_worksite": worksite,
                "child_labour_violations": cl,
                "forced_labour_violations": fl,
                "penalties_imposed": imposed,
                "penalties_collected": collected,
                "children_removed": removed,
                "children_referred": referred,
            },
            today=today,
        )
    return Actor.objects.filter(is_synthetic=True).count()


INTEROP_CASES = 40  # the partner's file imported by seed_interop


def seed_interop(users: dict[str, User], count: int = INTEROP_CASES) -> int:
    """A small SYNTHETIC HTCDS file (invented names) imported through the bulk import, as a partner's
    records would arrive; idempotent by the import's source keys. Returns the cases created."""
    import csv
    import tempfile

    from sira.interop import services as interop

    rng = random.Random(13)
    first = ["Awa", "Mariam", "Oumou", "Moussa", "Seydou", "Hawa", "Bakary", "Kadiatou"]
    last = ["Traoré", "Coulibaly", "Diarra", "Keïta", "Sangaré", "Diallo", "Touré", "Cissé"]
    forms = ["DomesticServitude", "ForcedBeggingKoranic", "ForcedLabour", "SexualExploitation"]
    by = users["agent.ong"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo-htcds.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(
                [
                    "sira_SourceRecordId",
                    "prs_FirstName",
                    "prs_SecondName",
                    "prs_Gender",
                    "prs_Citizenship",
                    "vic_AgeAtIdentification",
                    "sira_TypeOfExploitation",
                    "sira_IdentificationDate",
                    "sira_IdentificationRegion",
                ]
            )
            for i in range(count):
                year = rng.choice((2024, 2025))
                writer.writerow(
                    [
                        f"DEMO-PARTNER-{i}",
                        rng.choice(first),
                        rng.choice(last),
                        rng.choice(("Feminine", "Masculine")),
                        rng.choice(("ML", "ML", "BF", "GN")),
                        rng.randint(8, 30),
                        rng.choice(forms),
                        f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        rng.choice(("ML01", "ML05", "ML09")),
                    ]
                )
        result = interop.import_file(
            path, fmt="htcds", organisation=by.organisation, by=by, synthetic=True, refresh=False
        )
    return result.imported
