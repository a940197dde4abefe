"""The question bank: questions kept apart from the indicators they evidence (catalogue schema
"question_bank", from version 2026.2). Parsing refuses a malformed bank with messages saying what is
wrong where; `asked` is the adaptive walk (core for everyone, follow-ups opened by answers, the module
of each suspected form). Legal logic lives in rules.py; both read only the data."""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _

from sira.screening.catalogue import SETS, CatalogueData, CatalogueError, _text
from sira.screening.engine import first_clause

SCHEMA = "question_bank"
YESNO, SINGLE, MULTIPLE = "yesno", "single", "multiple"
YES, NO, UNKNOWN, DECLINED = "yes", "no", "unknown", "declined"
NOT_KNOWN = ("", UNKNOWN, DECLINED, None)  # blank, "unknown" and "declined" all mean unknown
URGENT, CORE = "urgent", "core"
RISK, SAFE, INFO, UNANSWERED = "risk", "safe", "info", "unknown"


def _yesno(value):
    """YAML 1.1 reads unquoted yes/no as booleans: accept both spellings."""
    return {True: YES, False: NO}.get(value, value)


@dataclass(frozen=True)
class Answer:
    """What one answer (a yes/no side or a chosen option) evidences."""

    risk: bool = False
    evidence: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    act: str | None = None
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    id: str
    text: dict
    safe: bool
    answer: Answer
    # How the result page reports this answer when the option's own text speaks as the person
    # ("against my will"); the option's text otherwise.
    finding: dict | None = None


@dataclass(frozen=True)
class Question:
    id: str
    blocks: tuple[str, ...]
    applies: str
    type: str
    risk: str | None  # yes/no questions: "yes", "no" or None (informational)
    text: dict
    short: dict
    finding: dict
    mode: str
    sensitive: bool
    urgent: str | None
    when: dict | None
    options: tuple[Option, ...]
    risk_answer: Answer  # yes/no questions: what the risk side evidences
    info_flags: tuple[str, ...]  # informational yes/no: flags set by "yes", never counted as signs
    info_context: tuple[str, ...]
    denies: dict  # answer value → indicators that answer says are absent

    @cached_property
    def is_core(self) -> bool:
        return CORE in self.blocks and self.when is None

    @property
    def field_name(self) -> str:
        return self.id.lower().replace("-", "_")

    def label(self, language=None) -> str:
        return _text(self.text, language)

    def applies_to(self, child: bool) -> bool:
        return self.applies == "all" or (self.applies == "child") == child

    def option(self, option_id):
        return self._options.get(option_id)

    @cached_property
    def _options(self) -> dict[str, Option]:
        return {o.id: o for o in self.options}

    @cached_property
    def values(self) -> tuple[str, ...]:
        return (YES, NO) if self.type == YESNO else tuple(o.id for o in self.options)

    def normalised(self, value):
        """The answer value checked against this question (ValueError if it is not one of its
        values); blank, unknown and declined kept as given. Multiple choice accepts a list or a
        space-separated string and comes back as a list in the options' order."""
        if value in NOT_KNOWN or value == []:
            return value or UNKNOWN
        values = self.values
        if self.type == MULTIPLE:
            chosen = value.split() if isinstance(value, str) else list(value)
            if not chosen or any(v not in values for v in chosen):
                raise ValueError(f"invalid answer {self.id}={value}")
            return sorted(set(chosen), key=values.index)
        if value not in values:
            raise ValueError(f"invalid answer {self.id}={value}")
        return value

    def side(self, value) -> str:
        """risk / safe / info / unknown for a normalised answer value."""
        return self._reading(value)[0]

    def reading(self, value) -> tuple[str, tuple[Answer, ...]]:
        """(side, the answers it evidences) for a normalised value."""
        side, evidenced, _adds = self._reading(value)
        return side, evidenced

    def contribution(self, value) -> tuple[str, "Contribution | None"]:
        """(side, what the answer adds to an assessment, gathered over its answers; None if nothing)."""
        side, _evidenced, adds = self._reading(value)
        return side, adds

    def _reading(self, value):
        # A question has few possible values and an import reads thousands of rows with them: each
        # value is worked out once.
        key = _key(value)
        found = self._readings.get(key)
        if found is None:
            side = self._side(value)
            evidenced = tuple(self.evidenced(value)) if side in (RISK, INFO, SAFE) else ()
            found = self._readings[key] = (side, evidenced, _gathered(evidenced))
        return found

    @cached_property
    def _readings(self) -> dict:
        return {}

    def _side(self, value) -> str:
        if value in NOT_KNOWN or value == []:
            return UNANSWERED
        if self.type == YESNO:
            if self.risk is None:
                return INFO
            return RISK if value == self.risk else SAFE
        chosen = [self.option(v) for v in (value if isinstance(value, list) else [value])]
        if any(o.answer.risk for o in chosen):
            return RISK
        return SAFE if any(o.safe for o in chosen) else INFO

    def evidenced(self, value) -> list[Answer]:
        if self.type == YESNO:
            if value == YES and self.risk is None:
                return [Answer(flags=self.info_flags, context=self.info_context)]
            return [self.risk_answer] if self.risk is not None and value == self.risk else []
        chosen = value if isinstance(value, list) else [value]
        return [o.answer for o in self.options if o.id in chosen]

    @property
    def risk_values(self) -> list[str]:
        if self.type == YESNO:
            return [self.risk] if self.risk else []
        return [o.id for o in self.options if o.answer.risk]

    def risk_value(self):
        """The answer on the risk side (for the optimistic reading and the property tests)."""
        if self.type == YESNO:
            return self.risk or YES
        risky = [o.id for o in self.options if o.answer.risk]
        if self.type == MULTIPLE:
            return risky or [self.options[0].id]
        return (risky or [self.options[0].id])[0]

    def safe_value(self):
        if self.type == YESNO:
            return {YES: NO, NO: YES}.get(self.risk, YES)
        safe = [o.id for o in self.options if o.safe] or [self.options[0].id]
        return safe[:1] if self.type == MULTIPLE else safe[0]


