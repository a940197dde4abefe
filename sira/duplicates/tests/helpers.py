"""Registering the persons the duplicate tests compare, through the registry's service."""

import datetime as dt

from sira.cases import services
from sira.geo.models import Cercle


def cercle(region="ML01"):
    return Cercle.objects.filter(region_id=region).order_by("code").first()


def register(
    by,
    first,
    last,
    *,
    middle="",
    gender="Feminine",
    age=14,
    region="ML01",
    cercle_code=None,
    birth_date=None,
    share_with=(),
    days_ago=10,
):
    cercle_code = cercle_code if cercle_code is not None else cercle(region).code
    consents = {"Registration": {"given": True}}
    if share_with:
        consents["Sharing"] = {"given": True, "organisations": list(share_with)}
    person = {"first_name": first, "last_name": last, "gender": gender, "citizenships": ["ML"]}
    if middle:
        person["middle_name"] = middle
    if birth_date:
        person["birth_date"] = birth_date
    else:
        person["estimated_age"] = age
    return services.register_case(
        by=by,
        synthetic=True,
        person=person,
        case={
            "identification_date": dt.date.today() - dt.timedelta(days=days_ago),
            "identification_context": "Community",
            "identification_region_id": region,
            "identification_cercle_id": cercle_code or None,
        },
        exploitation={"forms": ["DomesticServitude"]},
        route=[{"kind": "Identification", "country": "ML", "region_id": region}],
        consents=consents,
    )
