"""The volunteer's pages live under their device key (`/key/<token>/app/…`).

The token in the path is the credential, exactly as for ODK Collect: no password, no
cookie, so a phone that was handed the link (or the QR code) works offline too.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render


def refused_page(request: HttpRequest):
    return render(request, "web/refused.html", status=403)
