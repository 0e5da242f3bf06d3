"""The delivery code's notion of "now", in one place so tests can move it (back-off is
minutes to hours; a test should not wait for it)."""

from django.utils import timezone


def now():
    return timezone.now()
