"""The screening engine: answers in, an explanation out. Plain functions over a parsed catalogue, so
every rule is unit-testable and every rule detail comes from the catalogue's data.

The engine never says "victim": it reports which indicators and legal elements were found and
suggests what to do; the worker records their own determination separately."""

from sira.cases.rules import is_child
from sira.screening.catalogue import Catalogue

YES, NO, UNKNOWN, NOT_ASKED = "yes", "no", "unknown", "not_asked"
ANSWERS = (YES, NO, UNKNOWN, NOT_ASKED)
RECRUITMENT = ("D1", "D2", "D3")
MEANS = ("D1", "D2", "D3", "D5", "D6")
POSITIVE, NOT_POSITIVE, UNDETERMINED, NOT_SCORED = "positive", "not_positive", "undetermined", "not_scored"


def clause_met(clause: dict, strong: int, medium: int, weak: int) -> bool:
    return (
        strong >= clause.get("strong_min", 0)
        and medium >= clause.get("medium_min", 0)
        and weak >= clause.get("weak_min", 0)
        and medium + weak >= clause.get("medium_or_weak_min", 0)
    )


def first_clause(clauses: list[dict], strong: int, medium: int, weak: int) -> int | None:
    """Index of the first clause of the dimension rule that the counts satisfy, or None."""
    return next((n for n, c in enumerate(clauses) if clause_met(c, strong, medium, weak)), None)


def reach(catalogue: Catalogue, start: set[str]) -> dict[str, set[str]]:
    """Every indicator reachable from the answered ones through maps_to, with the answers that led there.
    A non-ILO item evidences the ILO (or act) items it maps to; each target counts once."""
    found: dict[str, set[str]] = {}
    for origin in start:
        for target in catalogue.closures[origin]:
            found.setdefault(target, set()).add(origin)
    return found


def _ilo(catalogue: Catalogue, indicator_id: str) -> bool:
    return indicator_id in catalogue.indicators and catalogue.indicators[indicator_id].is_ilo


def _act(catalogue: Catalogue, indicator_id: str) -> bool:
    if indicator_id.endswith("*"):
        return indicator_id.startswith("ACT-")
    return catalogue.indicators[indicator_id].element == "act"


def _counts(catalogue: Catalogue, ids, set_id: str) -> tuple[int, int, int]:
    values = catalogue.data.get("strength_values", {})
    tally = {"strong": 0, "medium": 0, "weak": 0}
    for indicator_id in ids:
        counted = values.get(catalogue.indicators[indicator_id].strength[set_id])
        if counted:
            tally[counted] += 1
    return tally["strong"], tally["medium"], tally["weak"]


def _dimension(catalogue, clauses, set_id, dim, present, unknown, scorable) -> dict:
    in_dim = [i for i in present if catalogue.indicators[i].dimension == dim]
    unknown_in_dim = [i for i in unknown if catalogue.indicators[i].dimension == dim and i not in present]
    result = {
        "id": dim,
        "indicators": sorted(in_dim),
        "strengths": {i: catalogue.indicators[i].strength[set_id] for i in in_dim},
        "unknown": sorted(unknown_in_dim),
        "clause": None,
    }
    if not scorable:
        return result | {"status": NOT_SCORED}
    clause = first_clause(clauses, *_counts(catalogue, in_dim, set_id))
    if clause is not None:
        return result | {"status": POSITIVE, "clause": clause}
    if first_clause(clauses, *_counts(catalogue, in_dim + unknown_in_dim, set_id)) is not None:
        return result | {"status": UNDETERMINED}
    return result | {"status": NOT_POSITIVE}


def _holds(condition: dict, statuses: dict[str, str], act: bool, optimistic: bool) -> bool:
    ok = {POSITIVE, UNDETERMINED} if optimistic else {POSITIVE}
    if "positive" in condition:
        return statuses[condition["positive"]] in ok
    if "any_positive" in condition:
        return any(statuses[d] in ok for d in condition["any_positive"])
    if "act_established" in condition:
        return act
    raise ValueError(f"unknown rule condition {condition}")


def _combination(rule: dict, statuses, act: bool, act_possible: bool) -> dict:
    conditions = rule["logic"]["all_of"]
    return {
        "met": all(_holds(c, statuses, act, optimistic=False) for c in conditions),
        "possible": all(_holds(c, statuses, act or act_possible, optimistic=True) for c in conditions),
    }


