"""DRF permissions, each one a capability of `backend.accounts.policy` asked of `request.actor`."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.permissions import BasePermission

from backend.accounts import policy
from backend.accounts.actors import Actor, actor_for_request


class Capability(BasePermission):
    """Allows the request when `capability(request.actor)` is true."""

    capability: Callable[[Actor], bool] = staticmethod(lambda actor: False)
    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        return type(self).capability(actor_for_request(request))


class IsCommuneAdmin(Capability):
    capability = staticmethod(policy.can_administer)
    message = "Only a commune admin may do this."


class ManagesRounds(Capability):
    capability = staticmethod(policy.can_manage_rounds)
    message = "Chỉ lãnh đạo xã và quản trị viên sửa đợt khảo sát. / Only commune leadership and admins edit rounds."


class ManagesUsers(Capability):
    capability = staticmethod(policy.can_manage_users)
    message = "Only a commune admin may do this."


class SeesMicrodata(Capability):
    """May call the submission read routes; which submissions is the scoping selector's job."""

    capability = staticmethod(policy.reads_submissions)
    message = "Your role does not give access to individual submissions."


class PublishesResults(Capability):
    capability = staticmethod(policy.can_publish_results)
    message = "Chỉ lãnh đạo xã và quản trị viên được công bố kết quả. / Only commune leadership and admins publish."


class CanReview(Capability):
    capability = staticmethod(policy.can_review)
    message = "Only hamlet heads, commune leadership and admins review submissions."
