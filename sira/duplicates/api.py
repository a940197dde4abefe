"""The API of duplicates: a case's probable duplicates (what the page shows, no more)."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sira.cases import access as case_access
from sira.duplicates import case_links, services
from sira.duplicates.serializers import MatchesSerializer


class CaseMatchesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MatchesSerializer, 404: None}, operation_id="duplicates_case_matches")
    def get(self, request, pk):
        # Any id in the path answers in JSON: a negative or oversized number is "not found" like any.
        if not pk.isdigit() or int(pk) >= 2**63:
            raise NotFound
        case = case_access.get_case_for_user(request.user, int(pk))
        views = services.match_views(request.user, case)
        return Response({"probable_duplicates": [case_links.as_json(v, case) for v in views]})
