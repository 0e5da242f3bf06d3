"""Publication: which round's results the commune has made public, and what it published.

Leadership publishes a round (an audited action). The public page serves the published
snapshot, not the live results: figures corrected after publication change the public page
only when leadership publishes again, as a printed bulletin would.
"""

from django.conf import settings
from django.db import models


class PublishedRound(models.Model):
    round = models.CharField(max_length=50, unique=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # The stored computation the snapshot was taken from (ComputedResult.computed_at / fingerprint).
    computed_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=128, blank=True)
    # The public figures as served (suppressed aggregates only; see publication/public.py).
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"công bố {self.round} @ {self.published_at:%Y-%m-%d %H:%M}"
