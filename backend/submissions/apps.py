from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "backend.submissions"
    label = "submissions"
