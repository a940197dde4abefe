from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from sira.accounts.access import can_break_glass, can_register_cases
from sira.cases import access, export, paging, panels, search, services
from sira.cases.filters import CaseListFilter, CaseListParameters
from sira.cases.models import CaseGrant, Consent, Exploitation, RouteStop
from sira.cases.serializers import (
    AssistanceWriteSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSavedSerializer,
    CaseSearchResultSerializer,
    CaseSearchSerializer,
    CaseSummarySerializer,
    CaseUpdateSerializer,
    ClosureSerializer,
    ConsentWriteSerializer,
    EmergencyAccessSerializer,
    EmergencyGrantSerializer,
    ExploitationSerializer,
    ExploitationWriteSerializer,
    GoalWriteSerializer,
    GrantSerializer,
    NoteWriteSerializer,
    RouteStopSerializer,
    RouteStopWriteSerializer,
    ShareSerializer,
    WithdrawalSerializer,
)


def _name_in_url() -> str:
    return _(
        "A name does not go in a URL (server logs keep URLs): send the search with POST "
        "/api/v1/cases/search/ and follow its links."
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


class Precondition:
    """The version a write is made from: an If-Match header (the ETag of the detail, `"3"` or
    `W/"3"`) or `version` in the body. PATCH needs one (428 Precondition Required otherwise), so a
    client cannot overwrite a change it has not seen; DELETE and the withdrawal honour one if given.
    A stale version answers 412 for If-Match, 409 for `version`, and changes nothing."""

    def __init__(self, request, body_version=None, *, required: bool):
        self.header = request.headers.get("If-Match")
        self.version = body_version
        self.error = None
        if self.header is not None:
            tag = self.header.strip()
            if tag == "*":
                self.version = None
            else:
                digits = tag.removeprefix("W/").strip('"')
                self.version = int(digits) if digits.isdigit() else 0  # matches no record: 412
        elif body_version is None and required:
            self.error = Response(
                {
                    "detail": _(
                        "Send the version you read: an If-Match header with the ETag of the record, "
                        "or “version” in the body."
                    )
                },
                status=status.HTTP_428_PRECONDITION_REQUIRED,
            )

    @property
    def conflict_status(self) -> int:
        return status.HTTP_412_PRECONDITION_FAILED if self.header else status.HTTP_409_CONFLICT


def conflict_body(conflict: services.EditConflict) -> dict:
    return {
        "detail": conflict.message,
        "changed_fields": conflict.labels(),
        "changed_by": conflict.users,
        "current_version": conflict.current_version,
    }


def run_service(call, ok_status=status.HTTP_200_OK, body=None, precondition=None, etag=None):
    """Call a service write; its rule errors and warnings become 400 answers, like the pages' forms;
    a stale version becomes 409 or 412 with the fields changed since."""
    if precondition is not None and precondition.error is not None:
        return precondition.error
    try:
        result = call()
    except services.NeedsConfirmation as pending:
        return Response(warnings_body(pending), status=status.HTTP_400_BAD_REQUEST)
    except services.EditConflict as conflict:
        code = precondition.conflict_status if precondition else status.HTTP_409_CONFLICT
        answer = Response(conflict_body(conflict), status=code)
        answer["ETag"] = services.version_tag(conflict.record)
        return answer
    except ValidationError as error:
        return Response(error_body(error), status=status.HTTP_400_BAD_REQUEST)
    answer = Response(body(result) if body else None, status=ok_status)
    if etag is not None and result is not None:
        answer["ETag"] = services.version_tag(etag(result))
    return answer


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='The ETag of the record as read (e.g. "3"). A PATCH needs it or `version` in the body.',
)


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
            text=getattr(view, "search_text", ""),
            after=params.get("after"),
            before=params.get("before"),
            size=self.page_size,
        )
        return self.page.rows

    base_url = None  # where the links point, when not at the request's own URL (a POST search)

    def _link(self, name, cursor):
        if cursor is None:
            return None
        other = "before" if name == "after" else "after"
        url = remove_query_param(self.base_url or self.request.build_absolute_uri(), other)
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

    filterset_class = CaseListParameters  # what the schema shows; filter_queryset applies CaseListFilter
    pagination_class = CaseCursorPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def filter_queryset(self, queryset):
        """The list's filters, with a search token resolved into its search. A name in the URL (`q`) is
        refused: it would be written to every server log on the way."""
        if self.action not in ("list", "search"):
            return queryset
        if self.action == "list" and self.request.query_params.get(search.SEARCH):
            raise DRFValidationError({search.SEARCH: [_name_in_url()]})
        source = self.search_data if self.action == "search" else self.request.query_params
        params, expired = search.resolve(source, self.request.user)
        if expired:
            raise DRFValidationError({search.TOKEN: [_("That search has expired: send it again.")]})
        filterset = CaseListFilter(params, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise DRFValidationError(filterset.errors)
        self.search_text = params.get(search.SEARCH, "")  # applied, best first, by the pagination
        return filterset.qs

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
            "change_route_stop": RouteStopWriteSerializer,
            "record_consent": ConsentWriteSerializer,
            "withdraw_consent": WithdrawalSerializer,
            "emergency_access": EmergencyAccessSerializer,
            "add_note": NoteWriteSerializer,
            "add_assistance": AssistanceWriteSerializer,
            "add_goal": GoalWriteSerializer,
            "close": ClosureSerializer,
            "grants": ShareSerializer,
        }.get(self.action, CaseDetailSerializer)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.read_identity(case, by=request.user, request=request)
        answer = Response(CaseDetailSerializer(case).data)
        answer["ETag"] = services.version_tag(case)
        return answer

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
            lambda case: {
                "id": case.pk,
                "case_number": case.case_number,
                **panels.registration_answer(request, case),
            },
        )

    @extend_schema(
        parameters=[IF_MATCH],
        responses={200: CaseSavedSerializer, 400: None, 409: None, 412: None, 428: None},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = CaseUpdateSerializer(case, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        confirmed = data.pop("confirm_warnings", [])
        person = data.pop("person", {})
        precondition = Precondition(request, data.pop("version", None), required=True)

        def call():
            services.update_case(
                case,
                by=request.user,
                request=request,
                person=person,
                case_fields=data,
                confirmed_warnings=confirmed,
                version=precondition.version,
            )
            case.refresh_from_db()
            return case

        return run_service(
            call, body=lambda c: CaseSavedSerializer(c).data, precondition=precondition, etag=lambda c: c
        )

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
        if request.GET.get(search.SEARCH):
            raise DRFValidationError({search.SEARCH: [_name_in_url()]})
        lines, name = export.export_cases(by=request.user, request=request, params=request.GET)
        return export.streaming_response(lines, name)

    @extend_schema(
        request=CaseSearchSerializer,
        responses={200: CaseSearchResultSerializer, 400: OpenApiResponse(description="Bad filters.")},
        description="Search the cases by name or case number, with the list's filters, in the request "
        "body so that no name goes into a URL. Answers the first page; `next` and `previous` are "
        "GET /api/v1/cases/ links carrying `search_token` as `s` (valid for a few hours).",
    )
    @action(detail=False, methods=["post"], url_path="search")
    def search(self, request):
        body = CaseSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.search_data = {k: str(v) for k, v in body.validated_data.items() if v not in (None, "")}
        queryset = self.filter_queryset(self.get_queryset())
        paginator = self.paginator
        rows = paginator.paginate_queryset(queryset, request, view=self)
        token_params = search.tokenised(self.search_data, request.user)
        paginator.base_url = request.build_absolute_uri(reverse("case-list")) + "?" + urlencode(token_params)
        response = paginator.get_paginated_response(CaseSummarySerializer(rows, many=True).data)
        response.data["search_token"] = token_params.get(search.TOKEN)
        return response

    # Parts of a case after registration: exploitation, route, consent.

    def _write(self, request, serializer_class):
        serializer = serializer_class(data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return data, data.pop("confirm_warnings", [])

    @staticmethod
    def _delete_precondition(request):
        version = request.query_params.get("version")
        return Precondition(request, int(version) if (version or "").isdigit() else None, required=False)

    @extend_schema(request=ExploitationWriteSerializer, responses={201: ExploitationSerializer})
    @action(detail=True, methods=["post"], url_path="exploitations")
    def add_exploitation(self, request, pk=None):
        case = self.get_object()
        data, confirmed = self._write(request, ExploitationWriteSerializer)
        return run_service(
            lambda: services.add_exploitation(
                case, by=request.user, data=data, confirmed_warnings=confirmed, request=request
            ),
            status.HTTP_201_CREATED,
            lambda e: ExploitationSerializer(e).data,
            etag=lambda e: e,
        )

    @extend_schema(
        methods=["PATCH"],
        parameters=[IF_MATCH],
        request=ExploitationWriteSerializer,
        responses={200: ExploitationSerializer, 409: None, 412: None, 428: None},
    )
    @extend_schema(methods=["DELETE"], parameters=[IF_MATCH], responses={204: None, 409: None, 412: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"exploitations/(?P<part_pk>\d+)")
    def change_exploitation(self, request, pk=None, part_pk=None):
        case = self.get_object()
        exploitation = get_object_or_404(Exploitation, pk=part_pk, case=case)
        if request.method == "DELETE":
            precondition = self._delete_precondition(request)
            return run_service(
                lambda: services.remove_exploitation(
                    exploitation, by=request.user, request=request, version=precondition.version
                ),
                status.HTTP_204_NO_CONTENT,
                precondition=precondition,
            )
        data, confirmed = self._write(request, ExploitationWriteSerializer)
        precondition = Precondition(request, data.pop("version", None), required=True)

        def call():
            services.update_exploitation(
                exploitation,
                by=request.user,
                data=data,
                confirmed_warnings=confirmed,
                request=request,
                version=precondition.version,
            )
            return Exploitation.objects.get(pk=exploitation.pk)

        return run_service(
            call, body=lambda e: ExploitationSerializer(e).data, precondition=precondition, etag=lambda e: e
        )

    @extend_schema(request=RouteStopSerializer, responses={201: RouteStopSerializer})
    @action(detail=True, methods=["post"], url_path="route")
    def add_route_stop(self, request, pk=None):
        case = self.get_object()
        data, _ = self._write(request, RouteStopSerializer)
        return run_service(
            lambda: services.add_route_stop(case, by=request.user, data=data, request=request),
            status.HTTP_201_CREATED,
            lambda s: {"order": s.order, **RouteStopSerializer(s).data},
            etag=lambda s: s,
        )

    @extend_schema(
        methods=["PATCH"],
        parameters=[IF_MATCH],
        request=RouteStopWriteSerializer,
        responses={200: RouteStopSerializer, 409: None, 412: None, 428: None},
    )
    @extend_schema(methods=["DELETE"], parameters=[IF_MATCH], responses={204: None, 409: None, 412: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"route/(?P<part_pk>\d+)")
    def change_route_stop(self, request, pk=None, part_pk=None):
        case = self.get_object()
        stop = get_object_or_404(RouteStop, pk=part_pk, case=case)
        if request.method == "DELETE":
            precondition = self._delete_precondition(request)
            return run_service(
                lambda: services.remove_route_stop(
                    stop, by=request.user, request=request, version=precondition.version
                ),
                status.HTTP_204_NO_CONTENT,
                precondition=precondition,
            )
        data, _ = self._write(request, RouteStopWriteSerializer)
        precondition = Precondition(request, data.pop("version", None), required=True)

        def call():
            services.update_route_stop(
                stop, by=request.user, data=data, request=request, version=precondition.version
            )
            return RouteStop.objects.get(pk=stop.pk)

        return run_service(
            call,
            body=lambda s: {"order": s.order, **RouteStopSerializer(s).data},
            precondition=precondition,
            etag=lambda s: s,
        )

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
                legal_basis=data.get("legal_basis") or "",
                justification=data.get("justification") or "",
                request=request,
            ),
            status.HTTP_201_CREATED,
            lambda c: {"id": c.pk, "purpose": c.purpose, "given": c.given},
        )

    @extend_schema(
        parameters=[IF_MATCH],
        request=WithdrawalSerializer,
        responses={200: WithdrawalSerializer, 409: None, 412: None},
    )
    @action(detail=True, methods=["post"], url_path=r"consents/(?P<part_pk>\d+)/withdraw")
    def withdraw_consent(self, request, pk=None, part_pk=None):
        case = self.get_object()
        consent = get_object_or_404(Consent, pk=part_pk, case=case)
        data, _ = self._write(request, WithdrawalSerializer)
        precondition = Precondition(request, data.pop("version", None), required=False)
        return run_service(
            lambda: services.withdraw_consent(
                consent,
                by=request.user,
                on=data.get("withdrawn_on"),
                request=request,
                version=precondition.version,
            ),
            body=lambda ended: {"withdrawn": True, "grants_ended": len(ended)},
            precondition=precondition,
        )

    @extend_schema(request=EmergencyAccessSerializer, responses={201: EmergencyGrantSerializer})
    @action(detail=False, methods=["post"], url_path="emergency-access")
    def emergency_access(self, request):
        """Break-glass: read a case outside one's reach for a few hours, on a written reason; the case
        owner and the committee are told and the committee reviews it (docs/security.md)."""
        if not can_break_glass(request.user):
            raise PermissionDenied
        serializer = EmergencyAccessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return run_service(
            lambda: services.request_emergency_access(
                by=request.user, request=request, **serializer.validated_data
            ),
            status.HTTP_201_CREATED,
            lambda grant: EmergencyGrantSerializer(grant).data,
        )

    # Follow-up and sharing (issue 11)

    @extend_schema(request=NoteWriteSerializer, responses={201: None})
    @action(detail=True, methods=["post"], url_path="notes")
    def add_note(self, request, pk=None):
        """Add a case note (encrypted, audited)."""
        return _follow_up(
            self,
            request,
            NoteWriteSerializer,
            lambda case, d: services.add_note(case, by=request.user, text=d["text"], request=request),
        )

    @extend_schema(request=AssistanceWriteSerializer, responses={201: None})
    @action(detail=True, methods=["post"], url_path="assistance")
    def add_assistance(self, request, pk=None):
        """Record an assistance given (service, provider, date)."""
        return _follow_up(
            self,
            request,
            AssistanceWriteSerializer,
            lambda case, d: services.record_assistance(
                case,
                by=request.user,
                service=d["service"],
                provider=d["provider"],
                given_on=d["given_on"],
                note=d["note"],
                request=request,
            ),
        )

    @extend_schema(request=GoalWriteSerializer, responses={201: None})
    @action(detail=True, methods=["post"], url_path="goals")
    def add_goal(self, request, pk=None):
        """Add a goal to the case plan, with its review date."""
        return _follow_up(
            self,
            request,
            GoalWriteSerializer,
            lambda case, d: services.add_goal(
                case, by=request.user, text=d["text"], review_on=d["review_on"], request=request
            ),
        )

    @extend_schema(request=ClosureSerializer, responses={200: None, 409: None})
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request, pk=None):
        """Close the case with its reason."""
        case = self.get_object()
        serializer = ClosureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        return run_service(
            lambda: services.close_case(
                case, by=request.user, reason=d["closure_reason"], version=d.get("version"), request=request
            ),
            body=lambda c: {"id": c.pk, "case_status": c.case_status, "closure_reason": c.closure_reason},
        )

    @extend_schema(methods=["GET"], responses=GrantSerializer(many=True))
    @extend_schema(methods=["POST"], request=ShareSerializer, responses={201: GrantSerializer})
    @action(detail=True, methods=["get", "post"], url_path="grants", pagination_class=None)
    def grants(self, request, pk=None):
        """Who has access to the case and why (GET); share it with an organisation or a person (POST)."""
        case = access.get_case_for_user(request.user, pk, access.CHANGE)
        if request.method == "GET":
            return Response(GrantSerializer(access.grants_of(case), many=True).data)
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        return run_service(
            lambda: services.grant_access(
                case,
                by=request.user,
                organisation=d.get("organisation"),
                user=d.get("user"),
                reason=d["reason"],
                urgent_reason=d["urgent_reason"],
                request=request,
            ),
            status.HTTP_201_CREATED,
            lambda g: GrantSerializer(g).data,
        )

    @extend_schema(request=None, responses={200: GrantSerializer})
    @action(detail=True, methods=["post"], url_path=r"grants/(?P<grant_pk>\d+)/revoke")
    def revoke_grant(self, request, pk=None, grant_pk=None):
        """End a grant (a referral's grant ends with its referral)."""
        case = access.get_case_for_user(request.user, pk, access.CHANGE)
        grant = get_object_or_404(CaseGrant, pk=grant_pk, case=case)
        return run_service(
            lambda: services.revoke_grant(grant, by=request.user, request=request),
            body=lambda g: GrantSerializer(g).data,
        )


def _created(kind):
    return lambda item: {"id": item.pk, "kind": kind}


def _follow_up(viewset, request, serializer_class, call):
    """A follow-up write on a case the user may change (get_object asks CHANGE for a POST)."""
    case = viewset.get_object()
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return run_service(
        lambda: call(case, serializer.validated_data),
        status.HTTP_201_CREATED,
        _created(serializer_class.__name__),
    )
