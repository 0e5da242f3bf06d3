"""OpenAPI shapes shared by several apps: the envelopes of paginated lists (issue 17: the
schema documented them as bare arrays while the responses are objects)."""

from __future__ import annotations

from functools import cache

from rest_framework import serializers

# One class per item serializer (cached): the schema generator names a component after its
# class, and two classes of one name would collide.


@cache
def cursor_page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """`{"next", "previous", "results"}` as DRF's CursorPagination answers."""
    return type(
        f"{item.__name__.removesuffix('Output')}Page",
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True, help_text="the next page, null on the last"),
            "previous": serializers.URLField(allow_null=True, help_text="the previous page, null on the first"),
            "results": item(many=True),
            "__module__": __name__,
        },
    )


@cache
def counted_list_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """`{"count", "results"}`: a total and the rows of this answer."""
    return type(
        f"{item.__name__.removesuffix('Output')}CountedList",
        (serializers.Serializer,),
        {"count": serializers.IntegerField(), "results": item(many=True), "__module__": __name__},
    )
