from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "backend.review"
    label = "review"

    def ready(self) -> None:
        from backend.jobs.signals import purge_due
        from backend.review.trash_purge import submissions_trash_purge

        purge_due.connect(submissions_trash_purge, dispatch_uid="submissions-trash-purge")
