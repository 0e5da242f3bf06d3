"""REST endpoints for indicators, the scorecard, maps and exports (HTTP only: the results
as a reader sees them, and every body built from them, are `backend/reports/results.py`).
"""

from __future__ import annotations

from functools import lru_cache

import brotli
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.catalogue import BY_ID, catalogue_as_json
from analytics.exports import MAP_SIZES
from backend.accounts.actors import actor_for_request
from backend.accounts.permissions import CanReview, IsCommuneAdmin, ManagesRounds
from backend.audit.http import client_ip
from backend.core.compression import accepted_encodings
from backend.core.errors import bad_request, not_found
from backend.core.schema import cursor_page_of
from backend.jobs.serializers import JobOutput
from backend.reports.body_cache import BROTLI_QUALITY, body_compressed
from backend.reports.models import AdministrativeFigure, SurveyRound
from backend.reports.results import (
    EXPORT_NAME,
    EXPORT_TYPES,
    ResultsReader,
    StoredResults,
    export_body,
    hamlets_geojson,
    indicator_rows,
    location_review_rows,
    map_body,
    scorecard_body,
)
from backend.reports.selectors import round_coverage, round_scorecard_tier, submissions_unassigned
from backend.reports.serializers import (
    AdministrativeFigureInput,
    AdministrativeFigureSerializer,
    CatalogueEntryOutput,
    HamletCollectionOutput,
    IndicatorRowOutput,
    LocationReviewOutput,
    RoundAssignInput,
    RoundAssignOutput,
    RoundCoverageOutput,
    ScorecardOutput,
    SurveyRoundInput,
    SurveyRoundPatch,
    SurveyRoundSerializer,
    UnassignedSubmissionOutput,
)
from backend.reports.services import (
    administrative_figure_set,
    submissions_round_assign,
    survey_round_create,
    survey_round_update,
)


def _results(request, round_name: str | None = None) -> StoredResults:
    return StoredResults(actor_for_request(request), round_name)