def score(
    catalogue: Catalogue, answers: dict[str, str], *, age: int | None, forms: list[str], urgent=()
) -> dict:
    if getattr(catalogue, "schema", None) == "question_bank":  # 2026.2 on: sira/screening/rules.py
        from sira.screening import rules

        return rules.assess(catalogue, answers, age=age, forms=forms, urgent=urgent)
    for indicator_id, answer in answers.items():
        if indicator_id not in catalogue.indicators or answer not in ANSWERS:
            raise ValueError(f"invalid answer {indicator_id}={answer}")
    child = is_child(age)
    yes = reach(catalogue, {i for i, a in answers.items() if a == YES})
    unknown = reach(catalogue, {i for i, a in answers.items() if a == UNKNOWN})
    present_ilo = {i for i in yes if _ilo(catalogue, i)}
    unknown_ilo = {i for i in unknown if _ilo(catalogue, i)}
    acts = sorted(i for i in yes if _act(catalogue, i))
    clauses = catalogue.rules["R1_dimension_positive"]["logic"]["any_of"]

    sets = []
    for kind in catalogue.set_kind(forms):
        set_id = f"{'child' if child else 'adult'}_{kind}"
        scorable = set_id in catalogue.scorable_sets
        dims = [
            _dimension(catalogue, clauses, set_id, d["id"], present_ilo, unknown_ilo, scorable)
            for d in catalogue.dimensions
        ]
        sets.append({"id": set_id, "scorable": scorable, "dimensions": dims})

    def positive_in(dim_ids) -> list[str]:
        return sorted(
            {
                i
                for s in sets
                for d in s["dimensions"]
                if d["id"] in dim_ids and d["status"] == POSITIVE
                for i in d["indicators"]
            }
        )

    act_from_recruitment = positive_in(RECRUITMENT)
    act_met = bool(acts or act_from_recruitment)
    act_possible = any(_act(catalogue, i) for i in unknown)
    rule = catalogue.rules["R3_child_combination" if child else "R2_adult_combination"]
    for s in sets:
        statuses = {d["id"]: d["status"] for d in s["dimensions"]}
        s["combination"] = _combination(rule, statuses, act_met, act_possible) if s["scorable"] else None

    specific_yes = sorted(i for i in yes if i in answers and catalogue.indicators[i].category == "specific")
    purpose_evidence = positive_in(("D4",)) + specific_yes
    elements = {
        "act": {"met": act_met, "evidence": acts + act_from_recruitment},
        "means": {"met": None, "evidence": []}
        if child
        else {"met": bool(positive_in(MEANS)), "evidence": positive_in(MEANS)},
        "purpose": {"met": bool(purpose_evidence), "evidence": purpose_evidence},
    }
    outcome = _outcome(catalogue, sets, answers, elements)
    begging = sorted(i for i, a in answers.items() if a == YES and ("-BEG-" in i))
    return {
        "catalogue": catalogue.version,
        "urgent": sorted(f for f in urgent),
        "immediate_referral": bool(urgent),
        "child": child,
        "age_unknown": age is None,
        "forms": list(forms),
        "sets": sets,
        "elements": elements,
        "outcome": outcome,
        "unknown_answers": sorted(i for i, a in answers.items() if a == UNKNOWN),
        "unscorable_sets": [s["id"] for s in sets if not s["scorable"]],
        "organised_begging": begging,
    }


def _outcome(catalogue: Catalogue, sets: list[dict], answers: dict[str, str], elements: dict) -> str:
    if any(s["combination"] and s["combination"]["met"] for s in sets):
        return "strong"
    signals = [
        any(s["combination"] and s["combination"]["possible"] for s in sets),
        any(d["status"] in (POSITIVE, UNDETERMINED) for s in sets for d in s["dimensions"]),
        any(d["indicators"] for s in sets if not s["scorable"] for d in s["dimensions"]),
        elements["act"]["met"] or elements["purpose"]["met"],
        any(a == YES and catalogue.indicators[i].category != "contextual" for i, a in answers.items()),
    ]
    return "some" if any(signals) else "none"
