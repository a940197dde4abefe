"""Enforcement statistics for a reporting period, in the shape of the annual trafficking reports.

`enforcement()` is pure: it counts plain rows (as `collect()` reads them from the database, or as a
test writes them by hand). Definitions, for a period [start, end] (both inclusive):
- an investigation is NEW if opened within the period, CONTINUED if opened before the start and not
  closed before it (open on the start date, or closed during the period);
- a prosecution is INITIATED or CONTINUED by the same rule (opened_on / closed_on);
- DEFENDANTS are (prosecution, suspect) pairs: a suspect is counted once per prosecution, however many
  charges they face in it, and again in another prosecution;
- a defendant is CONVICTED in the period if at least one of their charges in that prosecution was
  decided "convicted" within the period (once, whatever the number of convicted charges);
- the sentence of a convicted defendant is their longest prison term actually to be served (prison
  minus suspended) among the convicted charges, or life;
- forms of exploitation and region are the investigation's (a prosecution and its defendants take
  their investigation's); an investigation with two forms counts once under each form;
- officials: suspects marked as public officials, investigated (in investigations new or continued),
  prosecuted (defendants initiated or continued) and convicted (in the period);
- the attrition funnel follows the victims (cases) identified in the period: how many are linked to
  an investigation, to a prosecution from it, to a conviction in it (at any date up to the period's
  end), with the median days identification → investigation → prosecution → first conviction.
Small-cell suppression is applied by the statistics layer, not here."""

import datetime as dt
import statistics as pystats
from collections import defaultdict
from dataclasses import dataclass, field

from sira.justice.choices import Outcome

SENTENCE_BANDS = (
    # (code, lowest months served, highest excluded)
    ("none", 0, 1),  # suspended in full, or fine only
    ("under_1y", 1, 12),
    ("1y_5y", 12, 60),
    ("5y_10y", 60, 120),
    ("10y_plus", 120, None),
)


BREAKDOWN_KEYS = (
    "investigations_new",
    "investigations_continued",
    "prosecutions_initiated",
    "defendants_initiated",
    "prosecutions_continued",
    "convicted",
)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def contains(self, day) -> bool:
        return day is not None and self.start <= day <= self.end

    def new(self, opened_on) -> bool:
        return self.contains(opened_on)

    def continued(self, opened_on, closed_on) -> bool:
        return opened_on < self.start and (closed_on is None or closed_on >= self.start)

    def active(self, opened_on, closed_on) -> bool:
        return self.new(opened_on) or self.continued(opened_on, closed_on)


@dataclass
class Rows:
    """What the counts read. Dates are datetime.date; ids any hashable."""

    investigations: list[dict] = field(default_factory=list)  # id, opened_on, closed_on, region, forms
    suspects: list[dict] = field(default_factory=list)  # id, investigation, official
    prosecutions: list[dict] = field(default_factory=list)  # id, investigation, opened_on, closed_on
    charges: list[dict] = field(default_factory=list)  # prosecution, suspect, outcome, outcome_date,
    #                                                     prison_months, suspended_months, life
    victims: list[dict] = field(default_factory=list)  # case, identified_on, investigations: [ids]


def sentence_band(served_months: int, life: bool) -> str:
    if life:
        return "life"
    for code, low, high in SENTENCE_BANDS:
        if served_months >= low and (high is None or served_months < high):
            return code
    return "none"


def _median(values):
    return pystats.median(values) if values else None


def enforcement(period: Period, rows: Rows) -> dict:
    inv = {i["id"]: i for i in rows.investigations}
    pros = {p["id"]: p for p in rows.prosecutions}
    official = {s["id"] for s in rows.suspects if s.get("official")}

    new_inv = {i for i, r in inv.items() if period.new(r["opened_on"])}
    cont_inv = {i for i, r in inv.items() if period.continued(r["opened_on"], r["closed_on"])}
    new_pros = {p for p, r in pros.items() if period.new(r["opened_on"])}
    cont_pros = {p for p, r in pros.items() if period.continued(r["opened_on"], r["closed_on"])}

    defendants = defaultdict(set)  # prosecution -> suspects
    convicted = {}  # (prosecution, suspect) -> (served, life)
    acquitted = set()
    for c in rows.charges:
        pair = (c["prosecution"], c["suspect"])
        defendants[c["prosecution"]].add(c["suspect"])
        if c["outcome"] == Outcome.CONVICTED and period.contains(c["outcome_date"]):
            served = max((c.get("prison_months") or 0) - (c.get("suspended_months") or 0), 0)
            life = bool(c.get("life"))
            best = convicted.get(pair, (0, False))
            convicted[pair] = (max(best[0], served), best[1] or life)
        elif c["outcome"] == Outcome.ACQUITTED and period.contains(c["outcome_date"]):
            acquitted.add(pair)
    acquitted -= set(convicted)

    def pairs(prosecution_ids):
        return {(p, s) for p in prosecution_ids for s in defendants.get(p, ())}

    new_def, cont_def = pairs(new_pros), pairs(cont_pros)
    bands = defaultdict(int)
    for served, life in convicted.values():
        bands[sentence_band(served, life)] += 1

    def inv_of_pros(p):
        return inv.get(pros[p]["investigation"], {}) if p in pros else {}

    def breakdown(key):
        out = defaultdict(lambda: defaultdict(int))

        def keys_of(investigation):
            value = investigation.get(key)
            return value if isinstance(value, list | tuple) else ([value] if value else [])

        for i in new_inv:
            for k in keys_of(inv[i]):
                out[k]["investigations_new"] += 1
        for i in cont_inv:
            for k in keys_of(inv[i]):
                out[k]["investigations_continued"] += 1
        for p in new_pros:
            for k in keys_of(inv_of_pros(p)):
                out[k]["prosecutions_initiated"] += 1
                out[k]["defendants_initiated"] += len(defendants.get(p, ()))
        for p in cont_pros:
            for k in keys_of(inv_of_pros(p)):
                out[k]["prosecutions_continued"] += 1
        for p, _s in convicted:
            for k in keys_of(inv_of_pros(p)):
                out[k]["convicted"] += 1
        return {k: {name: v.get(name, 0) for name in BREAKDOWN_KEYS} for k, v in sorted(out.items())}

    active_inv = new_inv | cont_inv
    investigated_officials = {
        s["id"] for s in rows.suspects if s["id"] in official and s["investigation"] in active_inv
    }

    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "investigations": {"new": len(new_inv), "continued": len(cont_inv)},
        "prosecutions": {
            "initiated": len(new_pros),
            "continued": len(cont_pros),
            "defendants_initiated": len(new_def),
            "defendants_continued": len(cont_def),
        },
        "convictions": {"defendants": len(convicted), "acquitted_defendants": len(acquitted)},
        "sentences": {code: bands.get(code, 0) for code, *_ in SENTENCE_BANDS}
        | {"life": bands.get("life", 0)},
        "by_form": breakdown("forms"),
        "by_region": breakdown("region"),
        "officials": {
            "investigated": len(investigated_officials),
            "prosecuted": len({pair for pair in new_def | cont_def if pair[1] in official}),
            "convicted": len({pair for pair in convicted if pair[1] in official}),
        },
        "funnel": funnel(period, rows),
    }


