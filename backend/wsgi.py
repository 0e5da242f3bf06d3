"""WSGI entry point (gunicorn). The phones' submission POSTs take a lean request cycle
(sync/submission_handler.py); every other request the full Django stack."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
full_application = get_wsgi_application()

from sync.submission_handler import SubmissionHandler, submission_dispatch  # noqa: E402 — needs the settings

application = submission_dispatch(full_application, SubmissionHandler())
