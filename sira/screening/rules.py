"""The legal logic for question-bank catalogues (2026.2 on): plain functions, every rule read from the
bank's `rules` section. `assess` takes the profile and answers and returns a JSON-able result that
explain.py turns into plain sentences. Nothing here says "victim": an indicator suggests, a person
decides.

Reading order of one assessment:
1. the adaptive walk gives the questions asked; blank, "unknown" and "declined" are unknown;
2. risk answers give evidence (ILO indicators), acts, flags (legal facts) and context (never counted);
3. the ILO dimension rule is applied per dimension with the person's labour strength set;
4. decision paths (data) are tried in order: the first that holds decides;
5. otherwise: some signs → further assessment; too few core answers → not enough information;
   unknown answers that could complete a path → further assessment; else no indication found.
Contradictions (a safe answer denying what another risk answer evidences) are reported and the
outcome is withheld until the worker resolves them."""

from functools import cached_property

from sira.cases import rules as registry
from sira.screening.bank import INFO, RISK, UNANSWERED, UNKNOWN, QuestionBank

# The ILO dimension rule is the same for every catalogue version: one implementation.
from sira.screening.engine import clause_met, first_clause  # noqa: F401  (clause_met is part of this API)

STRONG, SOME, INSUFFICIENT, NONE = "strong", "some", "insufficient", "none"
POSITIVE, NOT_POSITIVE = "positive", "not_positive"
FOUND, NOT_FOUND, NOT_ASSESSED, NOT_REQUIRED = "found", "not_found", "not_assessed", "not_required"


def is_child(bank: QuestionBank, age) -> bool:
    """Under 18, or age unknown: presumed a child."""
    return registry.is_child(age, bank.rules["adult_age"])


class State:
    """What the answers establish, for one reading of them (as given, or optimistic)."""

    def __init__(self, bank: QuestionBank, answers: dict, *, child: bool, forms, asked=None):
        self.bank, self.child, self.answers = bank, child, answers
        self.asked = asked if asked is not None else bank.asked(child=child, forms=forms, answers=answers)
        self.evidence: dict[str, list[str]] = {}  # ILO indicator → questions
        self.flags: dict[str, list[str]] = {}
        self.sign_flags: set[str] = set()
        self.acts: dict[str, list[str]] = {}
        self.context: dict[str, list[str]] = {}
        self.sides: dict[str, str] = {}
        self._add(self.asked)
        self.set_id = bank.rules["labour_sets"]["child" if child else "adult"]

    def _add(self, questions) -> None:
        """What the answers to these questions add (an import reads this loop for every row)."""
        answers, sides = self.answers, self.sides
        for question in questions:
            qid = question.id
            side, adds = question.contribution(answers.get(qid, UNKNOWN))
            sides[qid] = side
            if adds is None:  # most answers evidence nothing
                continue
            for c in adds.context:
                self.context.setdefault(c, []).append(qid)
            for f in adds.flags:
                self.flags.setdefault(f, []).append(qid)
            self.sign_flags.update(adds.sign_flags)
            for i in adds.evidence:
                self.evidence.setdefault(i, []).append(qid)
            for act in adds.acts:
                self.acts.setdefault(act, []).append(qid)

    def extended(self, filled: dict, asked: list, changed) -> "State":
        """This reading with the `changed` questions' answers taken from `filled` and the walk
        `asked`: only what the changed questions add is read again (the optimistic reading, where
        the other questions' answers are the same and an unknown answer added nothing). The
        questions behind an indicator are listed in reading order, the changed ones last: only the
        decision reads this state, and it asks what is established, not by which question."""
        other = State.__new__(State)
        other.bank, other.child, other.answers, other.asked = self.bank, self.child, filled, asked
        other.evidence = {k: list(v) for k, v in self.evidence.items()}
        other.flags = {k: list(v) for k, v in self.flags.items()}
        other.acts = {k: list(v) for k, v in self.acts.items()}
        other.context = {k: list(v) for k, v in self.context.items()}
        other.sign_flags, other.sides, other.set_id = set(self.sign_flags), dict(self.sides), self.set_id
        other._add(changed)
        return other

    @cached_property
    def _tallies(self) -> dict[str, tuple[int, int, int]]:
        """Counted indicators per dimension (strong, medium, weak) with the person's strength set."""
        strengths = self.bank.strengths[self.set_id]
        tallies: dict[str, list[int]] = {}
        slot = {"strong": 0, "medium": 1, "weak": 2}
        for indicator_id in self.evidence:
            dim, _strength, counted = strengths[indicator_id]
            if counted:
                tally = tallies.get(dim) or tallies.setdefault(dim, [0, 0, 0])
                tally[slot[counted]] += 1
        return {dim: tuple(t) for dim, t in tallies.items()}

    @cached_property
    def dimensions(self) -> dict[str, dict]:
        """The ILO dimension rule applied to each dimension, with the person's strength set
        (indicators in id order, as the result lists them). Built only for the result: the rules
        ask `positive`, which needs the tallies alone (the optimistic reading never builds this)."""
        strengths = self.bank.strengths[self.set_id]
        found: dict[str, list[dict]] = {}
        for indicator_id in sorted(self.evidence):
            dim, strength, _counted = strengths[indicator_id]
            found.setdefault(dim, []).append(
                {"id": indicator_id, "strength": strength, "questions": self.evidence[indicator_id]}
            )
        dimensions = {}
        for dim in self.bank.dimension_ids:
            clause = self._clause(dim)
            dimensions[dim] = {
                "id": dim,
                "status": POSITIVE if clause is not None else NOT_POSITIVE,
                "clause": clause,
                "indicators": found.get(dim, []),
            }
        return dimensions

    def _clause(self, dim: str):
        return self.bank.dimension_clause(*self._tallies.get(dim, (0, 0, 0)))

    def positive(self, dim: str) -> bool:
        return self._clause(dim) is not None

    @cached_property  # the rules ask it several times per assessment
    def means(self) -> list[str]:
        dims = set(self.bank.rules["means_dimensions"])
        return sorted(i for i in self.evidence if self.bank.indicators[i]["dimension"] in dims)

    @cached_property
    def per_se(self) -> list[str]:
        if not self.child:
            return []
        return [p["id"] for p in self.bank.rules["child_per_se"] if holds(p["when"], self)]

    def signs(self) -> bool:
        return bool(self.evidence or self.sign_flags)


