"""Cases registered through the registry's service, for statistics tests."""

import datetime as dt

from sira.cases import services


def register(
    by,
    *,
    gender="Feminine",
    age=14,
    region="ML01",
    forms=("DomesticServitude",),
    day=None,
    statistics=None,
    origin=None,
    exploitation=None,
    citizenships=("ML",),
):
    route = []
    if origin:
        route.append({"kind": "Origin", "country": "ML", "region_id": origin})
    if exploitation:
        route.append({"kind": "Exploitation", "country": "ML", "region_id": exploitation})
    route.append({"kind": "Identification", "country": "ML", "region_id": region})
    consents = {"Registration": {"given": True}}
    if statistics is not None:
        consents["Statistics"] = {"given": statistics}
    return services.register_case(
        by=by,
        synthetic=True,
        person={
            "first_name": "Test",
            "last_name": "Stat",
            "gender": gender,
            "estimated_age": age,
            "citizenships": list(citizenships),
        },
        case={
            "identification_date": day or dt.date(2025, 3, 10),
            "identification_context": "Community",
            "identification_region_id": region,
        },
        exploitation={"forms": list(forms)},
        route=route,
        consents=consents,
    )
