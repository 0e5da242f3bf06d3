"""Submissions stored the way the ingest path stores them, for the commune's real forms.

The parsed JSON is laid out along the paths the published XForm declares, so these tests
also check that the selector finds every field in the real forms."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from analytics.frames import FIELDS, REPEATS, leaf_values, repeat_instances
from backend.places.models import Commune, Hamlet, Market
from backend.reports.answers import submission_answers_store
from backend.submissions.changes import submission_changed
from backend.submissions.models import Submission, SubmissionVersion
from backend.surveys.models import Form
from backend.surveys.services import form_publish
from tests.analytics.builders import assessment, household, member, square, stall
from tests.reports.xform_paths import split_at_repeat, xform_paths

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms_xlsform"


def publish_commune_forms() -> dict[str, Form]:
    forms = {}
    for form_id in FIELDS:
        result = form_publish(xlsform=(FORMS_DIR / f"{form_id}.xlsx").read_bytes(), filename=f"{form_id}.xlsx")
        forms[form_id] = result.form
    return forms


def _place(doc: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        doc = doc.setdefault(part, {})
    doc[path[-1]] = value


def parsed_for(form: Form, flat_parsed: dict) -> dict:
    """Re-lay a builder's document (fields found by name) along the form's real paths."""
    paths, repeats = xform_paths(bytes(form.current_version.xform))
    doc: dict = {}
    for name, value in leaf_values(flat_parsed, FIELDS[form.form_id]).items():
        _place(doc, paths[name], value)
    for repeat, fields in REPEATS[form.form_id].items():
        repeat_path = paths[repeat]
        instances = []
        for instance in repeat_instances(flat_parsed, repeat):
            inner: dict = {}
            for name, value in leaf_values(instance, fields).items():
                _place(inner, split_at_repeat(paths[name], repeat_path), value)
            instances.append(inner)
        _place(doc, repeat_path, instances)
    doc["meta"] = {"instanceID": f"uuid:{uuid.uuid4()}"}
    return doc


def store(
    forms: dict[str, Form],
    record: dict,
    *,
    review_state: str = "received",
    deleted: bool = False,
    with_answers: bool = True,
):
    """Store a builder record (tests/analytics/builders.py) as Submission + current version,
    and its analysis answers as the ingest path does (`with_answers=False`: as data stored
    before the answers projection existed)."""
    form = forms[record["form_id"]]
    parsed = parsed_for(form, record["parsed"])
    instance_id = parsed["meta"]["instanceID"]
    from django.utils import timezone

    submission = Submission.objects.create(
        form=form,
        instance_id=instance_id,
        form_version=form.current_version,
        hamlet_code=record["hamlet_code"],
        lat=record["lat"],
        lon=record["lon"],
        accuracy=record["accuracy"],
        survey_date=record["survey_date"],
        survey_round=record["survey_round"],
        review_state=review_state,
        deleted_at=timezone.now() if deleted else None,
    )
    version = SubmissionVersion.objects.create(
        submission=submission,
        form=form,
        instance_id=instance_id,
        xml=b"<data/>",
        sha256=hashlib.sha256(instance_id.encode()).hexdigest(),
        parsed=parsed,
        form_version=form.current_version,
    )
    submission.current_version = version
    submission.save(update_fields=["current_version"])
    if with_answers:
        submission_answers_store(
            submission_id=submission.pk, version_id=version.pk, form_id=form.form_id, parsed=parsed, replace=False
        )
    submission_changed(submission)  # the change-feed row every real write path adds
    return submission


def places(*specs, stalls: int = 0):
    """specs: (code, registered_households, boundary, pilot)."""
    commune, _ = Commune.objects.get_or_create(code="26158", defaults={"name": "Xã Phú Lâm", "province": "Đồng Nai"})
    for code, registered, boundary, pilot in specs:
        Hamlet.objects.create(
            commune=commune,
            code=code,
            name=f"Ấp {code}",
            registered_households=registered,
            boundary=boundary,
            pilot_dra=pilot,
        )
    if stalls:
        Market.objects.create(commune=commune, code="CHO01", name="Chợ xã Phú Lâm", registered_stalls=stalls)


LAT0, LON0 = 10.90, 107.30


def small_commune() -> dict:
    """Two hamlets, a market and a few households: enough for every indicator to have rows."""
    forms = publish_commune_forms()
    places(("AP01", 10, square(LON0, LAT0, 0.01), True), ("AP02", 3, square(LON0 + 0.01, LAT0, 0.01), False), stalls=4)
    for n in range(6):
        store(forms, household("AP01", tt_57="co" if n < 4 else "khong", lat=LAT0 + 0.005, lon=LON0 + 0.005))
    for _ in range(3):
        store(forms, household("AP02", members=[member(), member(smartphone="khong")]))
    store(forms, stall())
    store(forms, assessment("AP01"))
    store(forms, assessment("AP02", team=False))
    return forms
