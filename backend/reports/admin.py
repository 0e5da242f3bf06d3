from django.contrib import admin

from backend.reports.models import AdministrativeFigure, ComputedResult, SurveyRound


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ("name", "start", "end", "note")


@admin.register(AdministrativeFigure)
class AdministrativeFigureAdmin(admin.ModelAdmin):
    list_display = ("indicator", "round", "numerator", "denominator", "source", "updated_at")
    list_filter = ("indicator", "round")

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ComputedResult)
class ComputedResultAdmin(admin.ModelAdmin):
    list_display = ("round", "computed_at", "duration_s", "fingerprint")
    readonly_fields = [f.name for f in ComputedResult._meta.fields]
    exclude = ("tables",)
