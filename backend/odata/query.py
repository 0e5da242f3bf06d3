"""OData query options read and checked (pure: no Django).

`$filter` is parsed with odata-query's grammar (the OData v4 ABNF) and reduced to a small tree
of comparisons on the few `__system` properties the feed can filter on, each with its value
already typed; anything else (another property, arithmetic, an unknown function, a value of
the wrong type) is refused with a message saying what and why, so a client never gets rows
filtered differently from what it asked. The selector turns the tree into SQL.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from backend.odata.edm import REVIEW_STATES


class ODataQueryError(ValueError):
    def __init__(self, option: str, reason: str):
        super().__init__(reason)
        self.option, self.reason = option, reason


# Filterable __system properties → their kind: "datetime", "date", "review", "text".
FILTERABLE = {
    "submissionDate": "datetime",
    "updatedAt": "datetime",
    "surveyDate": "date",
    "reviewState": "review",
    "surveyRound": "text",
    "hamletCode": "text",
}
OPERATORS = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.In: "in"}
FLIPPED = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
DATE_PARTS = ("year", "month", "day")  # functions on a date or a dateTime, compared to an integer
UNSUPPORTED = ("$expand", "$orderby", "$search", "$apply", "$compute", "$levels")


@dataclass(frozen=True)
class Comparison:
    field: str  # a key of FILTERABLE
    op: str  # eq ne lt le gt ge in
    value: Any  # datetime, date, int, str, a review state (str or None), or a tuple for "in"
    part: str = ""  # "year" / "month" / "day" / "date" when a function wraps the field


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    left: Any
    right: Any


@dataclass(frozen=True)
class NotOp:
    operand: Any


@dataclass(frozen=True)
class ODataQuery:
    top: int | None = None
    skip: int = 0
    count: bool = False
    select: frozenset[str] | None = None
    filter: Any = None  # Comparison | BoolOp | NotOp | None
    after_id: int | None = None  # from $skiptoken: continue after this submission
    after_row: int = 0  # from $skiptoken of a repeat table: rows already sent


def query_read(params: Mapping[str, str], *, properties: frozenset[str]) -> ODataQuery:
    """Read the query options of a request to an entity set whose top-level properties are
    `properties`. Raises ODataQueryError."""
    for option in UNSUPPORTED:
        if option in params:
            raise ODataQueryError(option, "this server does not support it")
    if params.get("$format", "json").split(";")[0].strip().lower() not in ("json", "application/json"):
        raise ODataQueryError("$format", "only JSON is served")
    token = _skiptoken(params.get("$skiptoken"))
    return ODataQuery(
        top=_count_option(params, "$top"),
        skip=_count_option(params, "$skip") or 0,
        count=_boolean_option(params, "$count"),
        select=_select(params.get("$select"), properties),
        filter=filter_read(params["$filter"]) if params.get("$filter", "").strip() else None,
        after_id=token.get("id"),
        after_row=token.get("row", 0),
    )


def skiptoken_make(**position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def _skiptoken(text: str | None) -> dict[str, int]:
    if not text:
        return {}
    try:
        position = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        position = None
    if not isinstance(position, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in position.values()
    ):
        raise ODataQueryError("$skiptoken", "it is not a token this server handed out")
    return position


def _count_option(params: Mapping[str, str], name: str) -> int | None:
    text = params.get(name)
    if text is None:
        return None
    if not text.strip().isdigit():
        raise ODataQueryError(name, f"{text!r} is not a whole number of zero or more")
    return int(text)


def _boolean_option(params: Mapping[str, str], name: str) -> bool:
    text = params.get(name, "false").strip().lower()
    if text not in ("true", "false"):
        raise ODataQueryError(name, f"{text!r} is neither true nor false")
    return text == "true"


def _select(text: str | None, properties: frozenset[str]) -> frozenset[str] | None:
    if text is None or text.strip() in ("", "*"):
        return None
    names = [n.strip() for n in text.split(",")]
    for name in names:
        if "/" in name:
            raise ODataQueryError("$select", f"{name!r}: only top-level properties can be selected")
        if name not in properties:
            raise ODataQueryError("$select", f"{name!r} is not a property of this entity set")
    return frozenset(names) | {"__id"}  # the key always comes along, as Central does


def filter_read(text: str) -> Any:
    """The $filter expression as a Comparison/BoolOp/NotOp tree. Raises ODataQueryError."""
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
    except ODataException as exc:
        raise ODataQueryError("$filter", f"it does not parse ({exc})") from exc
    except (ValueError, TypeError) as exc:  # a malformed date or number literal
        raise ODataQueryError("$filter", f"it does not parse ({exc})") from exc
    return _reduce(tree)


def filter_fields(tree: Any) -> set[str]:
    """The fields a filter tree compares ("__id", "submissionDate"…)."""
    if tree is None:
        return set()
    if isinstance(tree, BoolOp):
        return filter_fields(tree.left) | filter_fields(tree.right)
    if isinstance(tree, NotOp):
        return filter_fields(tree.operand)
    return {tree.field}


def _reduce(node: Any) -> Any:
    if isinstance(node, ast.BoolOp):
        return BoolOp("and" if isinstance(node.op, ast.And) else "or", _reduce(node.left), _reduce(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return NotOp(_reduce(node.operand))
    if isinstance(node, ast.Compare):
        return _comparison(node)
    raise ODataQueryError("$filter", "it must be comparisons of __system properties joined by and/or/not")


def _comparison(node: ast.Compare) -> Comparison:
    op = OPERATORS[type(node.comparator)]
    left, right = node.left, node.right
    if _is_literal(left) and not _is_literal(right):
        left, right = right, left
        if op == "in":
            raise ODataQueryError("$filter", "'in' needs the property on its left")
        op = FLIPPED[op]
    field, part = _field(left)
    kind = "text" if field == "__id" else FILTERABLE[field]
    if op == "in":
        if not isinstance(right, ast.List):
            raise ODataQueryError("$filter", "'in' needs a list: (…, …)")
        return Comparison(field, op, tuple(_value(field, kind, part, v, "eq") for v in right.val), part)
    return Comparison(field, op, _value(field, kind, part, right, op), part)


def _is_literal(node: Any) -> bool:
    return isinstance(node, ast._Literal)


def _field(node: Any) -> tuple[str, str]:
    part = ""
    if isinstance(node, ast.Call):
        part = node.func.name.lower()
        if part not in (*DATE_PARTS, "date") or len(node.args) != 1:
            raise ODataQueryError("$filter", f"function {node.func.name}() is not supported here")
        node = node.args[0]
    if isinstance(node, ast.Identifier) and node.name == "__id" and not node.namespace:
        if part:
            raise ODataQueryError("$filter", f"{part}() needs a date, not __id")
        return "__id", ""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.owner, ast.Identifier)
        and node.owner.name == "__system"
        and node.attr in FILTERABLE
    ):
        if part and FILTERABLE[node.attr] not in ("datetime", "date"):
            raise ODataQueryError("$filter", f"{part}() needs a date, not __system/{node.attr}")
        if part == "date" and FILTERABLE[node.attr] == "date":
            part = ""  # date() of a date is the date
        return node.attr, part
    shown = f"{node.owner.name}/{node.attr}" if isinstance(node, ast.Attribute) else getattr(node, "name", "")
    raise ODataQueryError(
        "$filter",
        f"{shown or 'this expression'} cannot be filtered on; use __id, __system/" + ", __system/".join(FILTERABLE),
    )


def _value(field: str, kind: str, part: str, literal: Any, op: str) -> Any:
    name = field if field == "__id" else f"{part}(__system/{field})" if part else f"__system/{field}"
    if isinstance(literal, ast.Null):
        if op not in ("eq", "ne") or part:
            raise ODataQueryError("$filter", f"{name} can only be compared to null with eq or ne")
        return None
    if part in DATE_PARTS:
        if not isinstance(literal, ast.Integer):
            raise ODataQueryError("$filter", f"{name} is a whole number")
        return int(literal.val)
    if kind == "review":
        if not isinstance(literal, ast.String) or literal.val not in REVIEW_STATES:
            raise ODataQueryError(
                "$filter", f"{name} is null (received) or one of {', '.join(repr(s) for s in REVIEW_STATES)}"
            )
        if op not in ("eq", "ne"):
            raise ODataQueryError("$filter", f"{name} can only be compared with eq, ne or in")
        return literal.val
    if kind == "text":
        if not isinstance(literal, ast.String):
            raise ODataQueryError("$filter", f"{name} is text: write it in single quotes")
        return literal.val
    if kind == "date" or part == "date":
        if not isinstance(literal, ast.Date):
            raise ODataQueryError("$filter", f"{name} is a date: write it as 2026-11-27")
        return dt.date.fromisoformat(literal.val)
    # a dateTime: a full timestamp, or a date (compared with the day of the submission)
    if isinstance(literal, ast.DateTime):
        return literal.py_val
    if isinstance(literal, ast.Date):
        return dt.date.fromisoformat(literal.val)
    raise ODataQueryError("$filter", f"{name} is a date and time: write it as 2026-11-27T08:00:00Z or 2026-11-27")
