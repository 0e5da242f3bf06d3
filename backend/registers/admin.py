"""The register in the Django admin: households, their history, conflicts, problems, and the
CSV import page (dry run first, then apply)."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from backend.audit.http import client_ip
from backend.core.errors import Problem
from backend.registers.models import EntityProblem, Household, HouseholdChange, HouseholdConflict, HouseholdVisit
from backend.registers.services import household_delete, households_import


class HouseholdChangeInline(admin.TabularInline):
    model = HouseholdChange
    extra = 0
    can_delete = False
    fields = ("version", "changed", "source", "submission", "import_name", "user", "base_version", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp CSV / CSV file")
    replace = forms.BooleanField(required=False, label="Cho phép sửa hộ đã có / Allow changes to existing households")


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("label", "hamlet", "ma_ho", "version", "source", "added_in_field", "updated_at", "deleted_at")
    list_filter = ("hamlet", "source", "added_in_field")
    search_fields = ("ma_ho", "label", "ten_goi", "mo_ta", "id")
    readonly_fields = ("id", "version", "properties", "source", "created_at", "updated_at")
    inlines = [HouseholdChangeInline]
    change_list_template = "admin/registers/household/change_list.html"
    actions = ["delete_from_register"]

    # Households change only through versions (submissions, the import, conflict resolution,
    # the delete action below): an edit here would change what phones hold without a version.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Xoá khỏi sổ hộ (giữ lịch sử) / Remove from the register (history kept)")
    def delete_from_register(self, request, queryset):
        for household in queryset:
            household_delete(household=household, user=request.user, ip=client_ip(request))
        messages.success(request, f"Đã xoá / removed: {queryset.count()}")

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="registers_household_import")] + (
            super().get_urls()
        )

    def import_view(self, request):
        """Upload shows the dry run; "apply" imports the same file (kept in the session)."""
        context = {**self.admin_site.each_context(request), "title": "Nhập danh sách hộ / Import households"}
        if request.method == "POST" and "apply" in request.POST and "register_import" in request.session:
            data = bytes.fromhex(request.session.pop("register_import"))
            name = request.session.pop("register_import_name", "households.csv")
            try:
                report = households_import(
                    data=data,
                    filename=name,
                    replace=request.POST.get("replace") == "1",
                    user=request.user,
                    ip=client_ip(request),
                )
            except Problem as exc:
                messages.error(request, exc.message)
                return redirect("admin:registers_household_import")
            messages.success(request, f"Đã nhập / imported: +{report.created}, ~{report.updated}, ={report.unchanged}")
            return redirect("admin:registers_household_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                report = households_import(data=data, filename=form.cleaned_data["file"].name, dry_run=True)
                context["report"] = report.as_dict()
                request.session["register_import"] = data.hex()
                request.session["register_import_name"] = form.cleaned_data["file"].name
                context["replace"] = form.cleaned_data["replace"]
            except Problem as exc:
                context["problem"] = exc
        context["form"] = form
        return TemplateResponse(request, "admin/registers/household/import.html", context)


@admin.register(HouseholdConflict)
class HouseholdConflictAdmin(admin.ModelAdmin):
    list_display = ("household", "kind", "base_version", "server_version", "version", "created_at", "resolved_at")
    list_filter = ("kind", "resolved_at")
    readonly_fields = [f.name for f in HouseholdConflict._meta.fields]


@admin.register(HouseholdVisit)
class HouseholdVisitAdmin(admin.ModelAdmin):
    list_display = ("household", "outcome", "visited_on", "submission", "volunteer")
    list_filter = ("outcome",)
    readonly_fields = [f.name for f in HouseholdVisit._meta.fields]


@admin.register(EntityProblem)
class EntityProblemAdmin(admin.ModelAdmin):
    list_display = ("submission", "entity_id", "reason", "hamlet_code", "created_at")
    readonly_fields = [f.name for f in EntityProblem._meta.fields]
