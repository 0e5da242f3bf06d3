"""JSON sync API: batch push (`POST /api/v1/sync/submissions`, issue 13).

For custom clients (a youth-union app, a provincial system) that hold many submissions and
want one request and one answer per item. Authenticated like the OpenRosa routes: an API token
(`Authorization: Bearer …`), a signed-in session, or a volunteer's device key in the path
(`/key/<token>/api/v1/sync/submissions`). HTTP only: the items go to
`submissions_receive_batch`, which sends each through `submission_receive`.
"""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.audit.http import client_ip
from backend.core import errors
from backend.submissions.batch import MAX_ITEMS, BatchItem, submissions_receive_batch
from sync.openrosa_auth import actor_resolve


class BatchItemInput(serializers.Serializer):
    """An instance as XML, or as JSON answers the server turns into the form's instance XML."""

    xml = serializers.CharField(
        trim_whitespace=False, required=False, default="", help_text="The instance XML, as Collect would send it"
    )
    files = serializers.DictField(
        child=serializers.CharField(), required=False, default=dict, help_text="file name → base64 of the file"
    )
    answers = serializers.DictField(
        required=False,
        default=None,
        allow_null=True,
        help_text="Instead of `xml`: answers by field name (groups transparent; a repeat is a list of objects)",
    )
    form_id = serializers.CharField(required=False, default="", help_text="With `answers`: the form's ID")
    version = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="With `answers`: the version (default: the current)"
    )
    instance_id = serializers.CharField(
        required=False, default="", max_length=255, help_text="With `answers`: the instanceID (uuid:…) the client chose"
    )

    def validate(self, attrs):
        if attrs["answers"] is None:
            if not attrs["xml"]:
                raise serializers.ValidationError("Give `xml`, or `answers` with `form_id` and `instance_id`.")
            return attrs
        if attrs["xml"]:
            raise serializers.ValidationError("Give `xml` or `answers`, not both.")
        if not attrs["form_id"] or not attrs["instance_id"]:
            raise serializers.ValidationError("`answers` need `form_id` and `instance_id` (uuid:…).")
        return attrs


class BatchInput(serializers.Serializer):
    items = BatchItemInput(many=True, max_length=MAX_ITEMS, allow_empty=False)


class ItemResultOutput(serializers.Serializer):
    index = serializers.IntegerField()
    result = serializers.ChoiceField(["created", "replayed", "edited", "superseded", "conflict", "refused"])
    status = serializers.IntegerField(help_text="What the OpenRosa /submission route would have answered")
    code = serializers.CharField(help_text="The error code when refused or in conflict, else empty")
    message = serializers.CharField()
    instance_id = serializers.CharField(help_text="The submission's first instanceID (empty when refused)")
    missing_files = serializers.ListField(child=serializers.CharField())


class BatchOutput(serializers.Serializer):
    results = ItemResultOutput(many=True)
    summary = serializers.DictField(child=serializers.IntegerField())


class SubmissionBatchApi(APIView):
    # An API token or a session (DRF's defaults, CSRF-checked), or the device key in the path.
    permission_classes = [AllowAny]

    @extend_schema(request=BatchInput, responses={200: BatchOutput}, operation_id="sync_submissions_batch")
    def post(self, request, token: str | None = None):
        if token is not None:
            actor = actor_resolve(request._request, token=token, draft_token=None)
        elif request.user.is_authenticated:
            actor = request.actor  # ActorMiddleware's, for the user DRF authenticated
        else:
            raise errors.authentication_required()
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        items = [BatchItem(**i) for i in data.validated_data["items"]]
        results = submissions_receive_batch(
            actor=actor,
            items=items,
            device_id=request.query_params.get("deviceID", ""),
            user_agent=request.headers.get("User-Agent", ""),
            ip=client_ip(request),
        )
        summary: dict[str, int] = {}
        for result in results:
            summary[result.result] = summary.get(result.result, 0) + 1
        body = BatchOutput({"results": [asdict(r) for r in results], "summary": summary}).data
        return Response(body, status=status.HTTP_200_OK)


class DeviceSubmissionBatchApi(SubmissionBatchApi):
    """The same batch push under a device key (`/key/<token>/api/v1/sync/submissions`)."""

    @extend_schema(request=BatchInput, responses={200: BatchOutput}, operation_id="sync_submissions_batch_device")
    def post(self, request, token: str | None = None):
        return super().post(request, token=token)
