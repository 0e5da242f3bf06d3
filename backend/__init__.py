# The Celery app is loaded with Django so that `@shared_task`s bind to it in every process.
from backend.celery import app as celery_app

__all__ = ["celery_app"]
