"""The justice chain over the API, with exactly the pages' access (access.py) and services: a record
outside a user's reach answers 404; a write the user may not make answers 403; bad input answers 400
with every problem at once, in the request's language."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from sira.accounts.models import Organisation
from sira.cases import access as case_access
from sira.cases.api import error_body
from sira.justice import access, serializers, services
from sira.justice.models import Investigation, LegalArticle, Prosecution


def _run(call, body, ok=status.HTTP_201_CREATED):
    try:
        result = call()
    except ValidationError as error:
        return Response(error_body(error), status=status.HTTP_400_BAD_REQUEST)
    return Response(body(result), status=ok)


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class InvestigationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Investigations of the user's agency (investigators) or behind their prosecutions (prosecutors)."""

    queryset = Investigation.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return access.investigations.visible(self.request.user).prefetch_related("suspects", "cases")

    def get_object(self):
        return access.investigations.get_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return {
            "list": serializers.InvestigationSummary,
            "create": serializers.InvestigationInput,
            "close": serializers.CloseInput,
            "suspects": serializers.SuspectInput,
        }.get(self.action, serializers.InvestigationSerializer)

    def create(self, request, *args, **kwargs):
        if not access.can_open_investigation(request.user):
            raise PermissionDenied
        data = _input(serializers.InvestigationInput, request)
        ids = set(data["cases"])
        cases = list(case_access.visible_cases(request.user).filter(pk__in=ids))
        if len(cases) != len(ids):
            return Response({"cases": ["No case you may see has one of these ids."]}, status=400)
        return _run(
            lambda: services.open_investigation(
                by=request.user,
                request=request,
                agency=data["agency"],
                opened_on=data["opened_on"],
                region_id=data["region"],
                forms=data["forms"],
                operation_type=data["operation_type"],
                cases=cases,
            ),
            lambda inv: {"id": inv.pk, "reference": inv.reference},
        )

    def retrieve(self, request, *args, **kwargs):
        investigation = self.get_object()
        services.read_suspects(investigation, investigation.suspects.all(), by=request.user, request=request)
        return Response(serializers.InvestigationSerializer(investigation).data)

    def _to_change(self, pk):
        return access.investigations.get_for_user(self.request.user, pk, access.CHANGE)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        investigation = self._to_change(pk)
        data = _input(serializers.CloseInput, request)
        return _run(
            lambda: services.close_investigation(investigation, by=request.user, request=request, **data),
            lambda inv: {"id": inv.pk, "status": inv.status, "version": inv.version},
            status.HTTP_200_OK,
        )

    @action(detail=True, methods=["post"])
    def suspects(self, request, pk=None):
        investigation = self._to_change(pk)
        data = _input(serializers.SuspectInput, request)
        return _run(
            lambda: services.add_suspect(investigation, by=request.user, request=request, data=data),
            lambda s: {"id": s.pk},
        )


class ProsecutionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Prosecutions of the user's office or court (prosecutors) or of their agency's investigations."""

    queryset = Prosecution.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return access.prosecutions.visible(self.request.user).prefetch_related(
            "charges__article", "charges__sentence", "hearings", "appeals"
        )

    def get_object(self):
        return access.prosecutions.get_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return {
            "list": serializers.ProsecutionSummary,
            "create": serializers.ProsecutionInput,
            "charges": serializers.ChargeInput,
            "hearings": serializers.HearingInput,
            "verdicts": serializers.VerdictInput,
            "appeals": serializers.AppealInput,
        }.get(self.action, serializers.ProsecutionSerializer)

    def create(self, request, *args, **kwargs):
        data = _input(serializers.ProsecutionInput, request)
        investigation = access.investigations.get_for_user(request.user, data["investigation"], access.CHANGE)
        organisation = Organisation.objects.filter(pk=data["organisation"]).first()
        return _run(
            lambda: services.open_prosecution(
                investigation,
                by=request.user,
                request=request,
                organisation=organisation,
                court=data["court"],
                court_reference=data["court_reference"],
                opened_on=data["opened_on"],
            ),
            lambda p: {"id": p.pk},
        )

    def _to_change(self, pk):
        return access.prosecutions.get_for_user(self.request.user, pk, access.CHANGE)

    @action(detail=True, methods=["post"])
    def charges(self, request, pk=None):
        prosecution = self._to_change(pk)
        data = _input(serializers.ChargeInput, request)
        suspect = prosecution.investigation.suspects.filter(pk=data["suspect"]).first()
        return _run(
            lambda: services.add_charge(
                prosecution,
                by=request.user,
                request=request,
                suspect=suspect,
                article_code=data["article"],
                offence_date=data["offence_date"],
            ),
            lambda c: {"id": c.pk, "article": c.article.code, "article_valid_from": c.article.valid_from},
        )

    @action(detail=True, methods=["post"])
    def hearings(self, request, pk=None):
        prosecution = self._to_change(pk)
        data = _input(serializers.HearingInput, request)
        return _run(
            lambda: services.add_hearing(prosecution, by=request.user, request=request, **data),
            lambda h: {"id": h.pk},
        )

    @extend_schema(request=serializers.VerdictInput)
    @action(detail=True, methods=["post"])
    def verdicts(self, request, pk=None):
        """The outcome of one charge (and its sentence for a conviction). A sentence outside the
        article's range is saved with needs_review: true."""
        prosecution = self._to_change(pk)
        data = dict(_input(serializers.VerdictInput, request))
        charge = prosecution.charges.filter(pk=data.pop("charge")).first() if data.get("charge") else None
        data.pop("charge", None)
        outcome, outcome_date, reason = (
            data.pop("outcome"),
            data.pop("outcome_date"),
            data.pop("dropped_reason"),
        )

        def body(c):
            sentence = getattr(c, "sentence", None)
            return {
                "id": c.pk,
                "outcome": c.outcome,
                "needs_review": bool(sentence and sentence.needs_review),
                "review_reasons": sentence.review_reasons if sentence else [],
            }

        return _run(
            lambda: services.record_outcome(
                prosecution,
                by=request.user,
                request=request,
                charge=charge,
                outcome=outcome,
                outcome_date=outcome_date,
                dropped_reason=reason,
                sentence=data,
            ),
            body,
            status.HTTP_200_OK,
        )

    @action(detail=True, methods=["post"])
    def appeals(self, request, pk=None):
        prosecution = self._to_change(pk)
        data = dict(_input(serializers.AppealInput, request))
        suspect = prosecution.investigation.suspects.filter(pk=data.pop("suspect")).first()
        return _run(
            lambda: services.record_appeal(
                prosecution, by=request.user, request=request, suspect=suspect, **data
            ),
            lambda a: {"id": a.pk},
        )


class ArticleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The legal catalogue: every version of every offence, with its dates and whether its penalty is
    verified."""

    serializer_class = serializers.ArticleSerializer
    queryset = LegalArticle.objects.all()
    pagination_class = None


class CaseStatusViewSet(viewsets.ViewSet):
    """The justice status of a case the user may see (NGOs: only this, never suspects or charges)."""

    lookup_value_regex = r"-?\d+"  # any integer the schema allows reaches the view: a JSON 404

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The case's id")],
        responses={200: OpenApiTypes.OBJECT, 404: None},
    )
    def retrieve(self, request, pk=None):
        case = case_access.get_case_for_user(request.user, pk)
        return Response({"case": case.pk, "investigations": access.case_status(request.user, case)})


__all__ = ["ArticleViewSet", "CaseStatusViewSet", "InvestigationViewSet", "ProsecutionViewSet"]
