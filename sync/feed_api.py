"""JSON sync API: pull (`GET /api/v1/sync/changes?since=<cursor>&limit=`, issue 13).

One change feed per device scope — forms, the household list of its hamlet, its own
submissions' review states and comments, deletions as tombstones — in commit order, with the
cursor to send next time. Authenticated like the batch push: an API token, a session, or a
device key in the path (`/key/<token>/api/v1/sync/changes`). HTTP only: `changes_page` decides.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core import errors
from backend.feed.selectors import DEFAULT_LIMIT, MAX_LIMIT, changes_page
from sync.openrosa_auth import actor_resolve


class ChangeOutput(serializers.Serializer):
    kind = serializers.ChoiceField(["form", "household", "submission"])
    id = serializers.CharField(
        help_text="The server's id of the object (form and submission: a number; household: its uuid)"
    )
    op = serializers.ChoiceField(
        ["upsert", "delete"], help_text="upsert: store `data` under (kind, id); delete: drop it"
    )
    data = serializers.DictField(allow_null=True, help_text="The object's current state; null for a tombstone")


class ChangesOutput(serializers.Serializer):
    changes = ChangeOutput(many=True)
    cursor = serializers.CharField(help_text="Send it back as `since` to get what changed after this page")
    more = serializers.BooleanField(help_text="More changes are waiting: ask again at once with `cursor`")
    reset = serializers.BooleanField(
        help_text="Your scope changed since that cursor: drop everything you hold, then apply this page"
    )


class ChangesInput(serializers.Serializer):
    since = serializers.CharField(required=False, default="", allow_blank=True)
    limit = serializers.IntegerField(required=False, default=DEFAULT_LIMIT, min_value=1, max_value=MAX_LIMIT)


PARAMETERS = [
    OpenApiParameter("since", str, description="The cursor of the last page applied; omit to start from empty"),
    OpenApiParameter("limit", int, description=f"Changes per page (1–{MAX_LIMIT}, default {DEFAULT_LIMIT})"),
]


class SyncChangesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=PARAMETERS, responses={200: ChangesOutput}, operation_id="sync_changes")
    def get(self, request, token: str | None = None):
        if token is not None:
            actor = actor_resolve(request._request, token=token, draft_token=None)
        elif request.user.is_authenticated:
            actor = request.actor
        else:
            raise errors.authentication_required()
        query = ChangesInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = changes_page(actor, since=query.validated_data["since"], limit=query.validated_data["limit"])
        body = {"changes": page.changes, "cursor": page.cursor, "more": page.more, "reset": page.reset}
        return Response(ChangesOutput(body).data)


class DeviceSyncChangesApi(SyncChangesApi):
    """The same feed under a device key (`/key/<token>/api/v1/sync/changes`)."""

    @extend_schema(parameters=PARAMETERS, responses={200: ChangesOutput}, operation_id="sync_changes_device")
    def get(self, request, token: str | None = None):
        return super().get(request, token=token)
