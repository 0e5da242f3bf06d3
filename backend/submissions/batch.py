"""Batch push: many submissions in one request, each through `submission_receive`.

Every item is received on its own (its own transaction, its own 201-means-durable rule), so
one refused item never undoes another and a retried batch stores nothing twice: a resent item
is a byte-identical replay. The outcome of each item is reported with the code the OpenRosa
route would have answered, so a client can treat both the same way.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from backend.accounts.actors import Actor
from backend.core import errors
from backend.core.errors import Problem
from backend.submissions.json_instance import AnswersInvalid, instance_from_answers
from backend.submissions.services import _schema_of, submission_receive  # the versions' schema cache
from backend.surveys.models import Form, FormVersion

MAX_ITEMS = 100


@dataclass(frozen=True)
class BatchItem:
    """Either `xml` (the instance as Collect writes it) or `answers` by field name with the
    `form_id` (and `version`, default the current one) and the client's `instance_id`."""

    xml: str = ""
    files: dict[str, str] = field(default_factory=dict)  # file name → base64 of its bytes
    answers: dict | None = None
    form_id: str = ""
    version: str = ""
    instance_id: str = ""


@dataclass(frozen=True)
class ItemResult:
    index: int
    result: str  # created | replayed | edited | superseded | conflict | refused
    status: int
    code: str = ""
    message: str = ""
    instance_id: str = ""
    missing_files: tuple[str, ...] = ()


def submissions_receive_batch(
    *, actor: Actor, items: list[BatchItem], device_id: str = "", user_agent: str = "", ip: str | None = None
) -> list[ItemResult]:
    if len(items) > MAX_ITEMS:
        raise errors.bad_request(
            f"A batch holds at most {MAX_ITEMS} submissions; this one has {len(items)}. / "
            f"Mỗi lần gửi tối đa {MAX_ITEMS} bản ghi; lần này có {len(items)}.",
            field="items",
            limit=MAX_ITEMS,
        )
    return [_receive_one(index, item, actor, device_id, user_agent, ip) for index, item in enumerate(items)]


def _receive_one(index: int, item: BatchItem, actor: Actor, device_id: str, user_agent: str, ip) -> ItemResult:
    try:
        files = _files_decoded(item.files)
        xml = item.xml.encode("utf-8") if item.answers is None else _answers_xml(item)
        received = submission_receive(
            actor=actor,
            xml=xml,
            files=files,
            device_id=device_id,
            user_agent=user_agent,
            client_ip=ip,
        )
    except Problem as problem:
        outcome = "conflict" if problem.status == 409 else "refused"
        return ItemResult(index, outcome, problem.status, code=problem.code, message=problem.message)
    return ItemResult(
        index,
        received.outcome,
        received.status,
        message=received.message,
        instance_id=received.submission.instance_id,
        missing_files=received.missing,
    )


def _files_decoded(encoded: dict[str, str]) -> dict[str, SimpleUploadedFile]:
    files = {}
    for name, data in encoded.items():
        try:
            files[name] = SimpleUploadedFile(name, base64.b64decode(data, validate=True))
        except (binascii.Error, ValueError):
            raise errors.bad_request(
                f"The file {name!r} is not base64. / Tệp {name!r} không được mã hoá base64.", field="files", name=name
            )
    return files


def _answers_xml(item: BatchItem) -> bytes:
    """The instance XML of a JSON item, from the XForm of the version it names."""
    versions = FormVersion.objects.filter(form__form_id=item.form_id, published=True).only("id", "md5")
    if item.version:
        version = versions.filter(version=item.version).first()
    else:
        version = versions.filter(pk=F("form__current_version")).first()
    if version is None:
        if item.version and Form.objects.filter(form_id=item.form_id).exists():
            raise errors.form_version_not_found(item.version)
        raise errors.not_found(f"form {item.form_id}", f"biểu mẫu {item.form_id}", form_id=item.form_id)
    try:
        return instance_from_answers(
            _schema_of(version), instance_id=item.instance_id, answers=item.answers, files=frozenset(item.files)
        )
    except AnswersInvalid as exc:
        raise errors.answers_invalid([{"field": p.field, "message": p.message} for p in exc.problems])
