"""OpenAPI shapes shared by several apps: the envelopes of paginated lists (issue 17: the
schema documented them as bare arrays while the responses are objects)."""

from __future__ import annotations

from rest_framework import serializers

_PAGES: dict[str, type[serializers.Serializer]] = {}


def cursor_page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """`{"next", "previous", "results"}` as DRF's CursorPagination answers."""
    name = f"{item.__name__.removesuffix('Output')}Page"
    if name not in _PAGES:
        _PAGES[name] = type(
            name,
            (serializers.Serializer,),
            {
                "next": serializers.URLField(allow_null=True, help_text="the next page, null on the last"),
                "previous": serializers.URLField(allow_null=True, help_text="the previous page, null on the first"),
                "results": item(many=True),
                "__module__": __name__,
            },
        )
    return _PAGES[name]


def counted_list_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """`{"count", "results"}`: a total and the rows of this answer."""
    name = f"{item.__name__.removesuffix('Output')}CountedList"
    if name not in _PAGES:
        _PAGES[name] = type(
            name,
            (serializers.Serializer,),
            {"count": serializers.IntegerField(), "results": item(many=True), "__module__": __name__},
        )
    return _PAGES[name]


# Analytics rows and records: plain JSON objects in a list (their keys are documented in
# analytics/README.md and the catalogue).
ARRAY_OF_OBJECTS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
OBJECT = {"type": "object", "additionalProperties": True}
