"""The volunteer's pages live under their device key (`/key/<token>/app/…`).

The token in the path is the credential, exactly as for ODK Collect: no password, no
cookie, so a phone that was handed the link (or the QR code) works offline too.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render

from backend.accounts.actors import Actor, actor_for_device
from backend.accounts.selectors import device_for_token


class DeviceRefused(Exception):
    """The token is malformed, unknown or revoked."""


def device_actor(token: str) -> Actor:
    device = device_for_token(token)
    if device is None:
        raise DeviceRefused()
    return actor_for_device(device, url_prefix=f"/key/{token}")


def refused_page(request: HttpRequest):
    return render(request, "web/refused.html", status=403)
