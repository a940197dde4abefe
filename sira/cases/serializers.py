from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from sira.accounts.models import Organisation
from sira.cases import rules
from sira.cases.models import PERSON_FIELDS, Case, Exploitation, Person, RouteStop
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
        fields = [
            "form",
            "industry",
            "subsector",
            "means_of_control",
            "recruitment_methods",
            "recruiter_relationship",
            "age_at_recruitment",
            "start_date",
            "end_date",
        ]

    def validate(self, attrs):
        errors = rules.check_exploitation_dates(
            start_date=attrs.get("start_date"),
            end_date=attrs.get("end_date"),
            age_at_recruitment=attrs.get("age_at_recruitment"),
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class RouteStopSerializer(CountryFieldMixin, serializers.ModelSerializer):
    country = CountryField()

    class Meta:
        model = RouteStop
        fields = ["kind", "country", "region", "cercle", "locality", "date"]

    def validate(self, attrs):
        errors = rules.check_route_stop(
            country=attrs["country"], region=attrs.get("region"), cercle=attrs.get("cercle")
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ConsentInputSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=list(terms("consent_purpose")))
    given = serializers.BooleanField()
    organisations = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, required=False
    )


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
        ]


class CaseCreateSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    exploitations = ExploitationSerializer(many=True)
    route = RouteStopSerializer(many=True, required=False)
    consents = ConsentInputSerializer(many=True)

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
        ]
        extra_kwargs = {"case_number": {"required": False}}

    def validate(self, attrs):
        person = attrs["person"]
        errors = rules.check_person_dates(
            birth_date=person.get("birth_date"),
            estimated_age=person.get("estimated_age"),
            identification_date=attrs.get("identification_date"),
        )
        if errors:
            raise serializers.ValidationError(errors)
        if not attrs["exploitations"]:
            raise serializers.ValidationError({"exploitations": _("Give at least one form of exploitation.")})
        if not any(c["purpose"] == "Registration" for c in attrs["consents"]):
            raise serializers.ValidationError(
                {"consents": _("Record whether the person consents to registration.")}
            )
        return attrs

    def service_input(self) -> dict:
        data = dict(self.validated_data)
        exploitations = data.pop("exploitations")
        shared = {k: v for k, v in exploitations[0].items() if k != "form"}
        return {
            "person": data.pop("person"),
            "exploitation": {"forms": [e["form"] for e in exploitations], **shared},
            "route": data.pop("route", []),
            "consents": {c["purpose"]: c for c in data.pop("consents")},
            "case": data,
        }


class CaseUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["case_status", "closure_reason", "trafficking_status", "status_decider", "narrative"]
