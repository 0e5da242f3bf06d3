"""Rendered analytics bodies, kept compressed in the cache (issue 18: the dashboard's calls
on load ≤ 50 ms at 1,000,000 households).

A body is a function of the stored computation it was built from, the reader's suppression
(microdata or not, and the hamlets they get unsuppressed), the suppression settings and the
request's parameters; nothing else. So it is rendered once per key — the JSON bytes and their
brotli compression, 3 s for a province's scorecard — and every later call with that key is the
freshness check and one cache get. A new computation (a new `computed_at` or version) gives
new keys; the old bodies expire. Staleness is not in the key: a stale reader is served the
stored figures, as before, while the recomputation runs.

The cache is `default`: Redis when REDIS_URL is set (shared by every worker), else the
process's local memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

import brotli
from django.conf import settings
from django.core.cache import caches

from backend.reports.models import ComputedResult

BROTLI_QUALITY = 5  # as backend/core/compression.py: close to 11's size at a fraction of the CPU
TTL_S = 24 * 3600  # a body outlives its computation by at most this much (keys change with it)
PREFIX = "reports:body:v1:"


def body_key(
    name: str, stored: Iterable[ComputedResult], *, microdata: bool, own_hamlets: frozenset[str], params: dict
) -> str:
    """The key of one body: which call, from which stored computations, for which reader."""
    computations = sorted((r.round, r.fingerprint, r.computed_at.isoformat()) for r in stored)
    reader = "microdata" if microdata else ("suppressed", sorted(own_hamlets))
    suppression = (settings.ANALYTICS_MIN_CELL, settings.ANALYTICS_MIN_SAMPLE)
    raw = repr((name, computations, reader, suppression, sorted(params.items())))
    return PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def body_compressed(key: str, render: Callable[[], bytes]) -> tuple[bytes, bool]:
    """(the body's brotli bytes, whether they came from the cache); `render` builds the JSON
    bytes when the key is not cached."""
    cache = caches["default"]
    compressed = cache.get(key)
    if compressed is not None:
        return compressed, True
    compressed = brotli.compress(render(), quality=BROTLI_QUALITY)
    cache.set(key, compressed, TTL_S)
    return compressed, False
