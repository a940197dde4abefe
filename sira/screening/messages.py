"""Import problems are stored as codes and shown in the reader's language."""

from django.utils.translation import gettext as _

from sira.cases.rules import MAX_AGE


def import_error(error: dict) -> str:
    texts = {
        "missing_id": _("the submission id (instanceID) is missing"),
        "bad_id": _("the submission id “%(value)s” is longer than 100 characters"),
        "bad_date": _("“%(value)s” is not a date (expected YYYY-MM-DD)"),
        "bad_choice": _("“%(value)s” is not one of the allowed codes"),
        "bad_age": _("“%(value)s” is not an age between 0 and %(max)d"),
        "bad_country": _("“%(value)s” is not an ISO 3166 country code"),
        "bad_cercle": _("cercle “%(value)s” is not in the region given"),
        "bad_answer": _("“%(value)s” is not an answer code (yes, no, unknown or empty)"),
    }
    detail = texts[error["code"]] % {"max": MAX_AGE, **error["params"]}
    return _("Row %(row)s, column %(column)s: %(detail)s.") % {
        "row": error["row"],
        "column": error["column"],
        "detail": detail,
    }
