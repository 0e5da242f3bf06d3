"""REST endpoints for indicators, the scorecard, maps and exports (HTTP only).

Every response is built from the stored results (`services.indicator_results_current`);
readers without microdata access (`backend.accounts.policy.sees_microdata`) get suppressed cells.
"""

from __future__ import annotations

import pandas as pd
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import exports
from analytics.catalogue import BY_ID, CRITERIA, catalogue_as_json
from analytics.geo import hamlets_frame
from analytics.scorecard import OPTIONAL_REQUIRED, scorecard_labelled
from analytics.suppress import cells_hidden, rows_suppress, scorecard_suppress
from backend.accounts import policy
from backend.accounts.actors import actor_for_request
from backend.accounts.permissions import IsCommuneAdmin
from backend.audit.http import client_ip
from backend.core.errors import bad_request, not_found
from backend.core.schema import ARRAY_OF_OBJECTS, OBJECT
from backend.places.models import Hamlet
from backend.reports.models import AdministrativeFigure, SurveyRound
from backend.reports.selectors import hamlets_seen_unsuppressed
from backend.reports.serializers import (
    AdministrativeFigureInput,
    AdministrativeFigureSerializer,
    SurveyRoundInput,
    SurveyRoundSerializer,
    indicator_row,
)
from backend.reports.services import administrative_figure_set, indicator_results_current, survey_round_create

RULE = {
    "vi": f"Ấp đạt khi đạt tất cả tiêu chí bắt buộc (BB) và ít nhất {OPTIONAL_REQUIRED} tiêu chí tự chọn (TC).",
    "en": f"A hamlet meets the standard with every mandatory (BB) criterion and at least {OPTIONAL_REQUIRED} "
    "optional (TC) criteria.",
}


