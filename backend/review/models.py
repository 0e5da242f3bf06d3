"""Review of submissions: comments between reviewers and the volunteer who sent it.

The review state itself is a column of `submissions.Submission` (the submission service
sets `edited` on an edit); this app owns the transitions and the comments.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Comment(models.Model):
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="comments")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name shown to the volunteer, kept if the account is later renamed or removed.
    author_label = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=5000)
    # The state the submission was put in with this comment, if any ("" for a plain comment).
    review_state = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["submission", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.body[:40]}"
