"""Screenings over the API, with exactly the pages' access (sira.screening.access) and services:
`score/` returns a result and its explanation and stores nothing; create starts and completes a
screening as the two pages do; list and detail show what the pages would show."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from sira.screening import access, services
from sira.screening.models import Screening
from sira.screening.serializers import (
    ExplanationSerializer,
    ScoreInputSerializer,
    ScreeningDetailSerializer,
    ScreeningInputSerializer,
    ScreeningSummarySerializer,
    contradiction_problems,
    explanation_data,
)

BAD_INPUT = OpenApiResponse(
    description="Every problem at once, in the request's language (Accept-Language: fr or en), by field."
)


class ScreeningViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Screenings: the indicators suggest, a person decides. No identity is taken or returned."""

    queryset = Screening.objects.none()  # for the schema; get_queryset applies access
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return access.visible_screenings(self.request.user).select_related("catalogue")

    def get_object(self):
        return access.get_screening_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return {
            "list": ScreeningSummarySerializer,
            "create": ScreeningInputSerializer,
            "score": ScoreInputSerializer,
        }.get(self.action, ScreeningDetailSerializer)

    def _validated(self, serializer_class, request):
        if not access.can_screen(request.user):
            raise PermissionDenied
        catalogue = services.current_catalogue()
        serializer = serializer_class(data=request.data, context={"catalogue": catalogue})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        data["answers"] = {q: v for q, v in data["answers"].items() if v not in ("", [], None)}  # as the page
        result = services.score_only(
            catalogue,
            age=data["profile"].get("age"),
            forms=data["profile"].get("suspected_forms", []),
            answers=data["answers"],
        )
        if problems := contradiction_problems(result):  # the page shows them before any result
            raise ValidationError({"answers": problems})
        return catalogue, data, result

    @extend_schema(
        request=ScreeningInputSerializer,
        responses={201: ScreeningDetailSerializer, 400: BAD_INPUT, 403: None},
    )
    def create(self, request, *args, **kwargs):
        catalogue, data, _ = self._validated(ScreeningInputSerializer, request)
        with transaction.atomic():
            screening = services.start_screening(
                by=request.user, profile=data["profile"], request=request, catalogue=catalogue
            )
            services.complete_screening(
                screening, by=request.user, answers=data["answers"], urgent=[], request=request
            )
        screening = access.get_screening_for_user(request.user, screening.pk)
        return Response(ScreeningDetailSerializer(screening).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ScoreInputSerializer,
        responses={200: ExplanationSerializer, 400: BAD_INPUT, 403: None},
        description="Score a profile and answers with the current catalogue and explain the result, "
        "as the result page does. Nothing is stored and no identity is taken.",
    )
    @action(detail=False, methods=["post"])
    def score(self, request):
        catalogue, data, result = self._validated(ScoreInputSerializer, request)
        return Response(explanation_data(catalogue.catalogue, result, data["answers"]))
