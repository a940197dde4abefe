from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from sira.accounts.access import can_register_cases
from sira.cases import access, export, search, services
from sira.cases.filters import CaseFilter
from sira.cases.serializers import (
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSummarySerializer,
    CaseUpdateSerializer,
)


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
        # The list (searched by CaseFilter → search.search_cases) shows no identity: decrypt none.
        return search.for_list(access.visible_cases(self.request.user)).prefetch_related("exploitations")

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

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=False, methods=["get"], url_path="export")
    def export_csv(self, request):
        body = export.export_cases(by=request.user, request=request, params=request.GET)
        return HttpResponse(body, content_type="text/csv; charset=utf-8")
