from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from sira.accounts.access import can_register_cases
from sira.cases import access, export, paging, search, services
from sira.cases.filters import CaseListFilter
from sira.cases.models import Consent, Exploitation, RouteStop
from sira.cases.serializers import (
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSummarySerializer,
    CaseUpdateSerializer,
    ConsentWriteSerializer,
    ExploitationWriteSerializer,
    RouteStopSerializer,
    WithdrawalSerializer,
)

# Where a service's dotted error key lands in the API's JSON (its payload names some parts apart).
API_PARTS = {"case": None, "exploitation": "exploitations"}


def error_body(error: ValidationError) -> dict:
    """A service's errors as nested JSON: {"person": {"birth_date": [...]}, "route": {"2": {...}}}."""
    body: dict = {}
    for key, messages in error.message_dict.items():
        parts = key.split(".")
        head = API_PARTS.get(parts[0], parts[0])
        path = ([head] if head else []) + parts[1:]
        node = body
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(path[-1] if path else "non_field_errors", []).extend(messages)
    return body


def warnings_body(pending: services.NeedsConfirmation) -> dict:
    return {
        "warnings": [{"code": w.code, "field": w.field, "message": w.message} for w in pending.warnings],
        "detail": "Check these details; send the same request again with their codes in confirm_warnings.",
    }


def run_service(call, ok_status=status.HTTP_200_OK, body=None):
    """Call a service write; its rule errors and warnings become 400 answers, like the pages' forms."""
    try:
        result = call()
    except services.NeedsConfirmation as pending:
        return Response(warnings_body(pending), status=status.HTTP_400_BAD_REQUEST)
    except ValidationError as error:
        return Response(error_body(error), status=status.HTTP_400_BAD_REQUEST)
    return Response(body(result) if body else None, status=ok_status)


