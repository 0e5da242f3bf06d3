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

from backend.accounts.actors import Actor
from backend.core import errors
from backend.core.errors import Problem
from backend.submissions.services import submission_receive

MAX_ITEMS = 100


@dataclass(frozen=True)
class BatchItem:
    xml: str
    files: dict[str, str] = field(default_factory=dict)  # file name → base64 of its bytes


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
        received = submission_receive(
            actor=actor,
            xml=item.xml.encode("utf-8"),
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
