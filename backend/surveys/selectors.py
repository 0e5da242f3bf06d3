"""Reads for forms, scoped by who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.core.xform_schema import XFormSchemaError, xform_schema
from backend.surveys.models import Form, FormAttachment, FormState, FormVersion


def forms_for_form_list(actor: Actor, *, form_id: str | None = None) -> QuerySet[Form]:
    """Forms a phone should show: open, published, and visible to the actor.
    Closing and closed forms are left out (Collect's match_exactly then removes them)."""
    forms = Form.objects.filter(state=FormState.OPEN, current_version__isnull=False)
    # The XForm bytes stay in the database: the list needs only the hash and names.
    forms = (
        _scope(forms, actor)
        .select_related("current_version")
        .defer("current_version__xform")
        .order_by("title", "form_id")
    )
    if form_id is not None:
        forms = forms.filter(form_id=form_id)
    return forms


def form_version_for_download(actor: Actor, *, form_id: str) -> FormVersion | None:
    """The version a phone downloads: the draft for a draft link, else the current one of a
    form the actor may fetch (open or closing; closed forms are refused).
    The XForm bytes are deferred: the manifest and media, asked for on every refresh, never
    need them; the form download reads them with one more query."""
    if actor.kind == "draft":
        return (
            FormVersion.objects.filter(pk=actor.draft_version_id, form__form_id=form_id, published=False)
            .select_related("form")
            .defer("xform")
            .first()
        )
    form = (
        _scope(Form.objects.exclude(state=FormState.CLOSED), actor)
        .filter(form_id=form_id, current_version__isnull=False)
        .select_related("current_version")
        .defer("current_version__xform")
        .first()
    )
    return form.current_version if form else None


def draft_version_for_actor(actor: Actor) -> FormVersion | None:
    return FormVersion.objects.select_related("form").defer("xform").filter(pk=actor.draft_version_id).first()


def draft_version_for_token(token: str) -> FormVersion | None:
    if not token:
        return None
    return FormVersion.objects.filter(draft_token=token, published=False).select_related("form").first()


def attachment_for_download(version: FormVersion, *, name: str) -> FormAttachment | None:
    return (
        FormAttachment.objects.filter(form_version=version, name=name, blob__isnull=False)
        .select_related("blob")
        .first()
    )


def attachments_present(version: FormVersion) -> list[FormAttachment]:
    return list(version.attachments.filter(blob__isnull=False).select_related("blob").order_by("name"))


def _scope(forms: QuerySet[Form], actor: Actor) -> QuerySet[Form]:
    if policy.sees_all_forms(actor):
        return forms
    if actor.volunteer is not None:
        return forms.filter(volunteers=actor.volunteer)
    return forms.none()


def entity_lists_served(version: FormVersion) -> tuple[str, ...]:
    """The CSV media of this version that are entity lists it fills itself (pl_ho's
    households.csv): the server serves them from the register, nobody uploads them."""
    try:
        return xform_schema(bytes(version.xform)).entity_list_media
    except XFormSchemaError:
        return ()