class FirstRendererNegotiation(BaseContentNegotiation):
    """No negotiation: the first renderer, whatever `?format=` says (it names an export format)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CaseCursorPagination(BasePagination):
    """The list page's keyset pagination (sira.cases.paging) for the API: `?after=` / `?before=` an
    opaque cursor, `next` / `previous` links, and a total counted up to a cap (`count_capped`)."""

    page_size = 50

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        self.page = search.paginate(
            queryset,
            text=params.get("q", ""),
            after=params.get("after"),
            before=params.get("before"),
            size=self.page_size,
        )
        return self.page.rows

    def _link(self, name, cursor):
        if cursor is None:
            return None
        other = "before" if name == "after" else "after"
        url = remove_query_param(self.request.build_absolute_uri(), other)
        return replace_query_param(url, name, cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.count,
                "count_capped": self.page.capped,
                "next": self._link("after", self.page.next_cursor),
                "previous": self._link("before", self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "count_capped", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": (
                        f"Matching cases, counted up to {paging.COUNT_CAP} "
                        f"(up to {search.SEARCH_COUNT_CAP} when `q` searches a name or number)."
                    ),
                },
                "count_capped": {
                    "type": "boolean",
                    "description": "True when more cases match than were counted.",
                },
                "next": link,
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        described = {
            "after": "Cursor of the page after (from `next`).",
            "before": "Cursor of the page before (from `previous`).",
        }
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in described.items()
        ]


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases, with the same access rules as the pages (sira.cases.access) and the same rules on
    every write (sira.cases.services)."""

    filterset_class = CaseListFilter
    pagination_class = CaseCursorPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        # The list (searched by search.paginate) shows no identity: decrypt none.
        return search.for_list(access.visible_cases(self.request.user))

    def get_object(self):
        needed = access.VIEW if self.request.method in ("GET", "HEAD") else access.CHANGE
        return access.get_case_for_user(self.request.user, self.kwargs["pk"], needed)

    def get_serializer_class(self):
        return {
            "list": CaseSummarySerializer,
            "create": CaseCreateSerializer,
            "partial_update": CaseUpdateSerializer,
            "update": CaseUpdateSerializer,
            "add_exploitation": ExploitationWriteSerializer,
            "change_exploitation": ExploitationWriteSerializer,
            "add_route_stop": RouteStopSerializer,
            "change_route_stop": RouteStopSerializer,
            "record_consent": ConsentWriteSerializer,
            "withdraw_consent": WithdrawalSerializer,
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
        return run_service(
            lambda: services.register_case(
                by=request.user,
                request=request,
                confirmed_warnings=serializer.validated_data.get("confirm_warnings", []),
                **serializer.service_input(),
            ),
            status.HTTP_201_CREATED,
            lambda case: {"id": case.pk, "case_number": case.case_number},
        )

    def update(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = CaseUpdateSerializer(case, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        confirmed = data.pop("confirm_warnings", [])
        person = data.pop("person", {})

        def call():
            services.update_case(
                case,
                by=request.user,
                request=request,
                person=person,
                case_fields=data,
                confirmed_warnings=confirmed,
            )
            case.refresh_from_db()
            return case

        return run_service(call, body=lambda c: CaseSummarySerializer(c).data)

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

    # Parts of a case after registration: exploitation, route, consent.

    def _write(self, request, serializer_class):
        serializer = serializer_class(data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return data, data.pop("confirm_warnings", [])

    @extend_schema(request=ExploitationWriteSerializer, responses={201: ExploitationWriteSerializer})
    @action(detail=True, methods=["post"], url_path="exploitations")
    def add_exploitation(self, request, pk=None):
        case = self.get_object()
        data, confirmed = self._write(request, ExploitationWriteSerializer)
        return run_service(
            lambda: services.add_exploitation(
                case, by=request.user, data=data, confirmed_warnings=confirmed, request=request
            ),
            status.HTTP_201_CREATED,
            lambda e: {"id": e.pk, **ExploitationWriteSerializer(e).data},
        )

    @extend_schema(request=ExploitationWriteSerializer, responses={200: ExploitationWriteSerializer})
    @action(detail=True, methods=["patch", "delete"], url_path=r"exploitations/(?P<part_pk>\d+)")
    def change_exploitation(self, request, pk=None, part_pk=None):
        case = self.get_object()
        exploitation = get_object_or_404(Exploitation, pk=part_pk, case=case)
        if request.method == "DELETE":
            return run_service(
                lambda: services.remove_exploitation(exploitation, by=request.user, request=request),
                status.HTTP_204_NO_CONTENT,
            )
        data, confirmed = self._write(request, ExploitationWriteSerializer)

        def call():
            services.update_exploitation(
                exploitation, by=request.user, data=data, confirmed_warnings=confirmed, request=request
            )
            return Exploitation.objects.get(pk=exploitation.pk)

        return run_service(call, body=lambda e: {"id": e.pk, **ExploitationWriteSerializer(e).data})

    @extend_schema(request=RouteStopSerializer, responses={201: RouteStopSerializer})
    @action(detail=True, methods=["post"], url_path="route")
    def add_route_stop(self, request, pk=None):
        case = self.get_object()
        data, _ = self._write(request, RouteStopSerializer)
        return run_service(
            lambda: services.add_route_stop(case, by=request.user, data=data, request=request),
            status.HTTP_201_CREATED,
            lambda s: {"id": s.pk, "order": s.order, **RouteStopSerializer(s).data},
        )

    @extend_schema(request=RouteStopSerializer, responses={200: RouteStopSerializer})
    @action(detail=True, methods=["patch", "delete"], url_path=r"route/(?P<part_pk>\d+)")
    def change_route_stop(self, request, pk=None, part_pk=None):
        case = self.get_object()
        stop = get_object_or_404(RouteStop, pk=part_pk, case=case)
        if request.method == "DELETE":
            return run_service(
                lambda: services.remove_route_stop(stop, by=request.user, request=request),
                status.HTTP_204_NO_CONTENT,
            )
        data, _ = self._write(request, RouteStopSerializer)

        def call():
            services.update_route_stop(stop, by=request.user, data=data, request=request)
            return RouteStop.objects.get(pk=stop.pk)

        return run_service(call, body=lambda s: {"id": s.pk, "order": s.order, **RouteStopSerializer(s).data})

    @extend_schema(request=ConsentWriteSerializer, responses={201: ConsentWriteSerializer})
    @action(detail=True, methods=["post"], url_path="consents")
    def record_consent(self, request, pk=None):
        case = self.get_object()
        data, _ = self._write(request, ConsentWriteSerializer)
        return run_service(
            lambda: services.record_consent(
                case,
                by=request.user,
                purpose=data["purpose"],
                given=data["given"],
                organisations=data.get("organisations", []),
                recorded_on=data.get("recorded_on"),
                request=request,
            ),
            status.HTTP_201_CREATED,
            lambda c: {"id": c.pk, "purpose": c.purpose, "given": c.given},
        )

    @extend_schema(request=WithdrawalSerializer, responses={200: WithdrawalSerializer})
    @action(detail=True, methods=["post"], url_path=r"consents/(?P<part_pk>\d+)/withdraw")
    def withdraw_consent(self, request, pk=None, part_pk=None):
        case = self.get_object()
        consent = get_object_or_404(Consent, pk=part_pk, case=case)
        data, _ = self._write(request, WithdrawalSerializer)
        return run_service(
            lambda: services.withdraw_consent(
                consent, by=request.user, on=data.get("withdrawn_on"), request=request
            ),
            body=lambda ended: {"withdrawn": True, "grants_ended": len(ended)},
        )
