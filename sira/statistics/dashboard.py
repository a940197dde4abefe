"""What the statistics pages show: the panels (one layer query each), the filters they take, and the
map's indicators. Every figure comes from `layer.run`, so the disclosure control of the layer applies
to each page, CSV download, map and API answer alike."""

from __future__ import annotations

import dataclasses

from django import forms
from django.utils.translation import gettext_lazy as _

from sira.cases.choices import AGE_GROUP_CHOICES
from sira.core.vocab import choices as vocab_choices
from sira.statistics import layer


@dataclasses.dataclass(frozen=True)
class Panel:
    key: str
    title: object
    measure: str
    by: tuple[str, ...]
    section: str = "victims"


SECTIONS = {
    "victims": _("Victims identified"),
    "routes": _("Routes and places"),
    "support": _("Referral and justice"),
    "screenings": _("Screenings"),
}

PANELS = [
    Panel("trend", _("Trend"), "victims", ("year",)),
    Panel("sex", _("By sex"), "victims", ("sex",)),
    Panel("age_group", _("By age group"), "victims", ("age_group",)),
    Panel("child", _("Children and adults"), "victims", ("child",)),
    Panel("age_band", _("By age band (CTDC)"), "victims", ("age_band",)),
    Panel("nationality", _("By nationality"), "victims", ("nationality",)),
    Panel("form", _("By form of exploitation"), "victims", ("form",)),
    Panel("industry", _("By industry"), "victims", ("industry",)),
    Panel("context", _("By identification context"), "victims", ("context",)),
    Panel("org_type", _("By type of identifying organisation"), "victims", ("org_type",)),
    Panel("status", _("By trafficking status"), "victims", ("status",)),
    Panel("region", _("By region of identification"), "victims", ("region",), "routes"),
    Panel("origin_region", _("By region of origin"), "victims", ("origin_region",), "routes"),
    Panel("exploitation_region", _("By region of exploitation"), "victims", ("exploitation_region",),
          "routes"),
    Panel("routes", _("Routes: region of origin → region of exploitation"), "victims",
          ("origin_region", "exploitation_region"), "routes"),
    Panel("form_region", _("Forms of exploitation by region of identification"), "victims",
          ("form", "region"), "routes"),
    Panel("referral_stage", _("Referral stage reached"), "victims", ("referral_stage",), "support"),
    Panel("justice_stage", _("Justice stage reached"), "victims", ("justice_stage",), "support"),
    Panel("referral_service", _("Referrals by service"), "referrals", ("service",), "support"),
    Panel("referral_state", _("Referrals by status"), "referrals", ("referral_state",), "support"),
    Panel("screening_outcome", _("What the indicators suggested"), "screenings", ("outcome",), "screenings"),
    Panel("screening_determination", _("What workers determined"), "screenings", ("determination",),
          "screenings"),
]  # fmt: skip
PANEL_BY_KEY = {p.key: p for p in PANELS}
# On a region's page the breakdowns by region become breakdowns by cercle.
REGION_PAGE = {
    "region": ("cercle",),
    "origin_region": ("origin_cercle",),
    "exploitation_region": ("exploitation_cercle",),
    "form_region": ("form", "cercle"),
}


def _years():
    from sira.statistics.models import Cell

    years = Cell.objects.filter(grouping="year", measure="victims").values_list("year", flat=True)
    return sorted({y for y in years if y}, reverse=True)


class FilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(q, f"T{q}") for q in (1, 2, 3, 4)]],
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False)
    age_group = forms.ChoiceField(label=_("Age group"), required=False)
    form = forms.ChoiceField(label=_("Form of exploitation"), required=False)

    def __init__(self, *args, region_fixed: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        from sira.geo.models import Region

        blank = [("", _("All"))]
        self.fields["year"].choices = blank + [(y, y) for y in _years()]
        self.fields["quarter"].choices = blank + [(q, f"T{q}") for q in (1, 2, 3, 4)]
        self.fields["region"].choices = blank + [(r.pk, str(r)) for r in Region.objects.all()]
        self.fields["sex"].choices = blank + vocab_choices("gender")
        self.fields["age_group"].choices = blank + list(AGE_GROUP_CHOICES)
        self.fields["form"].choices = blank + vocab_choices("exploitation_form")
        if region_fixed:
            del self.fields["region"]

    def clean(self):
        data = super().clean()
        if data.get("quarter") and not data.get("year"):
            self.add_error("quarter", _("Choose the year of the quarter."))
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def applicable(measure: str, filters: dict) -> tuple[dict, list[str]]:
    """The filters a measure can take, and the names of those it cannot (shown as a note)."""
    ok, skipped = {}, []
    for name, value in filters.items():
        if name in layer.PERIODS or measure in layer.DIMENSIONS[name].measures:
            ok[name] = value
        else:
            skipped.append(name)
    return ok, skipped


def panel_query(panel: Panel, filters: dict, *, region_page: bool = False) -> layer.Query:
    by = panel.by
    if region_page and panel.key in REGION_PAGE:
        by = REGION_PAGE[panel.key]
    if panel.key == "trend":
        by = ("month",) if filters.get("year") else ("year",)
    ok, _skipped = applicable(panel.measure, filters)
    return layer.Query(measure=panel.measure, by=by, filters=ok)


def panels(user, filters: dict, *, region_page: bool = False) -> list[dict]:
    queries = [panel_query(panel, filters, region_page=region_page) for panel in PANELS]
    tables = layer.run_all(queries, user)
    return [
        {"panel": panel, "table": table, "skipped": applicable(panel.measure, filters)[1]}
        for panel, table in zip(PANELS, tables, strict=True)
    ]


# --- the map ----------------------------------------------------------------------------------------

MAP_PLACES = {
    "region": (_("Region of identification"), "region", "cercle"),
    "origin": (_("Region of origin"), "origin_region", "origin_cercle"),
    "exploitation": (_("Region of exploitation"), "exploitation_region", "exploitation_cercle"),
}
MAP_MEASURES = {"victims", "screenings", "referrals"}


def map_query(measure: str, place: str, level: str, filters: dict) -> layer.Query:
    """The figure a map colours: a measure by region (or cercle) of a kind of place."""
    _title, region_dim, cercle_dim = MAP_PLACES[place]
    dim = cercle_dim if level == "cercle" else region_dim
    if measure != "victims":
        dim = "region"
    ok, _skipped = applicable(measure, filters)
    return layer.Query(measure=measure, by=(dim,), filters=ok)
