"""Pure rules of the justice chain (no I/O). Errors are returned as {field: message}, in the active
language; services raise them all at once and change nothing."""

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from sira.justice.choices import Outcome


def in_force(article, on: dt.date) -> bool:
    return article.valid_from <= on and (article.valid_to is None or on <= article.valid_to)


def article_in_force(articles: Iterable, code: str, on: dt.date):
    """The version of offence `code` whose text was in force on `on` (the offence date), or None."""
    matching = [a for a in articles if a.code == code and in_force(a, on)]
    return max(matching, key=lambda a: a.valid_from) if matching else None


def check_dates(opened_on, closed_on, today: dt.date, *, opened="opened_on", closed="closed_on") -> dict:
    errors = {}
    if opened_on and opened_on > today:
        errors[opened] = _("The date cannot be in the future.")
    if closed_on and closed_on > today:
        errors[closed] = _("The date cannot be in the future.")
    elif opened_on and closed_on and closed_on < opened_on:
        errors[closed] = _("The closing date cannot be before the opening date.")
    return errors


def check_investigation(*, opened_on, forms, today) -> dict:
    errors = check_dates(opened_on, None, today)
    if not forms:
        errors["forms"] = _("Choose at least one form of exploitation.")
    return errors


def check_closing(*, opened_on, closed_on, reason, today) -> dict:
    errors = check_dates(opened_on, closed_on, today)
    if not closed_on:
        errors["closed_on"] = _("Give the closing date.")
    if not reason:
        errors["closing_reason"] = _("Give the reason for closing the investigation.")
    return errors


def check_prosecution(*, opened_on, investigation_opened_on, today) -> dict:
    errors = check_dates(opened_on, None, today)
    if opened_on and investigation_opened_on and opened_on < investigation_opened_on:
        errors["opened_on"] = _("A prosecution cannot open before its investigation.")
    return errors


def check_charge(*, article, offence_date, today) -> dict:
    errors = {}
    if offence_date and offence_date > today:
        errors["offence_date"] = _("The offence date cannot be in the future.")
    elif article is None:
        errors["article"] = _("No text of this offence was in force on the offence date: choose another.")
    return errors


def check_outcome(*, charge, outcome, outcome_date, dropped_reason, sentence, opened_on, today) -> dict:
    """A conviction needs a charge (refused otherwise); a decided charge needs its date; dropped charges
    need their reason; only a conviction carries a sentence."""
    errors = {}
    if charge is None:
        if outcome == Outcome.CONVICTED:
            errors["charge"] = _(
                "A conviction must be on a charge: add the charge (suspect and article) first."
            )
        else:
            errors["charge"] = _("Choose the charge this outcome is for.")
        return errors
    if outcome != Outcome.PENDING:
        if not outcome_date:
            errors["outcome_date"] = _("Give the date of the decision.")
        elif outcome_date > today:
            errors["outcome_date"] = _("The date cannot be in the future.")
        elif opened_on and outcome_date < opened_on:
            errors["outcome_date"] = _("The decision cannot be before the prosecution opened.")
    if outcome == Outcome.DROPPED and not dropped_reason:
        errors["dropped_reason"] = _("Give the reason the charges were dropped.")
    if sentence:
        if outcome != Outcome.CONVICTED:
            errors["prison_months"] = _("Only a conviction carries a sentence.")
        elif (sentence.get("suspended_months") or 0) > (sentence.get("prison_months") or 0):
            errors["suspended_months"] = _("The suspended part cannot be longer than the prison term.")
    return errors


def sentence_review_reasons(article, *, prison_months=0, life=False, fine_fcfa=0) -> list[str]:
    """Why a sentence needs a second look against the article's range (never a refusal: courts
    decide). Codes, shown with `review_reason_label`."""
    reasons = []
    if life:
        if not article.life:
            reasons.append("life_not_provided")
    else:
        low, high = article.prison_min_months, article.prison_max_months
        if low is not None and prison_months < low:
            reasons.append("prison_below_minimum")
        if high is not None and prison_months > high and not article.life:
            reasons.append("prison_above_maximum")
    if fine_fcfa:
        if article.fine_min_fcfa is not None and fine_fcfa < article.fine_min_fcfa:
            reasons.append("fine_below_minimum")
        if article.fine_max_fcfa is not None and fine_fcfa > article.fine_max_fcfa:
            reasons.append("fine_above_maximum")
    if reasons and not article.verified:
        reasons.append("range_unverified")
    return reasons


def review_reason_label(code: str) -> str:
    return {
        "life_not_provided": _("life imprisonment is not provided by this article"),
        "prison_below_minimum": _("prison term below the article's minimum"),
        "prison_above_maximum": _("prison term above the article's maximum"),
        "fine_below_minimum": _("fine below the article's minimum"),
        "fine_above_maximum": _("fine above the article's maximum"),
        "range_unverified": _("the article's range is itself not yet verified against the statute"),
    }.get(code, code)


def penalty_text(article) -> str:
    """The article's range as a person reads it: "5 to 10 years", "up to 10 years", "not known"."""

    def years(months):
        return _("%(n)s months") % {"n": months} if months % 12 else _("%(n)s years") % {"n": months // 12}

    low, high = article.prison_min_months, article.prison_max_months
    if low is not None and high is not None:
        text = _("%(low)s to %(high)s") % {"low": years(low), "high": years(high)}
    elif high is not None:
        text = _("up to %(high)s") % {"high": years(high)}
    elif low is not None:
        text = _("at least %(low)s") % {"low": years(low)}
    else:
        text = ""
    if article.life:
        text = f"{text}, {_('life imprisonment')}" if text else _("life imprisonment")
    return text or _("penalty not known")
