"""The audit log over REST: read-only, for commune admins."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import IsCommuneAdmin
from backend.audit.selectors import audit_events_list
from backend.audit.serializers import AuditEventOutput, AuditQueryInput
from backend.core.middleware import personal_data_mark
from backend.core.schema import counted_list_of


class AuditListApi(APIView):
    # Only GET is defined: the log cannot be written or edited through the API (405).
    permission_classes = [IsCommuneAdmin]

    @extend_schema(parameters=[AuditQueryInput], responses=counted_list_of(AuditEventOutput))
    def get(self, request):
        personal_data_mark(request)  # names, addresses and what they did
        query = AuditQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        limit, offset = params.pop("limit"), params.pop("offset")
        events = audit_events_list(**params)
        page = events[offset : offset + limit]
        return Response({"count": events.count(), "results": AuditEventOutput(page, many=True).data})
