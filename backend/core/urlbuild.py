"""Absolute URLs handed to phones: from PUBLIC_BASE_URL (never the Host header alone),
keeping the actor's own path prefix (`/key/<token>`) so Collect stays on its token."""

from typing import Protocol
from urllib.parse import quote

from django.conf import settings


class ReachedVia(Protocol):
    """Anything that knows the path prefix it came in under (an accounts Actor does)."""

    url_prefix: str


def phone_url(actor: ReachedVia, path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{actor.url_prefix}{path}"


def form_download_path(form_id: str) -> str:
    return f"/forms/{quote(form_id, safe='')}.xml"


def form_manifest_path(form_id: str) -> str:
    return f"/forms/{quote(form_id, safe='')}/manifest"


def form_attachment_path(form_id: str, name: str) -> str:
    return f"/forms/{quote(form_id, safe='')}/attachments/{quote(name, safe='')}"


def dataset_integrity_path(dataset: str) -> str:
    """The integrity URL of an entity list (OPENROSA.md §2.3): which offline entities were deleted."""
    return f"/datasets/{quote(dataset, safe='')}/integrity"


def volunteer_server_url(token: str) -> str:
    """The Collect server URL of a volunteer; Collect appends /formList and /submission."""
    return f"{settings.PUBLIC_BASE_URL}/key/{token}"
