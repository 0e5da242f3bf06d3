"""The signature a receiver checks (pure: no Django). See README "Webhooks".

    X-Phulam-Signature-256: sha256=<hex HMAC-SHA256 of the raw request body, key = the secret>

Receivers compute the same over the bytes they received (before any JSON parsing) and compare
in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Phulam-Signature-256"
PREFIX = "sha256="


def signature(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header_value: str) -> bool:
    return hmac.compare_digest(signature(secret, body), header_value or "")
