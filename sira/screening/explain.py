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
