from functools import lru_cache

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from sira.cases.choices import AGE_BOUNDS, AGE_GROUP_CHOICES
from sira.cases.models import Case, Exploitation
from sira.cases.search import matching
from sira.core.vocab import choices
from sira.geo.models import Region


def region_choices() -> list[tuple[str, str]]:
    """The regions by code, named in the active language: one plain query (a model choice field
    reads its options through a server-side cursor, four round trips on PostgreSQL)."""
    return [(r.code, str(r)) for r in Region.objects.only("code", "name_fr", "name_en").order_by("code")]


class CaseFilters(django_filters.FilterSet):
    """The filters of the case list that may travel in a URL (no name in them)."""

    case_status = django_filters.ChoiceFilter(label=_("Case status"), choices=lambda: choices("case_status"))
    form = django_filters.ChoiceFilter(
        label=_("Form of exploitation"), choices=lambda: choices("exploitation_form"), method="filter_form"
    )
    gender = django_filters.ChoiceFilter(
        label=_("Sex / gender"), choices=lambda: choices("gender"), field_name="person__gender"
    )
    age_group = django_filters.ChoiceFilter(
        label=_("Age group"), choices=AGE_GROUP_CHOICES, method="filter_age"
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=lambda: region_choices(), field_name="identification_region"
    )
    date_from = django_filters.DateFilter(
        label=_("Identified from"), field_name="identification_date", lookup_expr="gte"
    )
    date_to = django_filters.DateFilter(
        label=_("Identified until"), field_name="identification_date", lookup_expr="lte"
    )

    class Meta:
        model = Case
        fields = []

    def filter_form(self, queryset, name, value: str):
        """A semi-join on the forms of exploitation, not a join: no DISTINCT over the list's columns,
        and PostgreSQL can keep reading the list in its index order, probing each case's forms."""
        return queryset.filter(pk__in=Exploitation.objects.filter(form=value).values("case_id"))

    def filter_age(self, queryset, name, value):
        low, high = AGE_BOUNDS[value]
        return queryset.filter(age_at_identification__gte=low, age_at_identification__lte=high)


class CaseFilter(CaseFilters):
    """The list's filters and its search (`q`), as every read path applies them once a search token has
    been resolved (sira.cases.search.resolve)."""

    q = django_filters.CharFilter(
        label=_("Name or case number"),
        method="filter_q",
        # Names typed here are not remembered by the browser.
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The search box comes first on the page.
        self.filters = {"q": self.filters.pop("q"), **self.filters}

    def filter_q(self, queryset, name, value):
        """Name (partial, any order, variant spellings) or case number: see sira.cases.search. A filter
        only (the export's): the list and the API order the matches best first (search.paginate)."""
        return matching(queryset, value)


class CaseListFilter(CaseFilter):
    """The case list's filters (page and API): the search text is not applied here but by
    search.paginate, which reads a one-word search one score at a time (see search.tiers)."""

    def filter_q(self, queryset, name, value):
        return queryset


class CaseListParameters(CaseFilters):
    """The query parameters of GET /api/v1/cases/ (and its export), as the schema shows them: a search
    is sent by POST /api/v1/cases/search/ and followed by its token `s`."""

    s = django_filters.CharFilter(
        label=_("Search token"),
        method="filter_token",
        help_text=_("The search_token of POST /api/v1/cases/search/ (a name never goes in a URL)."),
    )

    class Meta:
        model = Case
        fields = []

    def filter_token(self, queryset, name, value: str):
        return queryset  # resolved into the search before filtering (CaseViewSet.filter_queryset)


def filter_fields_html(form, language: str) -> SafeString:
    """The list's filter fields (all but the search box) as HTML. The same few choices are drawn on
    every list page, so each combination of values is drawn once per process and language: drawing
    them costs a seventh of a list page. The values come from the query string (never a name: the
    search box is not among them); a form with errors is drawn afresh."""
    names = [name for name in form.fields if name != "q"]
    if form.is_bound and form.errors:
        return _draw(form, names)
    data = form.data if form.is_bound else {}
    values = tuple((name, tuple(data.getlist(name)) if hasattr(data, "getlist") else ()) for name in names)
    return _drawn(language, values)


@lru_cache(maxsize=512)
def _drawn(language: str, values: tuple) -> SafeString:
    data = QueryDict(mutable=True)
    for name, items in values:
        data.setlist(name, list(items))
    form = CaseListFilter(data if any(items for _name, items in values) else None).form
    return _draw(form, [name for name, _items in values])


def _draw(form, names) -> SafeString:
    return format_html_join(
        "", '<div class="field">{}{}</div>', ((form[n].label_tag(), form[n]) for n in names)
    )
