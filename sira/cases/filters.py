import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sira.cases.choices import AGE_BOUNDS, AGE_GROUP_CHOICES
from sira.cases.models import Case
from sira.cases.search import search_cases
from sira.core.vocab import choices
from sira.geo.models import Region


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or case number"),
        method="filter_q",
        # Names typed here are not remembered by the browser.
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    case_status = django_filters.ChoiceFilter(label=_("Case status"), choices=lambda: choices("case_status"))
    form = django_filters.ChoiceFilter(
        label=_("Form of exploitation"),
        choices=lambda: choices("exploitation_form"),
        field_name="exploitations__form",
        distinct=True,
    )
    gender = django_filters.ChoiceFilter(
        label=_("Sex / gender"), choices=lambda: choices("gender"), field_name="person__gender"
    )
    age_group = django_filters.ChoiceFilter(
        label=_("Age group"), choices=AGE_GROUP_CHOICES, method="filter_age"
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), field_name="identification_region"
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

    def filter_q(self, queryset, name, value):
        """Name (partial, any order, variant spellings) or case number: see sira.cases.search."""
        return search_cases(queryset, value)

    def filter_age(self, queryset, name, value):
        low, high = AGE_BOUNDS[value]
        return queryset.filter(age_at_identification__gte=low, age_at_identification__lte=high)
