"""Machinery of the role × endpoint table (tests/access/test_url_access_table.py): walking the
URL conf, building a concrete URL for a pattern, sending one request as one role, and
classifying the answer as allowed or denied. The table itself lives in the test file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLResolver, get_resolver

ANON, ADMIN, LEAD, HEAD, VOL, VIEW, DEVICE = (
    "anonymous",
    "admin",
    "leadership",
    "hamlet_head",
    "volunteer",
    "viewer",
    "device",
)
ROLES = (ANON, ADMIN, LEAD, HEAD, VOL, VIEW, DEVICE)
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Access:
    """Who is allowed, per HTTP method tested (None: method not tested); roles not listed must
    be denied (401/403/404 or a redirect to a sign-in page). `params` overrides sample values
    for this pattern only."""

    get: frozenset | None = None
    post: frozenset | None = None
    put: frozenset | None = None
    patch: frozenset | None = None
    delete: frozenset | None = None
    params: dict = field(default_factory=dict)
    # Name of a request body builder (BODIES in the test) when an empty body would be refused
    # before the door is even reached (OpenRosa /submission parses the XML to learn the form).
    body: str = ""
    # The endpoint answers 404 past the door when there is nothing to show (no computed survey
    # round in the sample data): for this row a 404 counts as allowed, 401/403 as denied.
    not_found_is_past_the_door: bool = False

    def methods(self) -> dict[str, frozenset]:
        return {m: getattr(self, m) for m in METHODS if getattr(self, m) is not None}


def route_strings() -> list[str]:
    """Every URL pattern of the URL conf as one string: prefixes joined as written in urls.py."""
    out: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                out.append(route)

    walk(get_resolver().url_patterns, "")
    return out


CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def concrete_path(route: str, params: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in params:
            raise KeyError(f"no sample value for <{name}> in {route!r}: add it to PARAMS or the row's params")
        return str(params[name])

    path = REGEX_GROUP.sub(value, route)  # first: a regex group's name looks like a converter
    path = CONVERTER.sub(value, path)
    # Regex anchors only: "$metadata" and "/$count" of the OData routes are literal text.
    path = path.replace("^", "").removesuffix("$").replace("\\.", ".")
    return "/" + path


def outcome(response, row: Access | None = None) -> str:
    code = response.status_code
    if code == 404 and row is not None and row.not_found_is_past_the_door:
        return "allow"
    if code >= 500:
        return f"error {code}"
    if code in (401, 403, 404, 405):  # 405: the method does not exist for anyone
        return "deny"
    location = response.get("Location", "")
    # Signing out lands on the sign-in page with a "signed out" notice: that is the success.
    if code in (301, 302, 303) and "login" in location and "signed_out=" not in location:
        return "deny"
    return "allow"
