"""The Celery app: background work runs on workers fed by Redis.

    celery -A backend worker -l info      # runs tasks (indicator recomputation, exports, …)
    celery -A backend beat -l info        # enqueues the scheduled ones (settings.CELERY_BEAT_SCHEDULE)

The broker is `CELERY_BROKER_URL`, else `REDIS_URL`. With neither set (the quickstart) tasks run
eagerly, in the process that enqueues them, so nothing else has to be running. Every task's
state lives in the jobs table (`backend.jobs`), not in a Celery result backend.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["backend.jobs", "backend.webhooks"])
