"""People and credentials: roles, volunteers' devices and API tokens.

Secrets (device tokens, API tokens) are shown once and stored only as sha256 hashes.
"""

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị xã / Commune admin"
    LEADERSHIP = "leadership", "Lãnh đạo xã / Commune leadership"
    HAMLET_HEAD = "hamlet_head", "Trưởng ấp / Hamlet head"
    VOLUNTEER = "volunteer", "Tình nguyện viên / Volunteer"
    VIEWER = "viewer", "Người xem / Viewer"


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    hamlets = models.ManyToManyField("places.Hamlet", blank=True, related_name="profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Volunteer(models.Model):
    """A youth-union volunteer ("app user" in ODK Central): forms and hamlets assigned."""

    name = models.CharField(max_length=200)
    code = models.CharField(max_length=10, blank=True, help_text="Mã tình nguyện viên (tnv_ma)")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer"
    )
    forms = models.ManyToManyField("surveys.Form", blank=True, related_name="volunteers")
    hamlets = models.ManyToManyField("places.Hamlet", blank=True, related_name="volunteers")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class DeviceToken(models.Model):
    """The long random key in a volunteer's Collect server URL (`/key/{token}`)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"device of {self.volunteer} ({'revoked' if self.revoked_at else 'active'})"


class ApiToken(models.Model):
    """A revocable token for scripts: `Authorization: Bearer <token>`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API token {self.name or self.pk} of {self.user}"
