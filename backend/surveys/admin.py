"""Django admin: forms are added by uploading an XLSForm (the same form_publish service)."""

from django import forms as djforms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse

from backend.audit.http import client_ip
from backend.core.errors import Problem
from backend.surveys.models import Form, FormAttachment, FormVersion
from backend.surveys.services import form_publish


class MultipleFileInput(djforms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(djforms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class XLSFormUploadForm(djforms.Form):
    xlsform = djforms.FileField(label="XLSForm (.xlsx)")
    media = MultipleFileField(required=False, label="Media files (ap.csv, images…)")
    publish = djforms.BooleanField(required=False, initial=True, label="Publish (untick to store a draft)")


class FormAttachmentInline(admin.TabularInline):
    model = FormAttachment
    extra = 0
    fields = ["name", "blob", "content_type", "updated_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ["form", "version", "published", "validated", "published_at", "md5"]
    list_filter = ["published", "validated"]
    readonly_fields = [f.name for f in FormVersion._meta.fields]
    inlines = [FormAttachmentInline]

    def has_add_permission(self, request):
        return False


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["form_id", "title", "state", "current_version"]
    list_filter = ["state"]
    fields = ["form_id", "title", "state", "current_version"]
    readonly_fields = ["form_id", "title", "current_version"]

    def get_urls(self):
        return [
            path("publish/", self.admin_site.admin_view(self.publish_view), name="surveys_form_publish"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("admin:surveys_form_publish"))

    def publish_view(self, request):
        upload_form = XLSFormUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and upload_form.is_valid():
            xlsform = upload_form.cleaned_data["xlsform"]
            media = {f.name: f.read() for f in upload_form.cleaned_data["media"]}
            try:
                result = form_publish(
                    xlsform=xlsform.read(),
                    filename=xlsform.name,
                    attachments=media,
                    user=request.user,
                    publish=upload_form.cleaned_data["publish"],
                    ip=client_ip(request),
                )
            except Problem as problem:
                messages.error(request, problem.message)
            else:
                out = result.as_json()
                messages.success(
                    request, f"{out['form_id']} {out['version']}: {out['status']}. {out['validation']['message']}"
                )
                if out["form_id_note"]:
                    messages.warning(request, out["form_id_note"])
                for warning in out["warnings"]:
                    messages.warning(request, warning)
                if out["missing_media"]:
                    messages.warning(request, f"Missing media: {', '.join(out['missing_media'])}")
                return redirect(reverse("admin:surveys_form_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "upload_form": upload_form,
            "title": "Publish an XLSForm",
            "opts": self.model._meta,
        }
        return render(request, "admin/surveys/publish.html", context)
