from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from sira.accounts.access import can_register_cases
from sira.cases import access, export, services
from sira.cases.filters import CaseFilter
from sira.cases.serializers import (
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSummarySerializer,
    CaseUpdateSerializer,
)


class FirstRendererNegotiation(BaseContentNegotiation):
    """No negotiation: the first renderer, whatever `?format=` says (it names an export format)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases, with the same access rules as the pages (sira.cases.access)."""

    filterset_class = CaseFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            access.visible_cases(self.request.user)
            .select_related("person", "identification_region")
            .prefetch_related("exploitations")
        )

    def get_object(self):
        needed = access.VIEW if self.request.method in ("GET", "HEAD") else access.CHANGE
        return access.get_case_for_user(self.request.user, self.kwargs["pk"], needed)

    def get_serializer_class(self):
        return {
            "list": CaseSummarySerializer,
            "create": CaseCreateSerializer,
            "partial_update": CaseUpdateSerializer,
            "update": CaseUpdateSerializer,
        }.get(self.action, CaseDetailSerializer)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.read_identity(case, by=request.user, request=request)
        return Response(CaseDetailSerializer(case).data)

    def create(self, request, *args, **kwargs):
        if not can_register_cases(request.user):
            raise PermissionDenied
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.register_case(by=request.user, request=request, **serializer.service_input())
        return Response({"id": case.pk, "case_number": case.case_number}, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = CaseUpdateSerializer(case, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_case(
            case, by=request.user, request=request, person={}, case_fields=serializer.validated_data
        )
        return Response(CaseSummarySerializer(case).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=list(export.FORMATS),
                description="labels (default): headers and values in the user's language, UTF-8 with "
                "BOM, ';' in French; htcds: HTCDS v2.0 column names and codes, UTF-8, ','.",
            )
        ],
        responses={(200, "text/csv"): str},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        # `format` names the export format here, not a DRF renderer: the response is the CSV itself.
        content_negotiation_class=FirstRendererNegotiation,
    )
    def export_csv(self, request):
        lines, name = export.export_cases(by=request.user, request=request, params=request.GET)
        return export.streaming_response(lines, name)
