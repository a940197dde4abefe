import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sira.cases.choices import AGE_BOUNDS, AGE_GROUP_CHOICES
from sira.cases.models import Case
from sira.core.crypto import blind_index
from sira.core.vocab import choices
from sira.geo.models import Region


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or case number"), method="filter_q")
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
        """Exact name search through the blind indexes (names themselves are encrypted): the query is
        a case number, a first or last name, or a first name followed by a last name. Multi-word names
        ("Ba Hamidou", "Le Gall") are matched by trying every split point."""
        words = value.split()
        query = Q(case_number__iexact=value.strip())
        if words:
            whole = blind_index(value)
            query |= Q(person__first_name_index=whole) | Q(person__last_name_index=whole)
            for split in range(1, len(words)):
                query |= Q(
                    person__first_name_index=blind_index(" ".join(words[:split])),
                    person__last_name_index=blind_index(" ".join(words[split:])),
                )
        return queryset.filter(query)

    def filter_age(self, queryset, name, value):
        low, high = AGE_BOUNDS[value]
        return queryset.filter(age_at_identification__gte=low, age_at_identification__lte=high)
