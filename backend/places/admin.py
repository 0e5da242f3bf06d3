from django.contrib import admin

from backend.places.models import Commune, Hamlet, Market


@admin.register(Hamlet)
class HamletAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "registered_households", "population", "pilot_dra"]
    list_filter = ["pilot_dra"]
    search_fields = ["code", "name"]


admin.site.register(Commune)
admin.site.register(Market)
