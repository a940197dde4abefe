"""The API's shape of a probable duplicate (for the schema; the values come from case_links.as_json)."""

from rest_framework import serializers


class MatchRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.CharField()


class MatchSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["visible", "same_organisation", "elsewhere", "hidden_own"])
    organisation = serializers.CharField()
    organisation_id = serializers.IntegerField(required=False)
    case_id = serializers.IntegerField(required=False)
    case_number = serializers.CharField(required=False)
    merge_url = serializers.CharField(required=False)
    request = MatchRequestSerializer(required=False, allow_null=True)
    request_url = serializers.CharField(required=False, allow_null=True)


class MatchesSerializer(serializers.Serializer):
    probable_duplicates = MatchSerializer(many=True)
