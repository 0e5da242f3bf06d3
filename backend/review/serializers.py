from rest_framework import serializers

from backend.review.models import Comment
from backend.review.services import SETTABLE_STATES


class ReviewInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=[(s.value, s.label) for s in SETTABLE_STATES])
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)


class BulkReviewInput(serializers.Serializer):
    instance_ids = serializers.ListField(child=serializers.CharField(max_length=255), min_length=1, max_length=1000)
    state = serializers.ChoiceField(choices=[(s.value, s.label) for s in SETTABLE_STATES])
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)


class CommentInput(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class CommentOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author_label")

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "review_state", "created_at"]


class ReviewOutput(serializers.Serializer):
    form_id = serializers.CharField(source="form.form_id")
    instance_id = serializers.CharField()
    review_state = serializers.CharField()
    updated_at = serializers.DateTimeField()


class QueueItemOutput(serializers.Serializer):
    form_id = serializers.CharField(source="form.form_id")
    instance_id = serializers.CharField()
    current_instance_id = serializers.CharField(source="current_version.instance_id", default=None)
    review_state = serializers.CharField()
    hamlet = serializers.CharField(source="hamlet_code")
    volunteer = serializers.SerializerMethodField()
    survey_date = serializers.DateField()
    submitted_at = serializers.DateTimeField(source="received_at")
    updated_at = serializers.DateTimeField()

    def get_volunteer(self, submission) -> dict | None:
        volunteer = submission.volunteer
        return {"id": volunteer.pk, "name": volunteer.name} if volunteer else None


class MySubmissionOutput(serializers.Serializer):
    form_id = serializers.CharField(source="form.form_id")
    form_title = serializers.CharField(source="form.title")
    instance_id = serializers.CharField()
    current_instance_id = serializers.CharField(source="current_version.instance_id", default=None)
    instance_name = serializers.CharField(source="current_version.instance_name", default="")
    review_state = serializers.CharField()
    review_state_label = serializers.CharField(source="get_review_state_display")
    hamlet = serializers.CharField(source="hamlet_code")
    survey_date = serializers.DateField()
    submitted_at = serializers.DateTimeField(source="received_at")
    updated_at = serializers.DateTimeField()
    comments = CommentOutput(many=True)
