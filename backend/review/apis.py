"""Review over REST: set a state, comment, bulk review, the review queue and "my submissions".

Lookups go through the scoping selector, so a submission outside the caller's hamlets is a
404 here exactly as in the read API.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.actors import actor_for_device_token, actor_for_request
from backend.accounts.permissions import CanReview, SeesMicrodata
from backend.audit.http import audit_microdata_read, client_ip
from backend.core import errors
from backend.core.schema import counted_list_of, cursor_page_of
from backend.review.selectors import (
    my_submissions,
    review_queue,
    submission_comments,
)
from backend.review.serializers import (
    BulkReviewInput,
    CommentInput,
    CommentOutput,
    MySubmissionOutput,
    QueueItemOutput,
    ReviewInput,
    ReviewOutput,
)
from backend.review.services import (
    submission_comment_add,
    submission_delete_flag,
    submission_review_set,
    submissions_review_bulk,
)
from backend.submissions.apis import SubmissionCursor
from backend.submissions.filters import SubmissionFilter, submissions_filter
from backend.submissions.selectors import form_for_submissions, submission_get

MY_SUBMISSIONS_LIMIT = 500


class SubmissionReviewApi(APIView):
    permission_classes = [CanReview]

    @extend_schema(request=ReviewInput, responses=ReviewOutput)
    def patch(self, request, form_id: str, instance_id: str):
        actor = actor_for_request(request)
        submission = submission_get(actor, form=form_for_submissions(form_id), instance_id=instance_id)
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        submission = submission_review_set(
            actor=actor, submission=submission, ip=client_ip(request), **data.validated_data
        )
        return Response(ReviewOutput(submission).data)


class DeleteRequestInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why it should be deleted (kept as a comment)")


class SubmissionDeleteRequestApi(APIView):
    """A hamlet head flags a submission for an admin to delete (only admins delete)."""

    permission_classes = [CanReview]

    @extend_schema(request=DeleteRequestInput, responses={201: CommentOutput})
    def post(self, request, form_id: str, instance_id: str):
        actor = actor_for_request(request)
        submission = submission_get(actor, form=form_for_submissions(form_id), instance_id=instance_id)
        data = DeleteRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = submission_delete_flag(
            actor=actor, submission=submission, reason=data.validated_data["reason"], ip=client_ip(request)
        )
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class SubmissionReviewBulkApi(APIView):
    permission_classes = [CanReview]

    @extend_schema(request=BulkReviewInput, responses=counted_list_of(ReviewOutput))
    def post(self, request, form_id: str):
        data = BulkReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        reviewed = submissions_review_bulk(
            actor=actor_for_request(request),
            form=form_for_submissions(form_id),
            ip=client_ip(request),
            **data.validated_data,
        )
        return Response({"count": len(reviewed), "results": ReviewOutput(reviewed, many=True).data})


class SubmissionCommentsApi(APIView):
    """GET: reviewers and the submission's own volunteer; POST: reviewers."""

    def get_permissions(self):
        return [CanReview()] if self.request.method == "POST" else [SeesMicrodata()]

    @extend_schema(responses=CommentOutput(many=True))
    def get(self, request, form_id: str, instance_id: str):
        actor = actor_for_request(request)
        submission = submission_get(actor, form=form_for_submissions(form_id), instance_id=instance_id)
        audit_microdata_read(request=request, action="submission.comments", form_id=form_id, instance_id=instance_id)
        return Response(CommentOutput(submission_comments(submission), many=True).data)

    @extend_schema(request=CommentInput, responses={201: CommentOutput})
    def post(self, request, form_id: str, instance_id: str):
        actor = actor_for_request(request)
        submission = submission_get(actor, form=form_for_submissions(form_id), instance_id=instance_id)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = submission_comment_add(
            actor=actor, submission=submission, body=data.validated_data["body"], ip=client_ip(request)
        )
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class ReviewQueueApi(APIView):
    """Every submission the caller may see, across forms, with the review filters."""

    permission_classes = [SeesMicrodata]

    @extend_schema(parameters=[SubmissionFilter], responses=cursor_page_of(QueueItemOutput))
    def get(self, request):
        submissions = submissions_filter(review_queue(actor_for_request(request)), request.query_params)
        paginator = SubmissionCursor()
        page = paginator.paginate_queryset(submissions, request, view=self)
        audit_microdata_read(
            request=request,
            action="submission.list",
            form_id="*",
            query=request.query_params.dict(),
            returned=len(page),
        )
        return paginator.get_paginated_response(QueueItemOutput(page, many=True).data)


class MySubmissionsApi(APIView):
    """A volunteer's own submissions (web login or Bearer token) with review state and comments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MySubmissionOutput(many=True))
    def get(self, request):
        return Response(_my_submissions_json(request, actor_for_request(request)))


class MySubmissionsForDeviceApi(APIView):
    """The same list for a volunteer's phone or web page under its device key:
    GET /key/<token>/api/my-submissions. A revoked or unknown key is 403 at once. The key in
    the path is the only credential (no session, no CSRF); errors are rendered by the API's
    exception handler like every other Problem."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(responses=MySubmissionOutput(many=True))
    def get(self, request, token: str):
        actor = actor_for_device_token(token)
        if actor is None:
            raise errors.invalid_device_token()
        request.actor = actor
        return Response(_my_submissions_json(request, actor))


def _my_submissions_json(request, actor) -> list[dict]:
    if actor.volunteer is None:
        raise errors.forbidden("Only volunteers have their own submissions. / Chỉ tình nguyện viên có bản ghi riêng.")
    submissions = my_submissions(actor).filter(volunteer=actor.volunteer)[:MY_SUBMISSIONS_LIMIT]
    rows = MySubmissionOutput(submissions, many=True).data
    audit_microdata_read(request=request, action="submission.list", form_id="*", mine=True, returned=len(rows))
    return rows
