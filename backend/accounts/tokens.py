"""Secret tokens: generated with `secrets`, stored as sha256, compared by hash lookup."""

import hashlib
import re
import secrets

# 48 random bytes → 64 URL-safe characters (like ODK Central's app-user keys).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{64}$")


def token_new() -> str:
    return secrets.token_urlsafe(48)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def token_well_formed(token: str) -> bool:
    return bool(TOKEN_PATTERN.match(token))