@dataclass(frozen=True)
class QuestionBank(CatalogueData):
    version: str
    data: dict = field(repr=False)
    by_id: dict[str, Question] = field(repr=False)
    indicators: dict[str, dict] = field(repr=False)

    schema = SCHEMA

    @cached_property
    def core(self) -> list[Question]:
        return [q for q in self.by_id.values() if q.is_core]

    def blocks_for(self, forms) -> list[str]:
        order = [f["id"] for f in self.forms]
        return [URGENT, CORE, *[f for f in order if f in set(forms or ())]]

    def questions_for(self, *, child: bool, forms) -> list[Question]:
        """Every question that can be asked of this person (whatever the answers). The bank never
        changes once parsed, so each (child, forms) list is worked out once: an import scores
        thousands of rows against the same few lists."""
        key = (child, frozenset(forms or ()))
        found = self._questions_for.get(key)
        if found is None:
            blocks = set(self.blocks_for(forms))
            found = [q for q in self.by_id.values() if q.applies_to(child) and blocks & set(q.blocks)]
            self._questions_for[key] = found
        return list(found)

    @cached_property
    def _questions_for(self) -> dict:
        return {}

    @cached_property
    def act_questions(self) -> frozenset[str]:
        """Questions one of whose answers is an act (recruitment, transport...)."""
        return frozenset(
            q.id for q in self.by_id.values() if q.risk_answer.act or any(o.answer.act for o in q.options)
        )

    @cached_property
    def means_questions(self) -> frozenset[str]:
        """Questions one of whose answers evidences an indicator of a means dimension."""
        dims = set(self.rules["means_dimensions"])
        return frozenset(
            q.id
            for q in self.by_id.values()
            for a in [q.risk_answer, *[o.answer for o in q.options]]
            if any(self.indicators[i]["dimension"] in dims for i in a.evidence)
        )

    @cached_property
    def strengths(self) -> dict[str, dict[str, tuple[str, str | None, str | None]]]:
        """Per labour strength set: indicator → (dimension, strength, what it counts as), read once."""
        values = self.data["strength_values"]
        table = {}
        for set_id in {*self.rules["labour_sets"].values()}:
            table[set_id] = {}
            for indicator_id, indicator in self.indicators.items():
                strength = (indicator.get("strength") or {}).get(set_id)
                table[set_id][indicator_id] = (indicator.get("dimension"), strength, values.get(strength))
        return table

    @cached_property
    def dimension_ids(self) -> tuple[str, ...]:
        return tuple(d["id"] for d in self.data["dimensions"])

    def dimension_clause(self, strong: int, medium: int, weak: int) -> int | None:
        """The first clause of the ILO dimension rule that these counts meet (engine.first_clause),
        remembered per counts: a handful of combinations occur."""
        key = (strong, medium, weak)
        if key not in self._clauses:
            self._clauses[key] = first_clause(self.rules["dimension_rule"]["any_of"], strong, medium, weak)
        return self._clauses[key]

    @cached_property
    def _clauses(self) -> dict:
        return {}

    def questions(self, *, child: bool, forms):  # the catalogue interface (demo data, pages)
        return self.questions_for(child=child, forms=forms)

    def opened(self, when: dict, answers: dict) -> bool:
        opener = self.by_id[when["question"]]
        value = answers.get(opener.id)
        if "side" in when:
            return opener.side(value) == when["side"]
        chosen = value if isinstance(value, list) else [value]
        return bool(set(chosen) & set(when["in"]))

    def asked(self, *, child: bool, forms, answers: dict) -> list[Question]:
        """The adaptive walk: each question at most once, in interview order. The walk depends only on
        the answers of the questions that open follow-ups, so it is worked out once per combination
        of those answers (an import walks thousands of rows through a few dozen combinations)."""
        key = (child, frozenset(forms or ()))
        openers = self._openers.get(key)
        if openers is None:
            questions = self.questions_for(child=child, forms=forms)
            openers = self._openers[key] = tuple(
                dict.fromkeys(q.when["question"] for q in questions if q.when)
            )
        opened = tuple(_key(answers.get(o)) for o in openers)
        walk = self._walks.get((key, opened))
        if walk is None:
            if len(self._walks) > 20_000:  # bounded: a long-running server sees many combinations
                self._walks.clear()
            walk = self._walks[(key, opened)] = tuple(self._walk(child=child, forms=forms, answers=answers))
        return list(walk)

    @cached_property
    def _openers(self) -> dict:
        return {}

    @cached_property
    def _walks(self) -> dict:
        return {}

    def _walk(self, *, child: bool, forms, answers: dict) -> list[Question]:
        walk, seen = [], set()
        for question in self.questions_for(child=child, forms=forms):
            if question.id in seen:
                continue
            if question.when and not (
                question.when["question"] in seen and self.opened(question.when, answers)
            ):
                continue
            walk.append(question)
            seen.add(question.id)
        return walk

    def normalise(self, answers: dict) -> dict:
        """Answer values checked against the bank; blank, unknown and declined kept as given
        (they all count as unknown). Multiple choice accepts a list or a space-separated string."""
        clean = {}
        for qid, value in (answers or {}).items():
            question = self.by_id.get(qid)
            if question is None:
                raise ValueError(f"unknown question {qid}")
            clean[qid] = question.normalised(value)
        return clean


