"""Turns an engine result into plain sentences in the reader's language, with the catalogue's texts."""

from django.utils.translation import gettext as _

from sira.screening import engine

STATUS = {
    engine.POSITIVE: lambda: _("positive"),
    engine.NOT_POSITIVE: lambda: _("not positive"),
    engine.UNDETERMINED: lambda: _("undetermined: unknown answers could make it positive"),
    engine.NOT_SCORED: lambda: _("not scored: indicator strengths for this set are not verified"),
}
SET_NAMES = {
    "adult_labour": lambda: _("adults, labour exploitation"),
    "child_labour": lambda: _("children, labour exploitation"),
    "adult_sexual": lambda: _("adults, sexual exploitation"),
    "child_sexual": lambda: _("children, sexual exploitation"),
}
STRENGTH = {
    "strong": lambda: _("strong"),
    "medium": lambda: _("medium"),
    "weak": lambda: _("weak"),
    "weak_disputed": lambda: _("weak (disputed)"),
    "absent": lambda: _("not in this set"),
    None: lambda: _("strength unknown"),
}


def clause_text(clause: dict) -> str:
    parts = []
    if clause.get("strong_min"):
        parts.append(_("%(n)d strong") % {"n": clause["strong_min"]})
    if clause.get("medium_min"):
        parts.append(_("%(n)d medium") % {"n": clause["medium_min"]})
    if clause.get("weak_min"):
        parts.append(_("%(n)d weak") % {"n": clause["weak_min"]})
    if clause.get("medium_or_weak_min"):
        parts.append(_("%(n)d medium or weak") % {"n": clause["medium_or_weak_min"]})
    return " + ".join(parts)


def explain(screening) -> dict:
    catalogue = screening.catalogue.catalogue
    result = screening.result
    label = {i.id: i.text("label") for i in catalogue.indicators.values()} | {"ACT-*": _("an act (any)")}
    clauses = catalogue.rules["R1_dimension_positive"]["logic"]["any_of"]
    dims = {d["id"]: catalogue.text(d) for d in catalogue.dimensions}
    rule = catalogue.rules["R3_child_combination" if result["child"] else "R2_adult_combination"]
    sets = []
    for s in result["sets"]:
        dimensions = []
        for d in s["dimensions"]:
            dimensions.append(
                {
                    "name": f"{d['id']} — {dims[d['id']]}",
                    "status": d["status"],
                    "status_text": STATUS[d["status"]](),
                    "clause": clause_text(clauses[d["clause"]]) if d["clause"] is not None else "",
                    "indicators": [(label[i], STRENGTH[d["strengths"].get(i)]()) for i in d["indicators"]],
                    "unknown": [label[i] for i in d["unknown"]],
                }
            )
        sets.append(
            {
                "name": SET_NAMES[s["id"]](),
                "scorable": s["scorable"],
                "dimensions": dimensions,
                "combination": s["combination"],
            }
        )
    elements = result["elements"]
    return {
        "outcome": catalogue.text(catalogue.data["outcomes"][result["outcome"]]),
        "outcome_code": result["outcome"],
        "urgent": [catalogue.text(f["label"]) for f in catalogue.urgent_flags if f["id"] in result["urgent"]],
        "child": result["child"],
        "age_unknown": result["age_unknown"],
        "rule": catalogue.text({"fr": rule.get("statement_fr", ""), "en": rule.get("statement_en", "")}),
        "sets": sets,
        "elements": [
            (_("Act"), elements["act"]["met"], [label[i] for i in elements["act"]["evidence"]]),
            (_("Means"), elements["means"]["met"], [label[i] for i in elements["means"]["evidence"]]),
            (
                _("Purpose (exploitation)"),
                elements["purpose"]["met"],
                [label[i] for i in elements["purpose"]["evidence"]],
            ),
        ],
        "unknown": [label[i] for i in result["unknown_answers"]],
        "unscorable": [SET_NAMES[s]() for s in result["unscorable_sets"]],
        "begging": [label[i] for i in result["organised_begging"]],
        "catalogue": result["catalogue"],
    }


# --- question-bank catalogues (2026.2 on) -----------------------------------------------------

DIMENSION_PLAIN = {
    "D1": lambda: _("deceived at recruitment"),
    "D2": lambda: _("coerced at recruitment"),
    "D3": lambda: _("vulnerability abused at recruitment"),
    "D4": lambda: _("exploitative conditions"),
    "D5": lambda: _("coercion where they live or work"),
    "D6": lambda: _("vulnerability abused where they live or work"),
}
PATH_REASON = {
    "adult_trafficking": lambda: _(
        "Recruitment, exploitation and coercion (or abuse of vulnerability) at destination are all present."
    ),
    "child_trafficking": lambda: _(
        "A child was recruited, moved or received for exploitation; for a child no means are needed."
    ),
    "child_sexual": lambda: _("A child was recruited, moved or received and is sexually exploited."),
    "adult_sexual": lambda: _("Act, means and purpose of sexual exploitation are all present."),
    "slavery_status": lambda: _(
        "Another family claims the person by birth and controls their work, marriage or children."
    ),
    "organ_removal": lambda: _("An act and the removal of an organ are recorded."),
    "child_hazardous_with_parent": lambda: _(
        "Dangerous work beside a parent, paid, with no other sign: not trafficking on these answers, "
        "but the child needs protection."
    ),
}
ELEMENT_STATUS = {
    "found": lambda: _("found"),
    "not_found": lambda: _("not found"),
    "not_assessed": lambda: _("not assessed"),
    "not_required": lambda: _("not required for a child"),
}


