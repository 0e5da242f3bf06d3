"""The two routes the lean submission cycle resolves against (sync/submission_handler.py):
the same view and names as sync/urls.py mounts at the root and under a device key."""

from django.urls import path

from sync import submission_views

urlpatterns = [
    path("submission", submission_views.submission, name="submission"),
    path("key/<str:token>/submission", submission_views.submission, name="submission"),
]
