"""API input and output for the directory and referrals: the same services and access as the pages."""

from rest_framework import serializers

from sira.accounts.models import User
from sira.referrals import rules
from sira.referrals.models import FollowUpTask, Referral, ServiceOffering


class ServiceOfferingSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="organisation.name", read_only=True)
    provider_id = serializers.IntegerField(source="organisation_id", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    cercle = serializers.CharField(source="cercle_id", read_only=True, allow_null=True)
    nationalities = serializers.SerializerMethodField()
    free_places = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ServiceOffering
        fields = [
            "id",
            "provider",
            "provider_id",
            "service",
            "name",
            "description",
            "sexes",
            "age_min",
            "age_max",
            "nationalities",
            "forms",
            "region",
            "cercle",
            "latitude",
            "longitude",
            "hours",
            "contact",
            "capacity_total",
            "capacity_in_use",
            "free_places",
            "capacity_updated_at",
            "is_synthetic",
        ]
        read_only_fields = fields

    def get_nationalities(self, obj) -> list[str]:
        return [c.code for c in obj.nationalities]


class CapacitySerializer(serializers.Serializer):
    capacity_total = serializers.IntegerField(min_value=0, max_value=100_000, allow_null=True)
    capacity_in_use = serializers.IntegerField(min_value=0, max_value=100_000)


class ReferralSerializer(serializers.ModelSerializer):
    """What both organisations see of a referral: no identity (the packet is `packet`, given only to
    the receiver while the referral is open)."""

    reference = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "state",
            "service",
            "pathway",
            "urgent",
            "sender",
            "receiver",
            "offering",
            "gender",
            "age",
            "nationality",
            "region",
            "forms",
            "shared_fields",
            "basis",
            "needs_review",
            "decline_reason",
            "case_worker",
            "sent_at",
            "due_at",
            "responded_at",
            "started_at",
            "ended_at",
            "escalated_at",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return rules.is_overdue(state=obj.state, due_at=obj.due_at, now=self.context["now"])


class PacketItemSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()


class ReferralDetailSerializer(ReferralSerializer):
    packet = serializers.SerializerMethodField()

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "packet"]
        read_only_fields = fields

    def get_packet(self, obj) -> list[dict]:
        return [{**item, "label": str(item["label"])} for item in self.context.get("packet", [])]


class SendSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    offering = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    service = serializers.CharField(max_length=40)
    shared_fields = serializers.ListField(child=serializers.CharField(max_length=40), max_length=30)
    urgent = serializers.BooleanField(default=False)
    urgent_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    pathway = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)


class ActionSerializer(serializers.Serializer):
    """Arguments of a transition: `case_worker` (accept), `reason` and `note` (decline), `note`
    (complete); none for start and withdraw."""

    case_worker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )

    def __init__(self, *args, receiver_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if receiver_id is not None:  # an id outside the receiving organisation is "not found", like any
            self.fields["case_worker"].queryset = User.objects.filter(organisation_id=receiver_id)

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpTask
        fields = ["id", "kind", "due_on", "done_at"]
        read_only_fields = ["id", "done_at"]