def _finding(bank, qid, answers) -> str:
    question = bank.by_id[qid]
    if question.type == "yesno":
        return bank.text(question.finding)
    value = answers.get(qid)
    chosen = value if isinstance(value, list) else [value]
    names = [bank.text(o.finding or o.text) for o in question.options if o.id in chosen and o.answer.risk]
    return f"{bank.text(question.short)} : {', '.join(names)}"


def explain_result(bank, result: dict, answers: dict) -> dict:
    """Plain sentences for a question-bank result: outcome, 3–5 reasons, what to do now, and the
    detailed evidence (shown folded away)."""
    code = result["outcome"] or result["provisional_outcome"]
    headline_key = "strong_slavery" if result["path"] == "slavery_status" else code
    by_dim: dict[str, list[str]] = {}
    for d in result["dimensions"]:
        for indicator in d["indicators"]:
            for qid in indicator["questions"]:
                by_dim.setdefault(d["id"], [])
                text = _finding(bank, qid, answers)
                if text not in by_dim[d["id"]]:
                    by_dim[d["id"]].append(text)
    reasons = []
    if result["path"] in PATH_REASON:
        reasons.append(PATH_REASON[result["path"]]())
    per_se = {p["id"]: bank.text(p["label"]) for p in bank.rules["child_per_se"]}
    if result["per_se"]:
        reasons.append(
            _("Exploitation of a child in itself: %(what)s.")
            % {"what": ", ".join(per_se[p] for p in result["per_se"])}
        )
    positive = [d for d in result["dimensions"] if d["status"] == "positive"]
    for d in positive:
        reasons.append(
            f"{DIMENSION_PLAIN[d['id']]()[:1].upper()}{DIMENSION_PLAIN[d['id']]()[1:]} : "
            + "; ".join(by_dim.get(d["id"], [])[:3])
            + "."
        )
    if not positive and result["findings"]:
        reasons.append(
            _("Signs recorded: %(signs)s.")
            % {"signs": "; ".join(_finding(bank, q, answers) for q in result["findings"][:4])}
        )
    if code == "insufficient":
        reasons.append(
            _("Only %(answered)d of %(total)d essential questions were answered.")
            % {"answered": result["core"]["answered"], "total": result["core"]["total"]}
        )
    if result.get("possible_path") and code == "some":
        reasons.append(_("Unknown answers could change the result: ask them again when possible."))
    if code == "none":
        reasons.append(_("No sign of exploitation or coercion in the answers given."))
    if result["child"]:
        reasons.append(
            _("Age unknown: presumed to be a child (under 18).")
            if result["age_unknown"]
            else _("Child (under 18): the means of trafficking are not required.")
        )
    if result["provisional"]:
        reasons.append(_("Provisional — indicator strengths for this form are not validated."))
    dims = {d["id"]: bank.text(d) for d in bank.data["dimensions"]}
    return {
        "outcome": bank.text(bank.data["outcomes"][headline_key]),
        "outcome_code": code,
        "provisional": result["provisional"],
        "reasons": reasons[:5],
        "actions": [bank.text(bank.data["actions"][a]) for a in result["actions"]],
        "urgent": [bank.text(f["label"]) for f in bank.urgent_flags if f["id"] in result["urgent"]],
        "findings": [_finding(bank, q, answers) for q in result["findings"]],
        "context": [bank.text(bank.indicators[c]["label"]) for c in result["context"]],
        "unknown": [bank.by_id[q].label() for q in result["unknown"]],
        "dimensions": [
            {
                "name": dims[d["id"]],
                "positive": d["status"] == "positive",
                "indicators": [
                    (bank.text(bank.indicators[i["id"]]["label"]), STRENGTH[i["strength"]]())
                    for i in d["indicators"]
                ],
            }
            for d in result["dimensions"]
        ],
        "elements": [
            (_("Act"), ELEMENT_STATUS[result["elements"]["act"]]()),
            (_("Means"), ELEMENT_STATUS[result["elements"]["means"]]()),
            (_("Purpose (exploitation)"), ELEMENT_STATUS[result["elements"]["purpose"]]()),
        ],
        "forms": [(bank.text(f), ELEMENT_STATUS[result["forms_assessed"][f["id"]]]()) for f in bank.forms],
        "child": result["child"],
        "catalogue": result["catalogue"],
    }