def holds(condition: dict, state: State) -> bool:
    """One condition of the rules' small language (see question_bank.yaml)."""
    return compiled(condition)(state)


_COMPILED: dict[int, tuple[dict, object]] = {}  # id(condition) → (condition, its test)


def compiled(condition: dict):
    """The condition as a function of a State, built once per condition of the bank: an import
    tests the same few conditions on thousands of rows, and reading the mapping each time cost more
    than the test itself. The condition is kept beside its test so that its id is never reused."""
    found = _COMPILED.get(id(condition))
    if found is None or found[0] is not condition:
        found = _COMPILED[id(condition)] = (condition, _compile(condition))
    return found[1]


def _compile(condition: dict):
    if "answer" in condition:  # {answer: question id, in: [accepted values]}
        qid, accepted = condition["answer"], frozenset(condition["in"])

        def answer(state):
            if qid not in state.sides:  # not asked: its answer does not count
                return False
            value = state.answers.get(qid)
            return not accepted.isdisjoint(value) if isinstance(value, list) else value in accepted

        return answer
    (kind, arg), *rest = condition.items()
    if rest:
        raise ValueError(f"one condition per mapping: {condition}")
    if kind in ("all_of", "any_of"):
        parts = tuple(_compile(c) for c in arg)
        if kind == "all_of":
            return lambda state: all(part(state) for part in parts)
        return lambda state: any(part(state) for part in parts)
    if kind == "dimension":
        return lambda state: state.positive(arg)
    if kind == "any_dimension":
        dims = tuple(arg)
        return lambda state: any(state.positive(d) for d in dims)
    if kind == "indicator":
        return lambda state: arg in state.evidence
    if kind == "element":
        if arg == "act":
            return lambda state: bool(state.acts)
        return lambda state: bool(state.means)
    if kind == "flag":
        return lambda state: arg in state.flags
    if kind == "any_flag":
        flags = tuple(arg)
        return lambda state: any(f in state.flags for f in flags)
    if kind == "per_se":
        return lambda state: bool(state.per_se) is arg
    if kind == "no_other_signs":
        allowed_i, allowed_f = frozenset(arg.get("indicators", ())), frozenset(arg.get("flags", ()))
        return lambda state: allowed_i.issuperset(state.evidence) and state.sign_flags <= allowed_f
    raise ValueError(f"unknown rule condition {condition}")


def _applies(path: dict, child: bool) -> bool:
    return path.get("applies", "any") == "any" or (path["applies"] == "child") == child


def decide(state: State, *, strong_only: bool = False) -> dict | None:
    for path in state.bank.rules["paths"]:
        if not _applies(path, state.child):
            continue
        if strong_only and path["outcome"] != STRONG:
            continue
        if holds(path["when"], state) and (path["outcome"] == STRONG or path.get("stop")):
            return path
    return None


def contradictions(state: State) -> list[dict]:
    """A safe answer that says an indicator is absent, and a risk answer elsewhere that evidences it."""
    found = []
    for question in state.asked:
        value = state.answers.get(question.id)
        key = value if not isinstance(value, list) else None
        for indicator in question.denies.get(key, ()):
            for other in state.evidence.get(indicator, []):
                if other != question.id:
                    found.append({"safe": question.id, "risk": other, "indicator": indicator})
    return found


