from django.urls import reverse
from rest_framework import serializers

from backend.jobs.models import Job


class JobOutput(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField(help_text="download of the job's file, once done")
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "kind",
            "params",
            "state",
            "state_label",
            "progress",
            "progress_note",
            "error",
            "result",
            "result_url",
            "attempts",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_url(self, job: Job) -> str:
        return reverse("job-detail", args=[job.id])

    def get_result_url(self, job: Job) -> str | None:
        if job.result_blob_id and job.state == "done":
            return reverse("job-result", args=[job.id])
        return None
