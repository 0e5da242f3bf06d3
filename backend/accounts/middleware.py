"""Sets `request.actor`, once per request, for every view."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from backend.accounts.actors import actor_for_user


class ActorMiddleware:
    """`request.actor` is the signed-in user's Actor, built on first use and then kept.

    Lazy on purpose: a DRF view authenticates its Bearer token only when the view starts, and
    DRF writes that user back onto the Django request, so the first read (the permission
    check) already sees the token's user. Pages that never ask pay no query. Routes with the
    credential in the path (device keys, draft links) replace it with the Actor they resolve.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for_user(getattr(request, "user", None)))
        return self.get_response(request)
