"""API serializers for screenings: the profile page's fields (no identity), answers checked against the
catalogue version with every problem listed at once, and the result page's explanation as data."""

from django.utils.translation import gettext as _
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sira.cases.rules import MAX_AGE
from sira.screening import engine
from sira.screening.bank import NOT_KNOWN, UNKNOWN
from sira.screening.explain import explain_result
from sira.screening.forms import profile_problems
from sira.screening.models import PROFILE_FIELDS, Screening


def is_bank(catalogue) -> bool:
    return getattr(catalogue, "schema", None) == "question_bank"


def answer_problems(catalogue, answers: dict) -> list[str]:
    """Every unknown question id and invalid answer value, in the reader's language (not just the first)."""
    problems = []
    for qid, value in answers.items():
        if is_bank(catalogue):
            question = catalogue.by_id.get(qid)
            allowed = list(question.values) if question else []
            extra = [UNKNOWN, "declined"]
        else:
            question = catalogue.indicators.get(qid)
            allowed, extra = list(engine.ANSWERS), []
        if question is None:
            problems.append(
                _("“%(id)s” is not a question of catalogue %(version)s.")
                % {"id": qid, "version": catalogue.version}
            )
            continue
        if value in NOT_KNOWN or value == []:
            continue
        multiple = is_bank(catalogue) and question.type == "multiple"
        if multiple and isinstance(value, str):
            value = value.split()
        chosen = value if multiple and isinstance(value, list) else [value]
        if not all(isinstance(v, str) and v in allowed for v in chosen):
            problems.append(
                _("“%(value)s” is not an answer to %(id)s; expected: %(expected)s.")
                % {"value": value, "id": qid, "expected": ", ".join(allowed + extra)}
            )
    return problems


def contradiction_problems(result: dict) -> list[str]:
    return [
        _("The answers to %(safe)s and %(risk)s contradict each other: check both.")
        % {"safe": c["safe"], "risk": c["risk"]}
        for c in result.get("contradictions", [])
    ]


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": "An option id (or yes/no), a list of option ids for multiple choice, "
        "or unknown / declined / empty (all mean unknown).",
    }
)
class AnswerValueField(serializers.Field):
    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class ProfileSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """The profile page's fields: who is screened, without identity."""

    suspected_forms = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Ids of the catalogue's forms of exploitation; empty for general questions only.",
    )

    class Meta:
        model = Screening
        fields = list(PROFILE_FIELDS)
        extra_kwargs = {"gender": {"required": True}, "region": {"required": True, "allow_null": False}}

    def validate_age(self, value):
        if value is not None and value > MAX_AGE:
            raise serializers.ValidationError(profile_problems({"age": value})["age"])
        return value

    def validate_screened_on(self, value):
        if problem := profile_problems({"screened_on": value}).get("screened_on"):
            raise serializers.ValidationError(problem)
        return value

    def validate_suspected_forms(self, value):
        known = {f["id"] for f in self.context["catalogue"].catalogue.forms}
        unknown = [f for f in value if f not in known]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown forms of exploitation: %(forms)s; expected: %(expected)s.")
                % {"forms": ", ".join(unknown), "expected": ", ".join(sorted(known))}
            )
        return value

    def validate(self, attrs):
        problems = profile_problems(attrs)
        for checked_by_field in ("age", "screened_on"):
            problems.pop(checked_by_field, None)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class ScoreProfileSerializer(ProfileSerializer):
    """The same fields, all optional: only age and suspected forms change the result."""

    class Meta(ProfileSerializer.Meta):
        extra_kwargs = {"screened_on": {"required": False}}


class ScreeningInputSerializer(serializers.Serializer):
    profile = ProfileSerializer()
    answers = serializers.DictField(
        child=AnswerValueField(), help_text="Question id → answer; questions not answered are unknown."
    )

    def validate_answers(self, value):
        problems = answer_problems(self.context["catalogue"].catalogue, value)
        if problems:
            raise serializers.ValidationError(problems)
        return value


