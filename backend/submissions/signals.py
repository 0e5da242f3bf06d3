"""What ingest tells the rest of the house, without importing it.

`submission_version_stored` is sent inside the ingest transaction of `submission_receive`,
right after a submission's current version is written (a new submission, or an edit that
replaces the previous version). Receivers run synchronously in that transaction: if one
raises, the submission is not stored. The reports app subscribes its answers projection
(backend/reports/answers.py) here, so `submissions` needs no import of `reports`.

The household register (backend/registers/ingest.py) subscribes the same way.

Arguments: submission_id, version_id, form_id, form (the surveys.Form row ingest loaded),
parsed (the instance as a dict), replace (True for an edit: drop what the previous version
left behind), form_version_id, entities (the instance's `meta/entity` blocks,
`backend.core.xform_schema.EntityBlock`), volunteer_id, survey_date, received_at and
hamlet_code (the submission's typed columns), actor and client_ip (who sent it, for the
audit log). Receivers take **kwargs: arguments are only ever added.
"""

from django.dispatch import Signal

submission_version_stored = Signal()

# The same, for a batch stored in one transaction (`submissions_receive_bulk`, the synthetic
# data loader): `items` is a list of the keyword arguments `submission_version_stored` would
# have been sent with, in the order they were stored. Every receiver of the one must receive
# this one too and end in the same state as if each item had been sent on its own, in order.
submission_versions_stored = Signal()
