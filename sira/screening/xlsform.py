"""The screening questionnaire as an XLSForm (French and English labels) for ODK Collect / KoboCollect,
so screenings can be collected offline and imported later (see importer.py: same field names)."""

from django.utils import translation
from django_countries import countries
from openpyxl import Workbook

from sira.cases.rules import ADULT_AGE, MAX_AGE
from sira.core.spreadsheet import neutralise_workbook
from sira.core.vocab import terms
from sira.geo.models import Cercle, Region

FR, EN = "French (fr)", "English (en)"
ANSWER_LABELS = {
    "yes": ("Oui", "Yes"),
    "no": ("Non", "No"),
    "unknown": ("Inconnu / préfère ne pas dire", "Unknown / prefers not to say"),
}
GROUPS = [
    ("contextual", "Indicateurs contextuels", "Contextual indicators"),
    (
        "general",
        "Indicateurs généraux (éléments de la traite)",
        "General indicators (elements of trafficking)",
    ),
    (
        "specific",
        "Indicateurs spécifiques aux formes d'exploitation",
        "Indicators specific to forms of exploitation",
    ),
]
SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{FR}",
    f"label::{EN}",
    f"hint::{FR}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{FR}",
    f"constraint_message::{EN}",
    "appearance",
    "choice_filter",
    "calculation",
]
# The registry's child presumption (cases.rules.is_child) in XPath: an empty age counts as a child.
CHILD = f"(string-length(${{age}}) = 0 or ${{age}} < {ADULT_AGE})"
ADULT = f"${{age}} >= {ADULT_AGE}"


def _row(type_, name, fr="", en="", **extra) -> dict:
    return {"type": type_, "name": name, f"label::{FR}": fr, f"label::{EN}": en, **extra}


def _relevance(indicator, catalogue) -> str:
    """Shown for the person's age, and when one of its forms, or a form of its family, is suspected;
    general questions are also shown while nothing is suspected."""
    parts = []
    if indicator.adult != indicator.child:
        parts.append(CHILD if indicator.child else ADULT)
    if "all" not in indicator.forms:
        wanted = set(indicator.forms)
        for kind, family in catalogue.data.get("form_family", {}).items():
            if family in indicator.forms:
                wanted |= {f["id"] for f in catalogue.forms if catalogue.set_kind([f["id"]]) == [kind]}
        options = " or ".join(f"selected(${{suspected_forms}}, '{f}')" for f in sorted(wanted))
        if indicator.category == "specific":
            parts.append(f"({options})")
        else:
            parts.append(f"(count-selected(${{suspected_forms}}) = 0 or {options})")
    return " and ".join(parts)


def _profile_rows() -> list[dict]:
    age_fr, age_en = (
        "Laisser vide si l'âge est inconnu (présumé enfant).",
        "Leave empty if unknown (presumed a child).",
    )
    return [
        _row("begin_group", "profile", "Profil (sans identité)", "Profile (no identity)"),
        _row("date", "screened_on", "Date du dépistage", "Screening date", required="yes"),
        _row("select_one sex", "gender", "Sexe / genre", "Sex / gender", required="yes"),
        _row(
            "integer",
            "age",
            "Âge",
            "Age",
            **{
                f"hint::{FR}": age_fr,
                f"hint::{EN}": age_en,
                "constraint": f". >= 0 and . <= {MAX_AGE}",
                f"constraint_message::{FR}": f"Entre 0 et {MAX_AGE} ans.",
                f"constraint_message::{EN}": f"Between 0 and {MAX_AGE} years.",
            },
        ),
        _row("select_one country", "nationality", "Nationalité", "Nationality", appearance="minimal"),
        _row(
            "select_one country",
            "departure_country",
            "Pays de départ",
            "Country of departure",
            appearance="minimal",
        ),
        _row(
            "select_one region",
            "departure_region",
            "Région de départ",
            "Region of departure",
            relevant="${departure_country} = 'ML'",
        ),
        _row(
            "select_one country",
            "destination_country",
            "Destination prévue",
            "Intended destination",
            appearance="minimal",
        ),
        _row("select_one region", "region", "Région du dépistage", "Region of screening", required="yes"),
        _row("select_one cercle", "cercle", "Cercle", "Cercle", choice_filter="region = ${region}"),
        _row("select_one context", "context", "Contexte", "Context"),
        _row(
            "select_multiple forms",
            "suspected_forms",
            "Formes d'exploitation soupçonnées",
            "Suspected forms of exploitation",
        ),
        _row("end_group", "profile"),
    ]


def survey_rows(catalogue) -> list[dict]:
    rows = [
        _row("start", "start"),
        _row("end", "end"),
        # Travels with every submission, so an import scores it with the catalogue it was asked from.
        {**_row("calculate", "catalogue_version"), "calculation": f"'{catalogue.version}'"},
        *_profile_rows(),
    ]
    rows.append(_row("begin_group", "urgent", "Urgences (à demander en premier)", "Urgent needs (ask first)"))
    for flag in catalogue.urgent_flags:
        name = flag["id"].lower().replace("-", "_")
        rows.append(
            _row("select_one answer", name, flag["question"]["fr"], flag["question"]["en"], required="yes")
        )
    rows.append(_row("end_group", "urgent"))
    for category, fr, en in GROUPS:
        rows.append(_row("begin_group", category, fr, en))
        for indicator in catalogue.indicators.values():
            if indicator.category != category:
                continue
            rows.append(
                _row(
                    "select_one answer",
                    indicator.field_name,
                    indicator.question["fr"],
                    indicator.question["en"],
                    relevant=_relevance(indicator, catalogue),
                    **{f"hint::{FR}": indicator.guidance["fr"], f"hint::{EN}": indicator.guidance["en"]},
                )
            )
        rows.append(_row("end_group", category))
    return rows