def funnel(period: Period, rows: Rows) -> dict:
    inv = {i["id"]: i for i in rows.investigations}
    pros_by_inv = defaultdict(list)
    for p in rows.prosecutions:
        if p["opened_on"] <= period.end:
            pros_by_inv[p["investigation"]].append(p)
    first_conviction = {}  # prosecution -> earliest conviction date up to the period's end
    for c in rows.charges:
        day = c["outcome_date"]
        if c["outcome"] == Outcome.CONVICTED and day is not None and day <= period.end:
            prev = first_conviction.get(c["prosecution"])
            first_conviction[c["prosecution"]] = day if prev is None else min(prev, day)

    identified = investigated = prosecuted = convicted = 0
    to_inv, to_pros, to_conv = [], [], []
    for v in rows.victims:
        if not period.contains(v["identified_on"]):
            continue
        identified += 1
        linked = [inv[i] for i in v["investigations"] if i in inv and inv[i]["opened_on"] <= period.end]
        if not linked:
            continue
        investigated += 1
        inv_open = min(i["opened_on"] for i in linked)
        to_inv.append(max((inv_open - v["identified_on"]).days, 0))
        prosecutions = [p for i in linked for p in pros_by_inv.get(i["id"], [])]
        if not prosecutions:
            continue
        prosecuted += 1
        pros_open = min(p["opened_on"] for p in prosecutions)
        to_pros.append((pros_open - inv_open).days)
        convictions = [first_conviction[p["id"]] for p in prosecutions if p["id"] in first_conviction]
        if not convictions:
            continue
        convicted += 1
        to_conv.append((min(convictions) - pros_open).days)
    return {
        "identified": identified,
        "investigated": investigated,
        "prosecuted": prosecuted,
        "convicted": convicted,
        "median_days_to_investigation": _median(to_inv),
        "median_days_to_prosecution": _median(to_pros),
        "median_days_to_conviction": _median(to_conv),
    }


def collect(investigations, cases) -> Rows:
    """The rows behind the counts, read from the database in five queries: `investigations` is the
    queryset the user's figures cover; `cases` the victims' cases counted in the funnel."""
    from sira.justice.models import Charge, Prosecution, Suspect

    rows = Rows()
    inv_ids = []
    for i in investigations.values("id", "opened_on", "closed_on", "region_id", "forms"):
        inv_ids.append(i["id"])
        rows.investigations.append(
            {
                "id": i["id"],
                "opened_on": i["opened_on"],
                "closed_on": i["closed_on"],
                "region": i["region_id"],
                "forms": list(i["forms"] or []),
            }
        )
    rows.suspects = [
        {"id": s["id"], "investigation": s["investigation_id"], "official": s["is_public_official"]}
        for s in Suspect.objects.filter(investigation_id__in=inv_ids).values(
            "id", "investigation_id", "is_public_official"
        )
    ]
    rows.prosecutions = [
        {
            "id": p["id"],
            "investigation": p["investigation_id"],
            "opened_on": p["opened_on"],
            "closed_on": p["closed_on"],
        }
        for p in Prosecution.objects.filter(investigation_id__in=inv_ids).values(
            "id", "investigation_id", "opened_on", "closed_on"
        )
    ]
    rows.charges = [
        {
            "prosecution": c["prosecution_id"],
            "suspect": c["suspect_id"],
            "outcome": c["outcome"],
            "outcome_date": c["outcome_date"],
            "prison_months": c["sentence__prison_months"],
            "suspended_months": c["sentence__suspended_months"],
            "life": c["sentence__life"],
        }
        for c in Charge.objects.filter(prosecution__investigation_id__in=inv_ids).values(
            "prosecution_id",
            "suspect_id",
            "outcome",
            "outcome_date",
            "sentence__prison_months",
            "sentence__suspended_months",
            "sentence__life",
        )
    ]
    links = defaultdict(list)
    through = investigations.model.cases.through
    for case_id, inv_id in through.objects.filter(investigation_id__in=inv_ids).values_list(
        "case_id", "investigation_id"
    ):
        links[case_id].append(inv_id)
    rows.victims = [
        {"case": c["id"], "identified_on": c["identification_date"], "investigations": links.get(c["id"], [])}
        for c in cases.values("id", "identification_date")
    ]
    return rows
