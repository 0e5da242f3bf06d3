"""DRF permissions by role."""

from rest_framework.permissions import BasePermission

from backend.accounts.models import Role
from backend.accounts.selectors import user_role


class HasRole(BasePermission):
    roles: tuple[str, ...] = ()
    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        return user_role(request.user) in self.roles


class IsCommuneAdmin(HasRole):
    roles = (Role.ADMIN,)
    message = "Only a commune admin may do this."


class SeesMicrodata(HasRole):
    """Roles that may read household answers at all; which ones is the scoping selector's job."""

    roles = (Role.ADMIN, Role.LEADERSHIP, Role.HAMLET_HEAD, Role.VOLUNTEER)
    message = "Your role does not give access to individual submissions."


class CanReview(HasRole):
    roles = (Role.ADMIN, Role.LEADERSHIP, Role.HAMLET_HEAD)
    message = "Only hamlet heads, commune leadership and admins review submissions."