@dataclass(frozen=True)
class Contribution:
    """What one answer adds to an assessment: contexts, flags (those of risk answers are signs),
    ILO indicators evidenced and acts, each in the order its answers list them."""

    context: tuple[str, ...]
    flags: tuple[str, ...]
    sign_flags: tuple[str, ...]
    evidence: tuple[str, ...]
    acts: tuple[str, ...]


def _gathered(answers: tuple[Answer, ...]) -> Contribution | None:
    risky = [a for a in answers if a.risk]
    gathered = Contribution(
        context=tuple(c for a in answers for c in a.context),
        flags=tuple(f for a in answers for f in a.flags),
        sign_flags=tuple(f for a in risky for f in a.flags),
        evidence=tuple(i for a in risky for i in a.evidence),
        acts=tuple(a.act for a in risky if a.act),
    )
    return gathered if any(vars(gathered).values()) else None


def _key(value):
    return tuple(value) if isinstance(value, list) else value


def _opens_on_answers(when: dict, opener: Question) -> bool:
    if "side" in when:
        return when["side"] in (RISK, SAFE, INFO) and "in" not in when
    chosen = when.get("in")
    return isinstance(chosen, list) and bool(chosen) and set(chosen) <= set(opener.values)


def _answer(raw: dict) -> Answer:
    return Answer(
        risk=bool(raw.get("risk")),
        evidence=tuple(raw.get("evidence") or ()),
        flags=tuple(raw.get("flags") or ()),
        act=raw.get("act"),
        context=tuple(raw.get("context") or ()),
    )


def _check_answer(where, answer: Answer, indicators, problems):
    dims = [indicators[i].get("dimension") for i in answer.evidence if i in indicators]
    for i in answer.evidence:
        if i not in indicators or not indicators[i].get("dimension"):
            problems.append(_("%(where)s: “%(id)s” is not an ILO indicator.") % {"where": where, "id": i})
    if len(dims) != len(set(dims)):
        problems.append(
            _("%(where)s: an answer evidences two indicators of one dimension.") % {"where": where}
        )
    if answer.act and not (answer.act in indicators and answer.act.startswith("ACT-")):
        problems.append(_("%(where)s: “%(id)s” is not an act.") % {"where": where, "id": answer.act})
    for c in answer.context:
        if c not in indicators or not c.startswith("CTX-"):
            problems.append(_("%(where)s: “%(id)s” is not a context item.") % {"where": where, "id": c})


