"""The directory and referrals over the API, with exactly the pages' access and services."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from sira.cases import access as case_access
from sira.core.vocab import terms
from sira.geo.models import Region
from sira.referrals import access, services
from sira.referrals.models import ServiceOffering
from sira.referrals.serializers import (
    ActionSerializer,
    CapacitySerializer,
    ReferralDetailSerializer,
    ReferralSerializer,
    SendSerializer,
    ServiceOfferingSerializer,
    TaskSerializer,
)


def _errors(error: ValidationError) -> DRFValidationError:
    body = {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
    return DRFValidationError(body)


class ServiceOfferingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The service directory (organisations' services; no person's data)."""

    serializer_class = ServiceOfferingSerializer
    queryset = ServiceOffering.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        offerings = ServiceOffering.objects.filter(active=True).select_related("organisation")
        service, region = self.request.query_params.get("service"), self.request.query_params.get("region")
        # Only known codes reach the database (any other text, a NUL byte among them, matches nothing).
        if service:
            offerings = (
                offerings.filter(service=service) if service in terms("service_type") else offerings.none()
            )
        if region:
            known = region in set(Region.objects.values_list("pk", flat=True))
            offerings = offerings.filter(region_id=region) if known else offerings.none()
        return offerings.order_by("id")

    @extend_schema(
        parameters=[
            OpenApiParameter("service", str, description="A service code (vocabulary service_type)"),
            OpenApiParameter("region", str, description="A region code (ML01…ML09)"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CapacitySerializer, responses=ServiceOfferingSerializer)
    @action(detail=True, methods=["post"])
    def places(self, request, pk=None):
        """The provider's count of its places."""
        offering = self.get_object()
        if not access.can_manage_offering(request.user, offering):
            raise PermissionDenied
        data = CapacitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            offering = services.update_capacity(
                offering,
                by=request.user,
                total=data.validated_data["capacity_total"],
                in_use=data.validated_data["capacity_in_use"],
                request=request,
            )
        except ValidationError as error:
            raise _errors(error) from None
        return Response(ServiceOfferingSerializer(offering).data)


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referrals sent or received by the user's organisation. The packet of shared fields is given to
    the receiver only while the referral is open (accepted or in service)."""

    queryset = access.Referral.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return access.visible_referrals(self.request.user).order_by("-sent_at", "-id")

    def get_object(self):
        return access.get_referral_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return ReferralDetailSerializer if self.action == "retrieve" else ReferralSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        context = self.get_serializer_context() | {
            "packet": services.read_packet(referral, by=request.user, request=request)
        }
        return Response(ReferralDetailSerializer(referral, context=context).data)

    @extend_schema(request=SendSerializer, responses={201: ReferralSerializer})
    def create(self, request):
        """Send a referral of a case to a provider's service, sharing exactly `shared_fields`."""
        data = SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = case_access.get_case_for_user(request.user, values.pop("case"))
        if not access.can_refer(request.user, case):
            raise PermissionDenied
        offering = ServiceOffering.objects.filter(pk=values.pop("offering")).first()
        try:
            referral = services.send_referral(
                case, by=request.user, offering=offering, request=request, **values
            )
        except ValidationError as error:
            raise _errors(error) from None
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data, status=201)

    def _transition(self, request, pk, name):
        referral = self.get_object()
        data = ActionSerializer(data=request.data, receiver_id=referral.receiver_id)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        arguments = {
            "accept": {"case_worker": values.get("case_worker")},
            "decline": {"reason": values["reason"], "note": values["note"]},
            "complete": {"note": values["note"]},
        }.get(name, {})
        try:
            referral = services.TRANSITION_SERVICES[name](
                referral, by=request.user, request=request, **arguments
            )
        except ValidationError as error:
            raise _errors(error) from None
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data)

    @extend_schema(request=ActionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._transition(request, pk, "accept")

    @extend_schema(request=ActionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._transition(request, pk, "decline")

    @extend_schema(request=ActionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, pk, "start")

    @extend_schema(request=ActionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, pk, "complete")

    @extend_schema(request=ActionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition(request, pk, "withdraw")

    @extend_schema(request=TaskSerializer, responses={201: TaskSerializer})
    @action(detail=True, methods=["post"])
    def tasks(self, request, pk=None):
        referral = self.get_object()
        data = TaskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            task = services.add_task(referral, by=request.user, request=request, **data.validated_data)
        except ValidationError as error:
            raise _errors(error) from None
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)
