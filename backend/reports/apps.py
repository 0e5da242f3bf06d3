from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "backend.reports"
    label = "reports"

    def ready(self):
        # The answers projection subscribes to ingest; submissions does not import reports.
        from backend.reports.answers import on_submission_version_stored, on_submission_versions_stored
        from backend.submissions.signals import submission_version_stored, submission_versions_stored

        submission_version_stored.connect(on_submission_version_stored, dispatch_uid="reports.answers_projection")
        submission_versions_stored.connect(on_submission_versions_stored, dispatch_uid="reports.answers_projection")