def _cached_json(request, reader: ResultsReader, *, name: str, round_name: str | None, params: dict, build):
    """The JSON body `build(StoredResults)` gives, from the body cache (`body_cache`) when the
    client takes plain JSON: a warm call is the freshness check and one cache get, its bytes
    sent brotli-compressed as they are stored. Other renderers (the browsable API, an indent
    asked for) build the body as before."""
    renderer = request.accepted_renderer
    if not isinstance(renderer, JSONRenderer) or "indent" in (request.accepted_media_type or ""):
        results = StoredResults(reader.actor, round_name, current=reader)
        return _freshness(results, Response(build(results)))

    def render() -> bytes:
        return JSONRenderer().render(build(StoredResults(reader.actor, round_name, current=reader)))

    compressed, _hit = body_compressed(reader.body_key(name, round_name, params), render)
    if "br" in accepted_encodings(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(compressed, content_type="application/json")
        response["Content-Encoding"] = "br"
    else:  # the exact bytes (the compression middleware may gzip them)
        response = HttpResponse(brotli.decompress(compressed), content_type="application/json")
    patch_vary_headers(response, ("Accept-Encoding",))
    computed_at = reader.computed_at(round_name)
    if computed_at:
        response["X-Computed-At"] = computed_at.isoformat()
    response["X-Results-Stale"] = "true" if reader.stale else "false"
    return response


def _freshness(results: StoredResults, response):
    """When the figures were computed, and whether a recomputation is under way."""
    if results.computed_at:
        response["X-Computed-At"] = results.computed_at.isoformat()
    response["X-Results-Stale"] = "true" if results.stale else "false"
    return response


def _round_param(request, results_rounds: list[str]) -> str | None:
    value = request.query_params.get("round")
    if value is None or value == "":
        return results_rounds[-1] if results_rounds else None
    return value


def _indicator_param(request, *, required: bool = True) -> str | None:
    value = request.query_params.get("indicator")
    if value is None and not required:
        return None
    if value not in BY_ID:
        raise bad_request(
            "Tham số indicator không hợp lệ. / Unknown or missing indicator.", field="indicator", allowed=list(BY_ID)
        )
    return value


ROUND = OpenApiParameter("round", str, description="Survey round, e.g. 2025 (default: all / the latest)")


class IndicatorListApi(APIView):
    @extend_schema(
        parameters=[
            ROUND,
            OpenApiParameter("hamlet", str, description="hamlet code, or 'commune'"),
            OpenApiParameter("indicator", str),
        ],
        responses={200: IndicatorRowOutput(many=True)},
    )
    def get(self, request):
        round_name = request.query_params.get("round") or None
        indicator = _indicator_param(request, required=False)
        hamlet = request.query_params.get("hamlet")
        return _cached_json(
            request,
            ResultsReader(actor_for_request(request)),
            name="indicators",
            round_name=round_name,
            params={"hamlet": hamlet, "indicator": indicator},
            build=lambda results: indicator_rows(results, hamlet=hamlet, indicator=indicator),
        )


@lru_cache(maxsize=1)
def _catalogue_compressed() -> bytes:
    # The catalogue is code: one rendering per process.
    return brotli.compress(JSONRenderer().render(catalogue_as_json()), quality=BROTLI_QUALITY)


class IndicatorCatalogueApi(APIView):
    @extend_schema(responses={200: CatalogueEntryOutput(many=True)})
    def get(self, request):
        renderer = request.accepted_renderer
        if not isinstance(renderer, JSONRenderer) or "indent" in (request.accepted_media_type or ""):
            return Response(catalogue_as_json())
        if "br" in accepted_encodings(request.headers.get("Accept-Encoding", "")):
            response = HttpResponse(_catalogue_compressed(), content_type="application/json")
            response["Content-Encoding"] = "br"
        else:
            response = HttpResponse(brotli.decompress(_catalogue_compressed()), content_type="application/json")
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


class HamletGeoJsonApi(APIView):
    @extend_schema(
        parameters=[ROUND, OpenApiParameter("indicator", str, required=True)],
        responses={200: HamletCollectionOutput},
    )
    def get(self, request):
        indicator = _indicator_param(request)
        results = _results(request)
        collection = hamlets_geojson(results, indicator=indicator, round_name=_round_param(request, results.rounds))
        response = Response(collection)
        response["Content-Type"] = "application/geo+json"
        return _freshness(results, response)


class ScorecardApi(APIView):
    @extend_schema(
        parameters=[ROUND, OpenApiParameter("tier", int, description="2027 or 2030")],
        responses={200: ScorecardOutput},
    )
    def get(self, request):
        reader = ResultsReader(actor_for_request(request))
        round_name = _round_param(request, reader.rounds)
        if round_name not in reader.rounds:
            raise not_found(f"survey round '{round_name}'")
        tier_text = request.query_params.get("tier")
        if tier_text is None:
            tier = round_scorecard_tier(round_name)
        elif tier_text in ("2027", "2030"):
            tier = int(tier_text)
        else:
            raise bad_request("tier phải là 2027 hoặc 2030. / tier must be 2027 or 2030.", field="tier")
        return _cached_json(
            request,
            reader,
            name="scorecard",
            round_name=None,  # the body reads every stored round's rows (as before)
            params={"round": round_name, "tier": tier},
            build=lambda results: scorecard_body(results, round_name=round_name, tier=tier),
        )


def _accepted(request, job) -> Response:
    """202 with the job: the client follows `url` until `state` is done, then downloads `result_url`."""
    response = Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = response.data["url"]
    return response


class ExportApi(APIView):
    """GET: the file, built during the request (a commune's in about a second). POST: the same
    file built by a background job (a province's): 202 and the job to follow."""

    @extend_schema(parameters=[ROUND], responses={(200, "application/octet-stream"): bytes})
    def get(self, request, fmt: str):
        results = _results(request, request.query_params.get("round") or None)
        response = HttpResponse(export_body(results, fmt), content_type=EXPORT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(True, EXPORT_NAME.format(fmt=fmt))
        return _freshness(results, response)

    @extend_schema(parameters=[ROUND], request=None, responses={202: JobOutput})
    def post(self, request, fmt: str):
        from backend.reports.services import indicator_export_enqueue

        job = indicator_export_enqueue(user=request.user, fmt=fmt, round_name=request.query_params.get("round") or "")
        return _accepted(request, job)


MAP_SIZE = OpenApiParameter(
    "size",
    str,
    enum=list(MAP_SIZES),
    description="screen (default: 8 in at 100 dpi) or a4 (a whole A4 portrait sheet at 300 dpi, for printing)",
)


def _map_size(request) -> str:
    size = request.query_params.get("size") or "screen"
    if size not in MAP_SIZES:
        raise bad_request(f"map size '{size}': use one of {', '.join(MAP_SIZES)}", field="size")
    return size


class MapPngApi(APIView):
    """GET: the choropleth PNG, drawn during the request. POST: drawn by a background job (202)."""

    @extend_schema(parameters=[ROUND, MAP_SIZE], responses={(200, "image/png"): bytes})
    def get(self, request, indicator: str):
        if indicator not in BY_ID:
            raise not_found(f"indicator '{indicator}'")
        size = _map_size(request)
        results = _results(request)
        body = map_body(results, indicator, _round_param(request, results.rounds), size=size)
        return _freshness(results, HttpResponse(body, content_type="image/png"))

    @extend_schema(parameters=[ROUND, MAP_SIZE], request=None, responses={202: JobOutput})
    def post(self, request, indicator: str):
        from backend.reports.services import indicator_map_enqueue

        if indicator not in BY_ID:
            raise not_found(f"indicator '{indicator}'")
        job = indicator_map_enqueue(
            user=request.user,
            indicator=indicator,
            round_name=request.query_params.get("round") or "",
            size=_map_size(request),
        )
        return _accepted(request, job)


class LocationReviewApi(APIView):
    """Households whose point is outside their declared hamlet or has poor GPS accuracy.
    Microdata: admin and leadership see all; hamlet heads see their own hamlets."""

    @extend_schema(parameters=[ROUND], responses={200: LocationReviewOutput(many=True)})
    def get(self, request):
        from backend.audit.http import audit_microdata_read
        from backend.submissions.selectors import household_hamlets_visible_to

        results = _results(request, request.query_params.get("round") or None)
        rows = location_review_rows(results, hamlets=household_hamlets_visible_to(actor_for_request(request)))
        audit_microdata_read(
            request=request,
            action="household.location_review",
            form_id="pl_ho",
            rows=len(rows),
            round=request.query_params.get("round") or "",
        )
        return _freshness(results, Response(rows))


class SurveyRoundApi(APIView):
    def get_permissions(self):
        return [IsCommuneAdmin()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(responses=SurveyRoundSerializer(many=True))
    def get(self, request):
        return Response(SurveyRoundSerializer(SurveyRound.objects.all(), many=True).data)

    @extend_schema(request=SurveyRoundInput, responses={201: SurveyRoundSerializer})
    def post(self, request):
        data = SurveyRoundInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = survey_round_create(**data.validated_data, actor=request.user, ip=client_ip(request))
        return Response(SurveyRoundSerializer(created).data, status=status.HTTP_201_CREATED)


class CoverageApi(APIView):
    """Households surveyed and refused per hamlet in one round (default: the latest): the
    reading the hamlet coverage page shows (`selectors.round_coverage`)."""

    @extend_schema(parameters=[ROUND], responses={200: RoundCoverageOutput})
    def get(self, request):
        results = _results(request)
        round_name = _round_param(request, results.rounds)
        if round_name not in results.rounds:
            raise not_found(f"survey round '{round_name}'", f"đợt khảo sát '{round_name}'")
        coverage = round_coverage(results.stored, round_name=round_name)
        return _freshness(results, Response(RoundCoverageOutput(coverage).data))


class SurveyRoundDetailApi(APIView):
    """PATCH a round's name, window, note or target year (leadership and admins)."""

    permission_classes = [ManagesRounds]

    @extend_schema(request=SurveyRoundPatch, responses={200: SurveyRoundSerializer})
    def patch(self, request, round_id: int):
        survey_round = SurveyRound.objects.filter(pk=round_id).first()
        if survey_round is None:
            raise not_found(f"survey round {round_id}", f"đợt khảo sát {round_id}")
        data = SurveyRoundPatch(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = survey_round_update(
            survey_round=survey_round, changes=dict(data.validated_data), actor=request.user, ip=client_ip(request)
        )
        return Response(SurveyRoundSerializer(updated).data)


class UnassignedCursor(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


class UnassignedSubmissionsApi(APIView):
    """Counted submissions that belong to no declared round, as the caller may see them."""

    permission_classes = [CanReview]

    @extend_schema(responses=cursor_page_of(UnassignedSubmissionOutput))
    def get(self, request):
        from backend.audit.http import audit_microdata_read

        paginator = UnassignedCursor()
        page = paginator.paginate_queryset(submissions_unassigned(actor_for_request(request)), request, view=self)
        audit_microdata_read(request=request, action="survey_round.unassigned", form_id="", returned=len(page))
        return paginator.get_paginated_response(UnassignedSubmissionOutput(page, many=True).data)


class UnassignedAssignApi(APIView):
    """Put submissions in a declared round by hand: all of them or none."""

    permission_classes = [ManagesRounds]

    @extend_schema(request=RoundAssignInput, responses={200: RoundAssignOutput})
    def post(self, request):
        from backend.submissions.selectors import submissions_visible_to

        data = RoundAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        survey_round = submissions_round_assign(
            round_name=data.validated_data["round"],
            submission_ids=data.validated_data["submissions"],
            visible=submissions_visible_to(actor_for_request(request)),
            actor=request.user,
            ip=client_ip(request),
        )
        assigned = len(set(data.validated_data["submissions"]))
        return Response(RoundAssignOutput({"round": survey_round.name, "assigned": assigned}).data)


class AdministrativeFigureApi(APIView):
    def get_permissions(self):
        return [IsCommuneAdmin()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(responses=AdministrativeFigureSerializer(many=True))
    def get(self, request):
        return Response(AdministrativeFigureSerializer(AdministrativeFigure.objects.all(), many=True).data)

    @extend_schema(request=AdministrativeFigureInput, responses={200: AdministrativeFigureSerializer})
    def post(self, request):
        data = AdministrativeFigureInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        figure = administrative_figure_set(
            indicator=values["indicator"],
            round_name=values["round"],
            numerator=values["numerator"],
            denominator=values["denominator"],
            user=request.user,
            source=values["source"],
            note=values["note"],
            ip=client_ip(request),
        )
        return Response(AdministrativeFigureSerializer(figure).data)
