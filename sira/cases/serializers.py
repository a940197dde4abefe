from django_countries.serializer_fields import CountryField
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from sira.accounts.models import Organisation, User
from sira.cases.models import (
    EXPLOITATION_FIELDS,
    PERSON_FIELDS,
    Case,
    CaseGrant,
    Exploitation,
    Person,
    RouteStop,
)
from sira.core.vocab import terms


class PersonSerializer(CountryFieldMixin, serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = PERSON_FIELDS
        extra_kwargs = {
            "first_name": {"required": True, "allow_blank": False},
            "citizenships": {"required": False},
        }


class ExploitationSerializer(serializers.ModelSerializer):
    means_of_control = serializers.ListField(
        child=serializers.ChoiceField(choices=list(terms("means_of_control"))), required=False
    )
    recruitment_methods = serializers.ListField(
        child=serializers.ChoiceField(choices=list(terms("recruitment_method"))), required=False
    )

    class Meta:
        model = Exploitation
        fields = ["id", *EXPLOITATION_FIELDS, "version"]
        read_only_fields = ["version"]  # a new part starts at 1; an edit sends the version it read


class RouteStopSerializer(CountryFieldMixin, serializers.ModelSerializer):
    country = CountryField()

    class Meta:
        model = RouteStop
        fields = ["id", "kind", "country", "region", "cercle", "locality", "date", "version"]
        read_only_fields = ["version"]


VERSION_MAX = 2**31 - 1  # the column's range: a larger number is a 400, not a database error


def version_field():
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=VERSION_MAX,
        help_text="The version read (as in the ETag). Required unless an If-Match header gives it: a "
        "stale version is refused with 409 (412 for If-Match) and nothing is changed.",
    )


class RouteStopWriteSerializer(RouteStopSerializer):
    version = version_field()


def confirm_field():
    return serializers.ListField(
        child=serializers.CharField(),
        required=False,
        write_only=True,
        help_text="Codes of the consistency warnings the user has checked and confirms.",
    )


class ConsentInputSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=list(terms("consent_purpose")))
    given = serializers.BooleanField()
    organisations = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, required=False
    )
    legal_basis = serializers.ChoiceField(
        choices=list(terms("legal_basis")),
        required=False,
        allow_blank=True,
        help_text="Registration refused: the legal basis the case is kept on (with a justification).",
    )
    justification = serializers.CharField(required=False, allow_blank=True, write_only=True)


class CaseSummarySerializer(serializers.ModelSerializer):
    """List rows: no identifying data (names appear only on a case's own record, which is audited)."""

    forms = serializers.SerializerMethodField()
    gender = serializers.CharField(source="person.gender")

    class Meta:
        model = Case
        fields = [
            "id",
            "case_number",
            "organisation",
            "identification_date",
            "identification_context",
            "identification_region",
            "age_at_identification",
            "gender",
            "trafficking_status",
            "case_status",
            "forms",
        ]

    def get_forms(self, case) -> list[str]:
        return [e.form for e in case.exploitations.all()]


class CaseSearchSerializer(serializers.Serializer):
    """POST /api/v1/cases/search/: the search (a name or a case number) and the list's filters."""

    q = serializers.CharField(max_length=200, required=False, allow_blank=True)
    case_status = serializers.CharField(max_length=40, required=False, allow_blank=True)
    form = serializers.CharField(max_length=40, required=False, allow_blank=True)
    gender = serializers.CharField(max_length=40, required=False, allow_blank=True)
    age_group = serializers.CharField(max_length=40, required=False, allow_blank=True)
    region = serializers.CharField(max_length=10, required=False, allow_blank=True)
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)


class CaseSearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    count_capped = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CaseSummarySerializer(many=True)
    search_token = serializers.CharField(
        allow_null=True, help_text="Give it as `s` to GET /api/v1/cases/ and its export."
    )


class CaseDetailSerializer(CaseSummarySerializer):
    person = PersonSerializer(read_only=True)
    exploitations = ExploitationSerializer(many=True, read_only=True)
    route = RouteStopSerializer(many=True, read_only=True)

    class Meta(CaseSummarySerializer.Meta):
        fields = [
            *CaseSummarySerializer.Meta.fields,
            "identification_cercle",
            "status_decider",
            "status_decided_on",
            "closure_reason",
            "narrative",
            "person",
            "exploitations",
            "route",
            "version",
        ]


class CaseSavedSerializer(CaseSummarySerializer):
    """A case as an edit leaves it, with the version to send with the next edit."""

    class Meta(CaseSummarySerializer.Meta):
        fields = [*CaseSummarySerializer.Meta.fields, "version"]


class CaseCreateSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    exploitations = ExploitationSerializer(many=True)
    route = RouteStopSerializer(many=True, required=False)
    consents = ConsentInputSerializer(many=True)
    confirm_warnings = confirm_field()

    class Meta:
        model = Case
        fields = [
            "case_number",
            "identification_date",
            "identification_context",
            "identification_region",
            "identification_cercle",
            "trafficking_status",
            "status_decider",
            "narrative",
            "person",
            "exploitations",
            "route",
            "consents",
            "confirm_warnings",
        ]
        extra_kwargs = {"case_number": {"required": False}}

    def service_input(self) -> dict:
        """The rules (dates, places, consent…) are checked by the service, like for every path."""
        data = dict(self.validated_data)
        data.pop("confirm_warnings", None)
        exploitations = data.pop("exploitations")
        forms = [e["form"] for e in exploitations]
        return {
            "person": data.pop("person"),
            # Each form keeps its own details (industry, age when recruited…).
            "exploitation": {"forms": forms, "rows": [dict(e) for e in exploitations]},
            "route": data.pop("route", []),
            "consents": {c["purpose"]: c for c in data.pop("consents")},
            "case": data,
        }


class CaseUpdateSerializer(serializers.ModelSerializer):
    person = PersonSerializer(required=False, partial=True)
    confirm_warnings = confirm_field()
    version = version_field()

    class Meta:
        model = Case
        fields = [
            "identification_date",
            "identification_context",
            "identification_region",
            "identification_cercle",
            "case_status",
            "closure_reason",
            "trafficking_status",
            "status_decider",
            "narrative",
            "person",
            "confirm_warnings",
            "version",
        ]


class ExploitationWriteSerializer(ExploitationSerializer):
    confirm_warnings = confirm_field()
    version = version_field()

    class Meta(ExploitationSerializer.Meta):
        fields = [*ExploitationSerializer.Meta.fields, "confirm_warnings"]


class ConsentWriteSerializer(ConsentInputSerializer):
    recorded_on = serializers.DateField(required=False)


class WithdrawalSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField(required=False)
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=VERSION_MAX, help_text="The consent's version read."
    )


class EmergencyAccessSerializer(serializers.Serializer):
    case_number = serializers.CharField(max_length=40)
    reason = serializers.CharField(help_text="The emergency, in writing (no name: the committee reads it).")


class EmergencyGrantSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="case_id")
    expires_at = serializers.DateTimeField()


# Follow-up and sharing (issue 11): the same services as the follow-up and sharing pages.


class NoteWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class AssistanceWriteSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=40)
    provider = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    given_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class GoalWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    review_on = serializers.DateField()


class ClosureSerializer(serializers.Serializer):
    closure_reason = serializers.CharField(max_length=30)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ShareSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=200)
    urgent_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class GrantSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseGrant
        fields = [
            "id",
            "organisation",
            "user",
            "basis",
            "reason",
            "fields",
            "created_at",
            "expires_at",
            "revoked_at",
        ]
        read_only_fields = fields
