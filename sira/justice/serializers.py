"""API input and output of the justice chain. Input serializers only parse; the services check the
rules (every error at once, in the request's language). No output carries a victim's identity; a
suspect's name is returned only to the justice users who may see the investigation."""

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from sira.cases import choices as case_choices
from sira.justice import choices, rules
from sira.justice.models import Charge, Investigation, LegalArticle, Prosecution, Suspect


def _choices(callable_or_list):
    return [c[0] for c in (callable_or_list() if callable(callable_or_list) else callable_or_list)]


class InvestigationInput(serializers.Serializer):
    agency = serializers.ChoiceField(choices=choices.Agency.choices)
    opened_on = serializers.DateField()
    region = serializers.CharField()
    forms = serializers.ListField(
        child=serializers.ChoiceField(choices=_choices(case_choices.exploitation_form))
    )
    operation_type = serializers.ChoiceField(choices=choices.OperationType.choices)
    cases = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class CloseInput(serializers.Serializer):
    closed_on = serializers.DateField()
    closing_reason = serializers.ChoiceField(choices=choices.ClosingReason.choices)


class SuspectInput(serializers.Serializer):
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    alias = serializers.CharField(required=False, allow_blank=True, max_length=100)
    identity_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    gender = serializers.ChoiceField(choices=_choices(case_choices.gender))
    nationality = CountryField(required=False, allow_blank=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=choices.RoleInProcess.choices), required=False, default=list
    )
    is_public_official = serializers.BooleanField(required=False, default=False)


class ProsecutionInput(serializers.Serializer):
    investigation = serializers.IntegerField()
    organisation = serializers.IntegerField()
    court = serializers.ChoiceField(choices=choices.Court.choices)
    court_reference = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    opened_on = serializers.DateField()


class ChargeInput(serializers.Serializer):
    suspect = serializers.IntegerField()
    article = serializers.CharField(help_text="Offence code from /api/v1/justice/articles/")
    offence_date = serializers.DateField()


class HearingInput(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=choices.HearingKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class VerdictInput(serializers.Serializer):
    charge = serializers.IntegerField(required=False, allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=choices.Outcome.choices)
    outcome_date = serializers.DateField(required=False, allow_null=True, default=None)
    dropped_reason = serializers.ChoiceField(
        choices=choices.DroppedReason.choices, required=False, allow_blank=True, default=""
    )
    prison_months = serializers.IntegerField(required=False, min_value=0, default=0)
    suspended_months = serializers.IntegerField(required=False, min_value=0, default=0)
    life = serializers.BooleanField(required=False, default=False)
    fine_fcfa = serializers.IntegerField(required=False, min_value=0, default=0)
    other = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class AppealInput(serializers.Serializer):
    suspect = serializers.IntegerField()
    appealed_by = serializers.ChoiceField(choices=choices.AppealBy.choices)
    filed_on = serializers.DateField()
    result = serializers.ChoiceField(choices=choices.AppealResult.choices, default="pending")
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)


class ArticleSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    penalty = serializers.SerializerMethodField()

    class Meta:
        model = LegalArticle
        fields = [
            "id",
            "code",
            "instrument",
            "article",
            "title",
            "valid_from",
            "valid_to",
            "prison_min_months",
            "prison_max_months",
            "life",
            "fine_min_fcfa",
            "fine_max_fcfa",
            "verified",
            "penalty",
            "source",
        ]

    def get_title(self, obj) -> str:
        return obj.title()

    def get_penalty(self, obj) -> str:
        return rules.penalty_text(obj)


class SuspectSerializer(serializers.ModelSerializer):
    nationality = CountryField(read_only=True)

    class Meta:
        model = Suspect
        fields = [
            "id",
            "first_name",
            "last_name",
            "alias",
            "gender",
            "nationality",
            "roles",
            "is_public_official",
        ]


class InvestigationSerializer(serializers.ModelSerializer):
    suspects = SuspectSerializer(many=True, read_only=True)
    cases = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Investigation
        fields = [
            "id",
            "reference",
            "organisation",
            "agency",
            "opened_on",
            "region",
            "forms",
            "operation_type",
            "status",
            "closed_on",
            "closing_reason",
            "cases",
            "suspects",
            "version",
        ]


class InvestigationSummary(serializers.ModelSerializer):
    class Meta:
        model = Investigation
        fields = ["id", "reference", "agency", "opened_on", "region", "forms", "status", "closed_on"]


class SentenceField(serializers.Serializer):
    prison_months = serializers.IntegerField()
    suspended_months = serializers.IntegerField()
    life = serializers.BooleanField()
    fine_fcfa = serializers.IntegerField()
    other = serializers.CharField()
    needs_review = serializers.BooleanField()
    review_reasons = serializers.ListField(child=serializers.CharField())


class ChargeSerializer(serializers.ModelSerializer):
    article = ArticleSerializer(read_only=True)
    sentence = SentenceField(read_only=True, allow_null=True)

    class Meta:
        model = Charge
        fields = [
            "id",
            "suspect",
            "article",
            "offence_date",
            "outcome",
            "outcome_date",
            "dropped_reason",
            "sentence",
            "version",
        ]


class ProsecutionSerializer(serializers.ModelSerializer):
    charges = ChargeSerializer(many=True, read_only=True)
    hearings = serializers.SerializerMethodField()
    appeals = serializers.SerializerMethodField()

    class Meta:
        model = Prosecution
        fields = [
            "id",
            "investigation",
            "organisation",
            "court",
            "court_reference",
            "opened_on",
            "closed_on",
            "charges",
            "hearings",
            "appeals",
        ]

    def get_hearings(self, obj) -> list[dict]:
        return [{"id": h.pk, "date": h.date, "kind": h.kind} for h in obj.hearings.all()]

    def get_appeals(self, obj) -> list[dict]:
        return [
            {
                "id": a.pk,
                "suspect": a.suspect_id,
                "appealed_by": a.appealed_by,
                "filed_on": a.filed_on,
                "result": a.result,
                "decided_on": a.decided_on,
            }
            for a in obj.appeals.all()
        ]


class ProsecutionSummary(serializers.ModelSerializer):
    class Meta:
        model = Prosecution
        fields = ["id", "investigation", "court", "court_reference", "opened_on", "closed_on"]
