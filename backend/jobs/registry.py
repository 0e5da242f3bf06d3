"""Job kinds and the functions that run them.

An app declares a kind in its `jobs.py`:

    @job_handler("indicators.recompute")
    def indicators_recompute(job, progress):      # progress(fraction 0..1, note)
        ...
        return {"rounds": [...]}                   # or JobFile(...) for a download

Handlers must be idempotent: a worker killed mid-task means the same job runs again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[float, str], None]
Handler = Callable[..., Any]

HANDLERS: dict[str, Handler] = {}


@dataclass
class JobFile:
    """A handler's result that is a file to download (an export, a map): its bytes, or —
    for a file too big to hold in memory — `path`, a temporary file the job runner streams
    into the blob storage and then deletes."""

    data: bytes
    name: str
    content_type: str
    summary: dict[str, Any] = field(default_factory=dict)
    path: str = ""


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        if kind in HANDLERS and HANDLERS[kind] is not function:
            raise RuntimeError(f"job kind {kind} is already handled by {HANDLERS[kind].__qualname__}")
        HANDLERS[kind] = function
        return function

    return register
