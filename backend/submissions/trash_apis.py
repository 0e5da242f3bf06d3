"""Delete, trash, restore and purge over REST (admins; backend/submissions/trash.py decides).

DELETE on the detail URL moves a submission to the trash (SubmissionDetailApi.delete);
`…/restore` takes it back within 30 days; `…/purge` removes a trashed one for good;
`forms/{id}/trash` lists what is in the trash. Hamlet heads flag instead (`…/delete-request`,
backend/review/apis.py).
"""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.actors import actor_for_request
from backend.audit.http import client_ip
from backend.core.schema import counted_list_of
from backend.submissions.selectors import form_for_submissions, submission_get_for_admin, submissions_in_trash
from backend.submissions.serializers import TrashOutput
from backend.submissions.trash import TRASH_DAYS, submission_delete, submission_restore, submissions_purge

TRASH_LIST_LIMIT = 1000


class PurgeOutput(serializers.Serializer):
    submissions = serializers.IntegerField(help_text="Submissions removed for good")
    blobs_deleted = serializers.IntegerField(help_text="Stored files deleted because nothing else used them")


def trash_view(submission) -> TrashOutput:
    submission.restorable_until = (
        submission.deleted_at + timedelta(days=TRASH_DAYS) if submission.deleted_at is not None else None
    )
    return TrashOutput(submission).data


def trash_delete(request, form_id: str, instance_id: str) -> Response:
    """DELETE …/submissions/{instanceId} (called by SubmissionDetailApi.delete)."""
    actor = actor_for_request(request)
    submission = submission_get_for_admin(actor, form=form_for_submissions(form_id), instance_id=instance_id)
    return Response(trash_view(submission_delete(actor=actor, submission=submission, ip=client_ip(request))))


class SubmissionRestoreApi(APIView):
    @extend_schema(request=None, responses=TrashOutput)
    def post(self, request, form_id: str, instance_id: str):
        actor = actor_for_request(request)
        submission = submission_get_for_admin(actor, form=form_for_submissions(form_id), instance_id=instance_id)
        return Response(trash_view(submission_restore(actor=actor, submission=submission, ip=client_ip(request))))


class SubmissionPurgeApi(APIView):
    @extend_schema(request=None, responses=PurgeOutput)
    def post(self, request, form_id: str, instance_id: str):
        actor = actor_for_request(request)
        submission = submission_get_for_admin(actor, form=form_for_submissions(form_id), instance_id=instance_id)
        report = submissions_purge(actor=actor, submissions=[submission], ip=client_ip(request))
        return Response(PurgeOutput(report).data)


class SubmissionTrashApi(APIView):
    @extend_schema(responses=counted_list_of(TrashOutput))
    def get(self, request, form_id: str):
        trash = submissions_in_trash(actor_for_request(request), form=form_for_submissions(form_id))
        rows = list(trash[:TRASH_LIST_LIMIT])
        return Response({"count": trash.count(), "results": [trash_view(s) for s in rows]})
