from django.contrib import admin

from backend.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["kind", "state", "progress", "attempts", "created_by", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]