class _Results:
    """The stored results as frames, suppressed for this reader when needed."""

    def __init__(self, request, round_name: str | None):
        stored, self.stale = indicator_results_current(user=request.user)
        self.microdata = policy.sees_microdata(actor_for_request(request))
        self.min_cell = settings.ANALYTICS_MIN_CELL
        self.rounds = sorted(r.round for r in stored)
        if round_name:
            stored = [r for r in stored if r.round == round_name]
        self.stored = stored
        self._tables = None
        self.computed_at = max((r.computed_at for r in stored), default=None)
        self.own_hamlets = frozenset() if self.microdata else hamlets_seen_unsuppressed(actor_for_request(request))
        self.rows = self.frame("rows") if self.microdata else self._rows_suppressed()
        if "suppressed" not in self.rows and not self.rows.empty:
            self.rows["suppressed"] = False

    def _rows_suppressed(self) -> pd.DataFrame:
        """Each round's rows with its small cells hidden (the pattern is kept per stored result:
        it does not depend on the reader), then the reader's own hamlets shown."""
        parts = []
        for result in self.stored:
            rows = self._round_tables(result).get("rows", pd.DataFrame())
            if len(rows.columns) and len(rows):
                hidden = _hidden_cells(result, rows, self.min_cell)
                parts.append(rows_suppress(rows, self.min_cell, own_hamlets=self.own_hamlets, hidden=hidden))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def _round_tables(self, result) -> dict[str, pd.DataFrame]:
        if self._tables is None:
            self._tables = {r.round: _unpacked(r) for r in self.stored}
        return self._tables[result.round]

    def headers(self, response):
        if self.computed_at:
            response["X-Computed-At"] = self.computed_at.isoformat()
        response["X-Results-Stale"] = "true" if self.stale else "false"
        return response

    def scorecard(self, rounds: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(criteria, summary) with the same cells hidden as in `self.rows`: a verdict or a
        failing list derived from a hidden cell is hidden too."""
        detail = scorecard_labelled(self.frame("scorecard", rounds))
        summary = self.frame("summary", rounds)
        if self.microdata:
            return detail, summary
        return scorecard_suppress(detail, summary, self.rows, self.min_cell)

    def frame(self, name: str, rounds: list[str] | None = None) -> pd.DataFrame:
        if self._tables is None:
            self._tables = {r.round: _unpacked(r) for r in self.stored}
        parts = [
            tables.get(name, pd.DataFrame())
            for round_name, tables in self._tables.items()
            if rounds is None or round_name in rounds
        ]
        parts = [p for p in parts if len(p.columns)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


_UNPACKED: dict[tuple, dict[str, pd.DataFrame]] = {}
_HIDDEN: dict[tuple, pd.Series] = {}


def _hidden_cells(result, rows: pd.DataFrame, min_cell: int) -> pd.Series:
    """Which of a stored result's rows are hidden from readers without microdata, computed
    once per process and computation (about a second for a province)."""
    key = (result.round, result.fingerprint, result.computed_at, min_cell)
    if key not in _HIDDEN:
        if len(_HIDDEN) >= 16:
            _HIDDEN.pop(next(iter(_HIDDEN)))
        _HIDDEN[key] = cells_hidden(rows, min_cell)
    return _HIDDEN[key]


def _unpacked(result) -> dict[str, pd.DataFrame]:
    """A stored result's tables, unpacked once per process and computation (a province's
    take most of a second to unpack; every map and export reads them)."""
    key = (result.round, result.fingerprint, result.computed_at)
    if key not in _UNPACKED:
        if len(_UNPACKED) >= 16:
            _UNPACKED.pop(next(iter(_UNPACKED)))
        _UNPACKED[key] = exports.tables_unpack(result.tables)
    # Callers filter and add columns: hand out copies, keep the cache pristine.
    return {name: frame.copy() for name, frame in _UNPACKED[key].items()}


def _round_param(request, results_rounds: list[str]) -> str | None:
    value = request.query_params.get("round")
    if value is None or value == "":
        return results_rounds[-1] if results_rounds else None
    return value


def _hamlets():
    return hamlets_frame(
        Hamlet.objects.values("code", "name", "name_en", "boundary", "registered_households", "pilot_dra")
    )


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
        responses={200: ARRAY_OF_OBJECTS},
    )
    def get(self, request):
        results = _Results(request, request.query_params.get("round") or None)
        rows = results.rows
        hamlet = request.query_params.get("hamlet")
        indicator = _indicator_param(request, required=False)
        if not rows.empty:
            if hamlet == "commune":
                rows = rows[rows["hamlet"].isna()]
            elif hamlet:
                rows = rows[rows["hamlet"] == hamlet]
            if indicator:
                rows = rows[rows["indicator"] == indicator]
        data = [indicator_row(r) for r in rows.to_dict("records")] if not rows.empty else []
        return results.headers(Response(data))


class IndicatorCatalogueApi(APIView):
    @extend_schema(responses={200: ARRAY_OF_OBJECTS})
    def get(self, request):
        return Response(catalogue_as_json())


class HamletGeoJsonApi(APIView):
    @extend_schema(parameters=[ROUND, OpenApiParameter("indicator", str, required=True)], responses={200: OBJECT})
    def get(self, request):
        indicator = _indicator_param(request)
        results = _Results(request, None)
        round_name = _round_param(request, results.rounds)
        rows = results.rows
        if rows.empty:
            rows = pd.DataFrame(
                columns=[
                    "indicator",
                    "round",
                    "hamlet",
                    "value",
                    "numerator",
                    "denominator",
                    "ci_low",
                    "ci_high",
                    "target",
                    "target_year",
                    "met",
                    "suppressed",
                ]
            )
        collection = exports.geojson_dict(_hamlets(), rows, indicator, round_name or "")
        for feature in collection["features"]:
            feature["properties"]["label_vi"] = BY_ID[indicator].label_vi
            feature["properties"]["suppressed"] = bool(feature["properties"].get("suppressed") or False)
        response = Response(collection)
        response["Content-Type"] = "application/geo+json"
        return results.headers(response)


class ScorecardApi(APIView):
    @extend_schema(
        parameters=[ROUND, OpenApiParameter("tier", int, description="2027 or 2030")], responses={200: OBJECT}
    )
    def get(self, request):
        results = _Results(request, None)
        round_name = _round_param(request, results.rounds)
        if round_name not in results.rounds:
            raise not_found(f"survey round '{round_name}'")
        tier_text = request.query_params.get("tier")
        if tier_text is None:
            year = int(round_name[:4]) if round_name[:4].isdigit() else 2027
            tier = 2027 if year <= 2027 else 2030
        elif tier_text in ("2027", "2030"):
            tier = int(tier_text)
        else:
            raise bad_request("tier phải là 2027 hoặc 2030. / tier must be 2027 or 2030.", field="tier")
        detail, summary = results.scorecard([round_name])
        hamlets = []
        if not summary.empty:
            summary = summary[summary["tier"] == tier]
            detail = detail[detail["tier"] == tier]
            by_hamlet = {h: g for h, g in detail.groupby("hamlet")}
            for item in summary.to_dict("records"):
                criteria = by_hamlet.get(item["hamlet"], pd.DataFrame())
                keep = [
                    "criterion",
                    "group",
                    "label_vi",
                    "label_en",
                    "role",
                    "value",
                    "op",
                    "threshold",
                    "status",
                    "status_en",
                    "met",
                    "gap_pp",
                    "source",
                    "condition",
                    "suppressed",
                    "reason",
                    "reason_en",
                ]
                criteria = criteria.reindex(columns=keep)
                criteria = criteria.astype(object).where(criteria.notna(), None)
                hamlets.append(
                    {
                        "hamlet": item["hamlet"],
                        "name": item.get("name"),
                        "pilot": bool(item.get("pilot")),
                        "tier": tier,
                        "status": item["status"],
                        "status_en": item["status_en"],
                        "dat": None if item.get("suppressed") else bool(item["dat"]),
                        "suppressed": bool(item.get("suppressed", False)),
                        "bb_met": item["bb_met"],
                        "bb_total": item["bb_total"],
                        "tc_met": item["tc_met"],
                        "tc_required": item["tc_required"],
                        "failing": item["failing"],
                        "failing_mandatory": item["failing_mandatory"],
                        "criteria": criteria.to_dict("records"),
                    }
                )
        rows = results.rows
        targets = []
        if not rows.empty:
            plan = rows[rows["hamlet"].isna() & rows["round"].eq(round_name) & rows["indicator"].str.startswith("P")]
            for row in plan.to_dict("records"):
                shaped = indicator_row(row)
                targets.append(
                    {
                        **shaped,
                        "label_vi": BY_ID[row["indicator"]].label_vi,
                        "label_en": BY_ID[row["indicator"]].label_en,
                        "source": "administrative"
                        if BY_ID[row["indicator"]].administrative
                        else BY_ID[row["indicator"]].source,
                    }
                )
        return results.headers(
            Response(
                {
                    "round": round_name,
                    "tier": tier,
                    "rule": RULE,
                    "criteria": [c.id for c in CRITERIA],
                    "suppression": None if results.microdata else {"min_cell": results.min_cell},
                    "hamlets": hamlets,
                    "commune_targets": targets,
                }
            )
        )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}
EXPORT_NAME = "chi_so_phu_lam.{fmt}"


def export_body(results: _Results, fmt: str) -> bytes:
    """The indicator export in one format, for this reader (suppressed cells stay suppressed)."""
    hamlets = _hamlets()
    names = dict(zip(hamlets["code"], hamlets["name"], strict=False)) if len(hamlets) else {}
    rows = results.rows
    if rows.empty:
        rows = pd.DataFrame(
            columns=[
                "indicator",
                "hamlet",
                "round",
                "unit",
                "numerator",
                "denominator",
                "value",
                "ci_low",
                "ci_high",
                "target",
                "target_year",
                "met",
                "suppressed",
            ]
        )
    if fmt == "csv":
        return exports.csv_bytes(rows, names)
    if fmt == "xlsx":
        scorecard, summary = results.scorecard()
        return exports.xlsx_bytes(rows, scorecard, summary, results.frame("coverage"), names)
    if fmt == "gpkg":
        return exports.gpkg_bytes(hamlets, rows)
    raise not_found(f"export format '{fmt}'")


def map_body(results: _Results, indicator: str, round_name: str | None) -> bytes:
    if round_name not in results.rounds:
        raise not_found(f"survey round '{round_name}'")
    return exports.choropleth_png(_hamlets(), results.rows, indicator, round_name)


def _accepted(request, job) -> Response:
    """202 with the job: the client follows `url` until `state` is done, then downloads `result_url`."""
    from backend.jobs.serializers import JobOutput

    response = Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = response.data["url"]
    return response


class ExportApi(APIView):
    """GET: the file, built during the request (a commune's in about a second). POST: the same
    file built by a background job (a province's): 202 and the job to follow."""

    @extend_schema(parameters=[ROUND], responses={(200, "application/octet-stream"): bytes})
    def get(self, request, fmt: str):
        results = _Results(request, request.query_params.get("round") or None)
        response = HttpResponse(export_body(results, fmt), content_type=EXPORT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{EXPORT_NAME.format(fmt=fmt)}"'
        return results.headers(response)

    @extend_schema(parameters=[ROUND], request=None, responses={202: dict})
    def post(self, request, fmt: str):
        from backend.reports.services import indicator_export_enqueue

        job = indicator_export_enqueue(user=request.user, fmt=fmt, round_name=request.query_params.get("round") or "")
        return _accepted(request, job)


class MapPngApi(APIView):
    """GET: the choropleth PNG, drawn during the request. POST: drawn by a background job (202)."""

    @extend_schema(parameters=[ROUND], responses={(200, "image/png"): bytes})
    def get(self, request, indicator: str):
        if indicator not in BY_ID:
            raise not_found(f"indicator '{indicator}'")
        results = _Results(request, None)
        body = map_body(results, indicator, _round_param(request, results.rounds))
        return results.headers(HttpResponse(body, content_type="image/png"))

    @extend_schema(parameters=[ROUND], request=None, responses={202: dict})
    def post(self, request, indicator: str):
        from backend.reports.services import indicator_map_enqueue

        if indicator not in BY_ID:
            raise not_found(f"indicator '{indicator}'")
        job = indicator_map_enqueue(
            user=request.user, indicator=indicator, round_name=request.query_params.get("round") or ""
        )
        return _accepted(request, job)


class LocationReviewApi(APIView):
    """Households whose point is outside their declared hamlet or has poor GPS accuracy.
    Microdata: admin and leadership see all; hamlet heads see their own hamlets."""

    @extend_schema(parameters=[ROUND], responses={200: ARRAY_OF_OBJECTS})
    def get(self, request):
        from backend.audit.http import audit_microdata_read
        from backend.submissions.selectors import household_hamlets_visible_to

        scope = household_hamlets_visible_to(actor_for_request(request))
        results = _Results(request, request.query_params.get("round") or None)
        review = results.frame("review")
        if scope is not None and not review.empty:
            review = review[review["hamlet"].isin(scope)]
        audit_microdata_read(
            request=request,
            action="household.location_review",
            form_id="pl_ho",
            rows=len(review),
            round=request.query_params.get("round") or "",
        )
        return results.headers(Response(exports.json_safe(review)))


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