class ScoreInputSerializer(ScreeningInputSerializer):
    profile = ScoreProfileSerializer()


class NamedStatusSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.CharField()


class IndicatorFoundSerializer(serializers.Serializer):
    label = serializers.CharField()
    strength = serializers.CharField()


class DimensionSerializer(serializers.Serializer):
    name = serializers.CharField()
    positive = serializers.BooleanField()
    indicators = IndicatorFoundSerializer(many=True)


class EvidenceSerializer(serializers.Serializer):
    """What the result page folds away."""

    findings = serializers.ListField(child=serializers.CharField(), help_text="Answers that are signs.")
    elements = NamedStatusSerializer(many=True, help_text="Elements of the legal definition.")
    dimensions = DimensionSerializer(many=True, help_text="ILO dimensions (labour indicators).")
    forms = NamedStatusSerializer(
        many=True, help_text="Forms of exploitation: found, not found, not assessed."
    )
    context = serializers.ListField(child=serializers.CharField(), help_text="Shown, never counted.")
    unknown = serializers.ListField(child=serializers.CharField(), help_text="Questions left unknown.")


class ExplanationSerializer(serializers.Serializer):
    """The result page as data: outcome, plain reasons, what to do now, the evidence."""

    catalogue = serializers.CharField(help_text="Catalogue version the result was scored with.")
    outcome = serializers.ChoiceField(choices=Screening.Outcome.choices)
    outcome_text = serializers.CharField()
    provisional = serializers.BooleanField()
    child = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    actions = serializers.ListField(child=serializers.CharField(), help_text="What to do now, urgent first.")
    urgent = serializers.ListField(child=serializers.CharField())
    evidence = EvidenceSerializer()


def explanation_data(catalogue, result: dict, answers: dict) -> dict:
    e = explain_result(catalogue, result, answers)
    return {
        "catalogue": e["catalogue"],
        "outcome": e["outcome_code"],
        "outcome_text": e["outcome"],
        "provisional": e["provisional"],
        "child": e["child"],
        "reasons": e["reasons"],
        "actions": e["actions"],
        "urgent": e["urgent"],
        "evidence": {
            "findings": e["findings"],
            "elements": [{"name": str(n), "status": str(s)} for n, s in e["elements"]],
            "dimensions": [
                {
                    "name": d["name"],
                    "positive": d["positive"],
                    "indicators": [{"label": str(lbl), "strength": str(s)} for lbl, s in d["indicators"]],
                }
                for d in e["dimensions"]
            ],
            "forms": [{"name": str(n), "status": str(s)} for n, s in e["forms"]],
            "context": e["context"],
            "unknown": e["unknown"],
        },
    }


class ScreeningSummarySerializer(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.version")

    class Meta:
        model = Screening
        fields = [
            "id",
            "catalogue",
            "organisation",
            "status",
            "outcome",
            "determination",
            "screened_on",
            "gender",
            "age",
            "region",
            "context",
            "suspected_forms",
            "case",
            "source",
            "created_at",
        ]


class ScreeningDetailSerializer(CountryFieldMixin, ScreeningSummarySerializer):
    answers = serializers.DictField(child=AnswerValueField())
    explanation = serializers.SerializerMethodField(
        help_text="As on the result page; null until complete, and for catalogue 2026.1 screenings."
    )

    class Meta(ScreeningSummarySerializer.Meta):
        fields = [
            *ScreeningSummarySerializer.Meta.fields,
            "nationality",
            "departure_country",
            "departure_region",
            "destination_country",
            "cercle",
            "urgent",
            "answers",
            "explanation",
        ]

    @extend_schema_field(ExplanationSerializer(allow_null=True))
    def get_explanation(self, screening) -> dict | None:
        catalogue = screening.catalogue.catalogue
        if screening.status != Screening.Status.COMPLETE or not is_bank(catalogue):
            return None
        return explanation_data(catalogue, screening.result, screening.answers)