def parse(data: dict) -> QuestionBank:
    problems: list[str] = []
    for key in ("version", "questions", "rules", "indicators", "exploitation_forms", "outcomes", "actions"):
        if key not in data:
            problems.append(_("The catalogue has no “%(key)s” section.") % {"key": key})
    if problems:
        raise CatalogueError(problems)
    indicators = {i["id"]: i for i in data["indicators"]}
    for item in indicators.values():
        if item.get("dimension"):
            for s in SETS:
                value = (item.get("strength") or {}).get(s)
                if value is not None and value not in data.get("strength_values", {}):
                    problems.append(
                        _("%(where)s: unknown strength “%(value)s”.") % {"where": item["id"], "value": value}
                    )
    blocks = {URGENT, CORE} | {f["id"] for f in data["exploitation_forms"]}
    questions: dict[str, Question] = {}
    for n, raw in enumerate(data["questions"], start=1):
        where = raw.get("id") or _("question no. %(n)d") % {"n": n}
        try:
            kind = raw["type"]
            options = tuple(
                Option(
                    id=o["id"],
                    text=o["text"],
                    safe=bool(o.get("safe")),
                    answer=_answer(o),
                    finding=o.get("finding"),
                )
                for o in raw.get("options") or ()
            )
            risk = _yesno(raw.get("risk")) if kind == YESNO else None
            risk = None if risk == "none" else risk
            denies = {}
            if raw.get("denies"):
                denies[{YES: NO, NO: YES}.get(risk, NO)] = tuple(raw["denies"])
            denies |= {k: tuple(v) for k, v in (raw.get("denies_by_option") or {}).items()}
            block = raw["block"]
            question = Question(
                id=raw["id"],
                blocks=tuple(block if isinstance(block, list) else [block]),
                applies=raw.get("applies", "all"),
                type=kind,
                risk=risk,
                text=raw["text"],
                short=raw.get("short") or raw["text"],
                finding=raw.get("finding") or raw.get("short") or raw["text"],
                mode=raw.get("mode", "ask"),
                sensitive=bool(raw.get("sensitive")),
                urgent=raw.get("urgent"),
                when=raw.get("when"),
                options=options,
                risk_answer=_answer(raw | {"risk": True}) if risk else Answer(),
                info_flags=tuple(raw.get("flags_on_yes") or ()) if kind == YESNO and not risk else (),
                info_context=tuple(raw.get("context") or ()) if kind == YESNO and not risk else (),
                denies=denies,
            )
        except (KeyError, TypeError) as exc:
            problems.append(_("%(where)s: missing field %(field)s.") % {"where": where, "field": exc})
            continue
        if question.id in questions:
            problems.append(_("%(where)s: the id is used twice.") % {"where": where})
        if kind not in (YESNO, SINGLE, MULTIPLE):
            problems.append(
                _("%(where)s: unknown answer type “%(value)s”.") % {"where": where, "value": kind}
            )
        if kind == YESNO and risk not in (YES, NO, None):
            problems.append(_("%(where)s: the risk side must be yes, no or none.") % {"where": where})
        if kind != YESNO and not options:
            problems.append(_("%(where)s: a choice question needs options.") % {"where": where})
        if set(question.blocks) - blocks:
            problems.append(_("%(where)s: unknown block.") % {"where": where})
        if question.applies not in ("all", "child", "adult"):
            problems.append(_("%(where)s: applies to all, child or adult.") % {"where": where})
        texts = [question.text, question.finding, *[o.text for o in options]]
        if not all(t.get("fr") and t.get("en") for t in texts):
            problems.append(_("%(where)s: French and English texts are both required.") % {"where": where})
        if question.when and question.when.get("question") not in questions:
            problems.append(
                _("%(where)s: opened by a question that does not come before it.") % {"where": where}
            )
        elif question.when and not _opens_on_answers(question.when, questions[question.when["question"]]):
            # Only a given answer opens a follow-up: the optimistic reading (rules._optimistic) relies
            # on filling unknown answers never closing a question it has already asked.
            problems.append(
                _(
                    "%(where)s: opened by the risk, safe or info side, or by answers of the question "
                    "before it."
                )
                % {"where": where}
            )
        for answer in [question.risk_answer, *[o.answer for o in options]]:
            _check_answer(where, answer, indicators, problems)
        questions[question.id] = question
    if problems:
        raise CatalogueError(problems)
    return QuestionBank(version=str(data["version"]), data=data, by_id=questions, indicators=indicators)
