from django.contrib import admin

from backend.accounts.models import ApiToken, DeviceToken, Profile, Volunteer


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]
    filter_horizontal = ["hamlets"]


class DeviceTokenInline(admin.TabularInline):
    model = DeviceToken
    extra = 0
    fields = ["created_at", "revoked_at", "last_used_at"]
    readonly_fields = ["created_at", "last_used_at"]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "created_at"]
    filter_horizontal = ["forms", "hamlets"]
    inlines = [DeviceTokenInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at", "revoked_at"]
    readonly_fields = ["token_hash"]
