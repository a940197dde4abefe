"""Choice callables for model fields. Callables keep picklist data out of migrations: the values
live in core/data/vocabularies.csv and a data correction never needs a schema migration."""

from django.utils.translation import gettext_lazy as _

from sira.core.vocab import choices


def gender():
    return choices("gender")


def marital_status():
    return choices("marital_status")


def education():
    return choices("education")


def language():
    return choices("language")


def trafficking_status():
    return choices("trafficking_status")


def status_decider():
    return choices("status_decider")


def case_status():
    return choices("case_status")


def closure_reason():
    return choices("closure_reason")


def identification_context():
    return choices("identification_context")


def exploitation_form():
    return choices("exploitation_form")


def industry():
    return choices("industry")


def industry_subsector():
    return choices("industry_subsector")


def recruiter_relationship():
    return choices("recruiter_relationship")


def route_stop():
    return choices("route_stop")


def consent_purpose():
    return choices("consent_purpose")


# Age bands used by filters and statistics; children are split finely because most victims are children.
AGE_GROUPS = [
    ("0-5", _("0–5 years"), 0, 5),
    ("6-11", _("6–11 years"), 6, 11),
    ("12-14", _("12–14 years"), 12, 14),
    ("15-17", _("15–17 years"), 15, 17),
    ("18-24", _("18–24 years"), 18, 24),
    ("25-34", _("25–34 years"), 25, 34),
    ("35-49", _("35–49 years"), 35, 49),
    ("50+", _("50 years and over"), 50, 150),
]
AGE_GROUP_CHOICES = [(code, label) for code, label, _lo, _hi in AGE_GROUPS]
AGE_BOUNDS = {code: (lo, hi) for code, _label, lo, hi in AGE_GROUPS}


def age_group(age: int | None) -> str:
    if age is None:
        return ""
    for code, _label, lo, hi in AGE_GROUPS:
        if lo <= age <= hi:
            return code
    return ""


def legal_basis():
    return choices("legal_basis")


def service_type():
    return choices("service_type")
