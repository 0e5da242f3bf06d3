"""The register over REST: the list (scoped by Actor), conflicts and their resolution, the
households added in the field, duplicate visits, and the CSV import (admins)."""

from __future__ import annotations

from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import policy
from backend.accounts.actors import actor_for_request
from backend.accounts.permissions import CanReview, IsCommuneAdmin
from backend.audit.http import client_ip
from backend.core import errors
from backend.core.schema import counted_list_of
from backend.registers.selectors import (
    conflict_get,
    conflicts_for,
    duplicate_visits,
    household_get,
    household_history,
    household_list_for_api,
)
from backend.registers.serializers import (
    ConflictOutput,
    DuplicateVisitsOutput,
    HouseholdDetailOutput,
    HouseholdOutput,
    ImportReportOutput,
    ResolveInput,
)
from backend.registers.services import household_conflict_resolve, households_import

LIST_LIMIT = 20_000
HAMLET = OpenApiParameter("hamlet", str, description="hamlet code")


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def _day(request, name: str) -> date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise errors.bad_request(f"{name} phải là ngày YYYY-MM-DD / {name} must be a date YYYY-MM-DD", field=name)


class HouseholdListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[HAMLET, OpenApiParameter("added_in_field", bool)],
        responses=counted_list_of(HouseholdOutput),
    )
    def get(self, request):
        added = request.query_params.get("added_in_field")
        households = household_list_for_api(
            actor_for_request(request),
            hamlet=request.query_params.get("hamlet") or None,
            added_in_field=None if added is None else _flag(request, "added_in_field"),
        )
        rows = list(households[:LIST_LIMIT])
        return Response({"count": households.count(), "results": HouseholdOutput(rows, many=True).data})


class HouseholdDetailApi(APIView):
    """One household with every version (what changed, from which submission, import or person)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=HouseholdDetailOutput)
    def get(self, request, household_id):
        household = household_get(actor_for_request(request), household_id=household_id)
        household.history = household_history(household)
        return Response(HouseholdDetailOutput(household).data)


class ConflictListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[HAMLET, OpenApiParameter("all", bool, description="resolved ones too")],
        responses=counted_list_of(ConflictOutput),
    )
    def get(self, request):
        conflicts = conflicts_for(
            actor_for_request(request),
            hamlet=request.query_params.get("hamlet") or None,
            open_only=not _flag(request, "all"),
        )
        rows = list(conflicts[:LIST_LIMIT])
        return Response({"count": len(rows), "results": ConflictOutput(rows, many=True).data})


class ConflictResolveApi(APIView):
    permission_classes = [CanReview]

    @extend_schema(request=ResolveInput, responses=ConflictOutput)
    def post(self, request, conflict_id: int):
        actor = actor_for_request(request)
        conflict = conflict_get(actor, conflict_id=conflict_id)
        if not policy.can_review(actor, conflict.household.hamlet.code):
            raise errors.forbidden()
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = household_conflict_resolve(
            conflict=conflict, user=request.user, actor=actor, ip=client_ip(request), **data.validated_data
        )
        return Response(ConflictOutput(conflict).data)


class DuplicateVisitsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[HAMLET, OpenApiParameter("from", str), OpenApiParameter("to", str)],
        responses=counted_list_of(DuplicateVisitsOutput),
    )
    def get(self, request):
        groups = duplicate_visits(
            actor_for_request(request),
            start=_day(request, "from"),
            end=_day(request, "to"),
            hamlet=request.query_params.get("hamlet") or None,
        )
        return Response({"count": len(groups), "results": DuplicateVisitsOutput(groups, many=True).data})


class CsvBodyParser(BaseParser):
    """A `text/csv` body, as bytes (the import reads it as it is)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class HouseholdImportApi(APIView):
    """multipart (`file`) or a text/csv body; `?dry_run=1` reports and changes nothing;
    `?replace=1` allows changes to households already held (else 409.30 with the changes)."""

    permission_classes = [IsCommuneAdmin]
    parser_classes = [MultiPartParser, CsvBodyParser]

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
            "text/csv": {"type": "string"},
        },
        parameters=[OpenApiParameter("dry_run", bool), OpenApiParameter("replace", bool)],
        responses=ImportReportOutput,
    )
    def post(self, request):
        body = request.data
        upload = None if isinstance(body, bytes) else request.FILES.get("file")
        if isinstance(body, bytes):
            data, name = body, "households.csv"
        elif upload is not None:
            data, name = upload.read(), upload.name
        else:
            raise errors.bad_request(
                "Gửi tệp CSV (trường 'file') hoặc thân text/csv. / Send the CSV as the 'file' part or a text/csv body.",
                field="file",
            )
        report = households_import(
            data=data,
            filename=name,
            dry_run=_flag(request, "dry_run"),
            replace=_flag(request, "replace"),
            user=request.user,
            actor=actor_for_request(request),
            ip=client_ip(request),
        )
        return Response(report.as_dict())
