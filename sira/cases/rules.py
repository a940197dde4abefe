"""Cross-field rules shared by the web forms and the API, so both refuse the same input with the
same message in the user's language."""

import datetime as dt

from django.utils.translation import gettext as _

MAX_AGE = 120


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def check_person_dates(*, birth_date, estimated_age, identification_date, today=None) -> dict[str, str]:
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    if birth_date and birth_date > today:
        errors["birth_date"] = _("The date of birth cannot be in the future.")
    elif birth_date and identification_date and birth_date > identification_date:
        errors["birth_date"] = _("The date of birth cannot be after the identification date.")
    elif birth_date and identification_date and age_on(birth_date, identification_date) > MAX_AGE:
        errors["birth_date"] = _("This date of birth gives an age over %(max)d years.") % {"max": MAX_AGE}
    if estimated_age is not None and estimated_age > MAX_AGE:
        errors["estimated_age"] = _("An age over %(max)d years is not possible.") % {"max": MAX_AGE}
    if identification_date and identification_date > today:
        errors["identification_date"] = _("The identification date cannot be in the future.")
    return errors


def check_exploitation_dates(*, start_date, end_date, age_at_recruitment) -> dict[str, str]:
    errors: dict[str, str] = {}
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("The end of exploitation cannot be before its start.")
    if age_at_recruitment is not None and age_at_recruitment > MAX_AGE:
        errors["age_at_recruitment"] = _("An age over %(max)d years is not possible.") % {"max": MAX_AGE}
    return errors


def check_route_stop(*, country, region, cercle) -> dict[str, str]:
    errors: dict[str, str] = {}
    if region is not None and str(country) != "ML":
        errors["region"] = _("A region of Mali can only be given for a place in Mali.")
    if cercle is not None and region is None:
        errors["region"] = _("Choose the region of this cercle.")
    elif cercle is not None and cercle.region_id != region.pk:
        errors["cercle"] = _("This cercle is not in the chosen region.")
    return errors


def age_at_identification(*, birth_date, estimated_age, identification_date) -> int | None:
    if birth_date and identification_date:
        return age_on(birth_date, identification_date)
    return estimated_age