def _optimistic(bank: QuestionBank, state: State, *, forms) -> State:
    """Every unknown answer read on its risk side, follow-ups included (a fixed point of the walk).
    Filling an unknown answer only opens questions (the bank refuses a follow-up that an unknown
    answer would open), so after the first round only the questions newly asked can be missing."""
    filled = dict(state.answers)
    asked, seen = state.asked, {q.id for q in state.asked}
    missing = [q for q in asked if state.sides[q.id] == UNANSWERED]
    changed = list(missing)  # the questions whose reading differs from the answers as given
    for _ in range(5):  # only the walk changes between rounds: the evidence is read once, at the end
        if not missing:
            break
        for question in missing:
            filled[question.id] = question.risk_value()
        asked = bank.asked(child=state.child, forms=forms, answers=filled)
        new = [q for q in asked if q.id not in seen]
        seen.update(q.id for q in new)
        changed += new
        missing = [q for q in new if q.side(filled.get(q.id, UNKNOWN)) == UNANSWERED]
    if not changed:
        return state
    return state.extended(filled, asked, changed)


def _element(found: bool, assessed: bool) -> str:
    return FOUND if found else (NOT_FOUND if assessed else NOT_ASSESSED)


def assess(bank: QuestionBank, answers: dict, *, age, forms, urgent=()) -> dict:
    forms = list(forms or [])
    child = is_child(bank, age)
    answers = bank.normalise(answers)
    state = State(bank, answers, child=child, forms=forms)
    sides = state.sides
    # One pass over the walk for everything the result lists about the questions asked.
    urgent, asked, findings, unknown, declined = set(urgent), [], [], [], []
    core = answered = 0
    modules: dict[str, list[str]] = {}  # form → its questions asked
    for q in state.asked:
        qid, side = q.id, sides[q.id]
        asked.append(qid)
        if side == RISK:
            if q.urgent:
                urgent.add(q.urgent)
            else:
                findings.append(qid)
        elif side == UNANSWERED:
            unknown.append(qid)
            if answers.get(qid) == "declined":
                declined.append(qid)
        if q.is_core:
            core += 1
            answered += side != UNANSWERED
        for block in q.blocks:
            modules.setdefault(block, []).append(qid)
    urgent = sorted(urgent)
    clashes = contradictions(state)
    path = decide(state)
    needed = bank.rules["enough_information"]["core_answered_min_share"] * core
    # What unknown answers could still establish; moot when the answers given already decide "strong".
    strong = path is not None and path["outcome"] == STRONG
    possible = None if strong else decide(_optimistic(bank, state, forms=forms), strong_only=True)
    if path is not None:
        outcome = path["outcome"]
    elif state.signs():
        outcome = SOME
    elif answered < needed:
        outcome = INSUFFICIENT
    elif possible is not None:
        outcome = SOME
    else:
        outcome = NONE

    def assessed(ids) -> bool:
        return any(sides[q] != UNANSWERED for q in ids)

    act_questions = [q for q in asked if q in bank.act_questions]
    means_questions = [q for q in asked if q in bank.means_questions]
    purpose_found = (
        state.positive("D4")
        or bool(state.per_se)
        or any(f in state.flags for f in ("sexual_exploitation", "organ_removal", "slavery_unpaid_work"))
    )
    forms_assessed = {}
    for form in bank.forms:
        module = modules.get(form["id"], [])
        if not module or not assessed(module):
            forms_assessed[form["id"]] = NOT_ASSESSED
        else:
            forms_assessed[form["id"]] = FOUND if any(sides[q] == RISK for q in module) else NOT_FOUND
    return {
        "schema": bank.schema,
        "catalogue": bank.version,
        "outcome": None if clashes else outcome,
        "provisional_outcome": outcome,
        "path": path["id"] if path else None,
        "provisional": bool(path and path.get("provisional")),
        "possible_path": possible["id"] if possible and outcome != STRONG else None,
        "contradictions": clashes,
        "urgent": urgent,
        "immediate_referral": bool(urgent),
        "child": child,
        "age_unknown": age is None,
        "forms": forms,
        "asked": asked,
        "findings": findings,
        "unknown": unknown,
        "declined": declined,
        "context": sorted(state.context),
        "core": {"answered": answered, "total": core, "needed": needed},
        "set": state.set_id,
        "dimensions": list(state.dimensions.values()),
        "acts": sorted(state.acts),
        "flags": sorted(state.flags),
        "per_se": state.per_se,
        "elements": {
            "act": _element(bool(state.acts), assessed(act_questions)),
            "means": NOT_REQUIRED if child else _element(bool(state.means), assessed(means_questions)),
            "purpose": _element(purpose_found, answered > 0),
        },
        "forms_assessed": forms_assessed,
        "actions": _actions(bank, urgent, path, outcome),
    }


def _actions(bank: QuestionBank, urgent, path, outcome) -> list[str]:
    ordered = [u for u in ("URG-DANGER", "URG-MEDICAL", "URG-UNACCOMPANIED") if u in urgent]
    ordered += list(path.get("actions", [])) if path else []
    if outcome != STRONG:
        ordered.append(outcome)
    return list(dict.fromkeys(a for a in ordered if a in bank.data["actions"]))


__all__ = ["INFO", "INSUFFICIENT", "NONE", "SOME", "STRONG", "State", "assess", "contradictions", "decide"]
