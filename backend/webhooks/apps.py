from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "backend.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks (REST services)"

    def ready(self) -> None:
        # New and edited submissions reach us through ingest's signal, sent inside the ingest
        # transaction: the delivery row commits (or rolls back) with the submission.
        from backend.submissions.signals import submission_version_stored, submission_versions_stored
        from backend.webhooks.events import on_submission_version_stored, on_submission_versions_stored

        submission_version_stored.connect(on_submission_version_stored, dispatch_uid="webhooks.submission_events")
        submission_versions_stored.connect(on_submission_versions_stored, dispatch_uid="webhooks.submission_events")

        from backend.jobs.signals import purge_due
        from backend.webhooks.purge import on_purge_due

        purge_due.connect(on_purge_due, dispatch_uid="webhooks.purge")
