"""Events → delivery rows, written in the transaction of the event.

`webhook_event_record` is the one call the writers make (ingest through the
`submission_version_stored` signal, review directly). It costs nothing when the form has no
active webhook: the flag `Form.webhooks_active` rides on the form row the caller already
loaded, so the ingest hot path makes no query for webhooks at all (issue 13, perf note).
The delivery row is durable before the task message exists: the message only says "look
at delivery X", and the sweeper finds X again if that message is lost.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from backend.submissions.models import Submission
from backend.webhooks import clock
from backend.webhooks.models import Webhook, WebhookDelivery, WebhookEvent

logger = logging.getLogger(__name__)


def on_submission_version_stored(sender, *, submission_id, replace, form=None, **kwargs) -> None:
    """Receiver of ingest's signal (connected in WebhooksConfig.ready)."""
    if form is None:
        return
    event = WebhookEvent.SUBMISSION_EDITED if replace else WebhookEvent.SUBMISSION_CREATED
    webhook_event_record(form=form, event=event, submission_id=submission_id)


def on_submission_versions_stored(sender, *, items, **kwargs) -> None:
    """Receiver of ingest's batch signal: each item as on its own (nothing for a form without
    active webhooks, which is all a bulk load has)."""
    for item in items:
        on_submission_version_stored(sender, **item)


def webhook_event_record(
    *, form, event: str, submission_id: int, review: dict[str, Any] | None = None
) -> list[WebhookDelivery]:
    """Write one delivery per active webhook of `form` that wants `event`. Call inside the
    transaction of the event: if it rolls back, no delivery exists. `form` is the already
    loaded surveys.Form (with `webhooks_active`)."""
    if not form.webhooks_active:
        return []
    hooks = [h for h in Webhook.objects.filter(form_id=form.pk, active=True) if event in h.events]
    if not hooks:
        return []
    submission = (
        Submission.objects.select_related("current_version", "form_version", "form")
        .defer("current_version__xml", "form_version__xform")
        .get(pk=submission_id)
    )
    now = clock.now()
    deliveries = []
    for hook in hooks:
        delivery_id = uuid.uuid4()
        body = payload_bytes(
            delivery_id=delivery_id, event=event, occurred_at=now, submission=submission, review=review
        )
        deliveries.append(
            WebhookDelivery(
                id=delivery_id,
                webhook=hook,
                event=event,
                submission_id=submission.pk,
                instance_id=submission.instance_id,
                body=body,
                next_attempt_at=now,
                queued_at=now,
                created_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [d.id for d in deliveries]
    transaction.on_commit(lambda: deliveries_publish(ids))
    return deliveries


def payload_bytes(*, delivery_id, event: str, occurred_at, submission: Submission, review: dict | None) -> bytes:
    """The JSON body (UTF-8, keys sorted): what happened, to which submission, its answers."""
    version = submission.current_version
    body: dict[str, Any] = {
        "event": event,
        "delivery_id": str(delivery_id),
        "occurred_at": occurred_at,
        "form": {
            "form_id": submission.form.form_id,
            "title": submission.form.title,
            "version": submission.form_version.version,
        },
        "submission": {
            "id": submission.pk,
            "instance_id": submission.instance_id,
            "current_instance_id": version.instance_id if version else submission.instance_id,
            "deprecated_id": version.deprecated_id if version else "",
            "review_state": submission.review_state,
            "received_at": submission.received_at,
            "updated_at": submission.updated_at,
            "hamlet_code": submission.hamlet_code,
            "survey_date": submission.survey_date,
            "survey_round": submission.survey_round,
            "geopoint": [submission.lat, submission.lon, submission.altitude, submission.accuracy],
            "answers": version.parsed if version else {},
        },
    }
    if review is not None:
        body["review"] = review
    text = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def deliveries_publish(ids) -> None:
    """Hand each delivery to a worker (eagerly, in this process, without a broker). A broker
    that is down is not an error here: the sweeper publishes the delivery again later."""
    from backend.celery import app
    from backend.webhooks.tasks import webhook_deliver

    for delivery_id in ids:
        try:
            webhook_deliver.apply_async(args=[str(delivery_id)], queue=app.conf.task_default_queue)
        except Exception:
            logger.exception("could not publish webhook delivery %s (the sweeper will)", delivery_id)