def _choice(list_name, name, fr, en, **extra) -> dict:
    return {"list_name": list_name, "name": name, f"label::{FR}": fr, f"label::{EN}": en, **extra}


def choice_rows(catalogue) -> list[dict]:
    rows = [_choice("answer", code, fr, en) for code, (fr, en) in ANSWER_LABELS.items()]
    rows += [_choice("sex", t.code, t.label_fr, t.label_en) for t in terms("gender").values()]
    rows += [
        _choice("context", t.code, t.label_fr, t.label_en) for t in terms("identification_context").values()
    ]
    rows += [_choice("forms", f["id"], f["fr"], f["en"]) for f in catalogue.forms]
    with translation.override("fr"):
        french = dict(countries)
    with translation.override("en"):
        rows += [_choice("country", code, french[code], name) for code, name in countries]
    rows += [_choice("region", r.code, r.name_fr, r.name_en) for r in Region.objects.all()]
    rows += [
        _choice("cercle", c.code, c.name_fr, c.name_fr, region=c.region_id) for c in Cercle.objects.all()
    ]
    return rows


def _bank_relevance(question, bank) -> str:
    """The same skip logic as the web form and the engine: age, suspected form, opening answer."""
    parts = []
    if question.applies != "all":
        parts.append(CHILD if question.applies == "child" else ADULT)
    modules = [b for b in question.blocks if b not in ("urgent", "core")]
    if modules:
        parts.append("(" + " or ".join(f"selected(${{suspected_forms}}, '{m}')" for m in modules) + ")")
    if question.when:
        opener = bank.by_id[question.when["question"]]
        values = opener.risk_values if question.when.get("side") == "risk" else question.when["in"]
        test = "selected" if opener.type == "multiple" else None
        ors = [
            f"selected(${{{opener.field_name}}}, '{v}')" if test else f"${{{opener.field_name}}} = '{v}'"
            for v in values
        ]
        parts.append("(" + " or ".join(ors) + ")")
    return " and ".join(parts)


def bank_survey_rows(bank) -> list[dict]:
    rows = [
        _row("start", "start"),
        _row("end", "end"),
        {**_row("calculate", "catalogue_version"), "calculation": f"'{bank.version}'"},
        *_profile_rows(),
    ]
    groups = [("urgent", "Urgences (à demander en premier)", "Urgent needs (ask first)")]
    groups += [("core", "Pour tous", "For everyone")]
    groups += [(f["id"], f["fr"], f["en"]) for f in bank.forms]
    for group, fr, en in groups:
        questions = [q for q in bank.by_id.values() if q.blocks[0] == group]
        if not questions:
            continue
        rows.append(_row("begin_group", group.replace("-", "_"), fr, en))
        for q in questions:
            kind = {"yesno": "select_one answer", "single": f"select_one {q.field_name}"}.get(
                q.type, f"select_multiple {q.field_name}"
            )
            rows.append(
                _row(kind, q.field_name, q.text["fr"], q.text["en"], relevant=_bank_relevance(q, bank))
            )
        rows.append(_row("end_group", group.replace("-", "_")))
    return rows


def bank_choice_rows(bank) -> list[dict]:
    rows = [_choice("answer", code, fr, en) for code, (fr, en) in BANK_ANSWERS.items()]
    for q in bank.by_id.values():
        if q.type != "yesno":
            rows += [_choice(q.field_name, o.id, o.text["fr"], o.text["en"]) for o in q.options]
            if q.type == "single":
                rows += [
                    _choice(q.field_name, c, fr, en)
                    for c, (fr, en) in BANK_ANSWERS.items()
                    if c not in ("yes", "no")
                ]
    return rows


BANK_ANSWERS = {
    "yes": ("Oui", "Yes"),
    "no": ("Non", "No"),
    "unknown": ("Inconnu", "Unknown"),
    "declined": ("Préfère ne pas répondre", "Prefers not to say"),
}


def build_workbook(catalogue_version) -> Workbook:
    catalogue = catalogue_version.catalogue
    bank = getattr(catalogue, "schema", None) == "question_bank"
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for row in bank_survey_rows(catalogue) if bank else survey_rows(catalogue):
        survey.append([row.get(column, "") for column in SURVEY_COLUMNS])
    choices = workbook.create_sheet("choices")
    choice_columns = ["list_name", "name", f"label::{FR}", f"label::{EN}", "region"]
    choices.append(choice_columns)
    common = [r for r in choice_rows(catalogue) if r["list_name"] != "answer"] if bank else []
    for row in (bank_choice_rows(catalogue) + common) if bank else choice_rows(catalogue):
        choices.append([row.get(column, "") for column in choice_columns])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    version = catalogue.version.replace(".", "")
    settings.append([f"Sira — dépistage / screening {catalogue.version}", "sira_screening", version, FR])
    neutralise_workbook(workbook)  # catalogue text is data, never a formula
    return workbook
