"""The volunteer's phone pages: assigned forms, the web form, their submissions, the QR code.

HTTP only: the device decides what is visible through the surveys selectors, the page's
JavaScript talks to the same OpenRosa routes as ODK Collect (`/key/<token>/…`).
"""

from __future__ import annotations

import json
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backend.accounts.actors import actor_for_device_token
from backend.core.blobs import blob_open
from backend.core.errors import Problem
from backend.core.middleware import personal_data
from backend.core.urlbuild import form_attachment_path, form_download_path, volunteer_server_url
from backend.review.selectors import my_submissions
from backend.submissions.models import ReviewState
from backend.submissions.selectors import (
    form_for_submissions,
    submission_attachment,
    submission_attachments,
    submission_get,
)
from backend.surveys.selectors import (
    attachments_present,
    entity_lists_served,
    form_version_for_download,
    forms_for_form_list,
)
from backend.web import assets
from backend.web.csp import with_csp
from backend.web.device import refused_page
from backend.web.language import vietnamese_first
from backend.web.reviews import latest_comment
from backend.web.webforms_vi import web_forms_translation

# A volunteer may send a corrected version of these (meta/deprecatedID names the old one).
CORRECTABLE = (ReviewState.REJECTED, ReviewState.HAS_ISSUES)
MINE_LIMIT = 300
SHELL_STATIC = (
    "web/css/site.css",
    "web/js/outbox.js",
    "web/js/volunteer.js",
    "web/js/webform.js",
    "web/js/webform_i18n.js",
    "web/js/webform_geo.js",
)


def _device_page(view):
    """Resolve the device from the token in the path, or answer 403 with a page."""

    def wrapped(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        actor = actor_for_device_token(token)
        if actor is None:
            return refused_page(request)
        request.actor = actor
        request.key_prefix = f"/key/{token}"
        return view(request, token, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _page_context(request: HttpRequest, **extra) -> dict:
    return {
        "key_prefix": request.key_prefix,
        "volunteer": request.actor.volunteer,
        "js_config": {
            "prefix": request.key_prefix,
            "submissionUrl": f"{request.key_prefix}/submission",
            "swUrl": f"{request.key_prefix}/app/sw.js",
            "strings": _js_strings(),
            "language": get_language(),
            **extra.pop("js_extra", {}),
        },
        **extra,
    }


def _js_strings() -> dict[str, str]:
    # Strings the scripts show, translated on the server (no JavaScript catalogue to cache).
    return {
        "waiting": _("{n} waiting to send"),
        "nothing_waiting": _("Nothing waiting to send"),
        "sending": _("Sending…"),
        "sent": _("Sent: the server stored the submission."),
        "queued": _("Saved on this phone; it will be sent when the network returns."),
        "refused": _("The server refused this submission:"),
        "offline": _("Offline"),
        "online": _("Online"),
        "load_failed": _("The form could not be loaded. Open it once while online."),
        "discard": _("Discard"),
        "confirm_discard": _("Delete this unsent submission from the phone?"),
        "unnamed": _("{form} (no household code)"),
        "location": _("Location"),
        "no_location": _("No location saved"),
        "take_location": _("Take my location"),
        "finding_location": _("Finding your location…"),
        "location_taken": _("New location saved in the form. Check the other answers, then send."),
        "location_failed": _("The phone gave no location. Turn on GPS (location) and allow it for this page."),
    }


@require_GET
@vietnamese_first
@with_csp
@_device_page
def app_home(request: HttpRequest, token: str) -> HttpResponse:
    forms = list(forms_for_form_list(request.actor))
    return render(request, "web/volunteer/home.html", _page_context(request, forms=forms))


@require_GET
@vietnamese_first
@with_csp
@_device_page
def app_form(request: HttpRequest, token: str, form_id: str) -> HttpResponse:
    version = form_version_for_download(request.actor, form_id=form_id)
    if version is None:
        raise Http404(_("This form is not available to you (closed or not assigned)."))
    edit = request.GET.get("edit", "")
    js_extra = {
        "formId": form_id,
        "formXmlUrl": request.key_prefix + form_download_path(form_id),
        "attachmentPrefix": request.key_prefix + form_attachment_path(form_id, ""),
        # entity lists (households.csv): the register's CSV at the same attachment URL
        "entityLists": list(entity_lists_served(version)),
        "editInstanceId": edit,
        "webForms": web_forms_translation(get_language()),
        "mapTiles": bool(getattr(settings, "MAP_TILE_URL", "")),
        "editXmlUrl": f"{request.key_prefix}/app/mine/{quote(form_id, safe='')}/{quote(edit, safe='')}.xml"
        if edit
        else "",
    }
    context = _page_context(
        request,
        form=version.form,
        version=version,
        editing=bool(edit),
        js_extra=js_extra,
        import_map=assets.import_map(),
        module_preloads=assets.web_forms_first_load(),
        npm_assets=assets.npm_assets_present(),
    )
    return render(request, "web/volunteer/form.html", context)


@require_GET
@vietnamese_first
@with_csp
@_device_page
def app_qr(request: HttpRequest, token: str) -> HttpResponse:
    context = _page_context(request, server_url=volunteer_server_url(token))
    return render(request, "web/volunteer/qr.html", context)


@require_GET
@_device_page
def app_service_worker(request: HttpRequest, token: str) -> HttpResponse:
    """The service worker, served under `/key/<token>/app/` so that is its scope.

    Its precache list names every page, form, media file and script the volunteer needs
    offline; a new list (a new form version) makes a new cache and drops the old one.
    """
    prefix = request.key_prefix
    urls = [f"{prefix}/app/", f"{prefix}/app/mine", f"{prefix}/app/qr", f"{prefix}/qr.png"]
    versions = []
    for form in forms_for_form_list(request.actor):
        version = form.current_version
        versions.append(f"{form.form_id}:{version.md5}")
        urls += [f"{prefix}/app/forms/{form.form_id}", prefix + form_download_path(form.form_id)]
        urls += [prefix + form_attachment_path(form.form_id, a.name) for a in attachments_present(version)]
        # the household list the form picks from (served from the register, refreshed online)
        urls += [prefix + form_attachment_path(form.form_id, name) for name in entity_lists_served(version)]
    urls += [static(path) for path in SHELL_STATIC]
    urls += [static(assets.VUE_RUNTIME), *assets.web_forms_files()]
    # Scripts are served cache-first: the cache's name follows their contents too, so new
    # files after a deploy replace the old ones on the phone.
    versions.append("static:" + assets.static_files_digest((*SHELL_STATIC, *assets.web_forms_static_paths())))
    response = render(
        request,
        "web/volunteer/sw.js",
        {"urls_json": json.dumps(urls), "cache_json": json.dumps("phulam-" + "|".join(versions))},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@vietnamese_first
@with_csp
@_device_page
@personal_data
def app_mine(request: HttpRequest, token: str) -> HttpResponse:
    """The volunteer's own submissions with their review state and the reviewer's comment."""
    groups: dict[str, dict] = {}
    for submission in my_submissions(request.actor)[:MINE_LIMIT]:
        group = groups.setdefault(submission.form.form_id, {"form": submission.form, "rows": []})
        group["rows"].append(
            {
                "submission": submission,
                "comment": latest_comment(submission),
                "correctable": submission.review_state in CORRECTABLE,
            }
        )
    groups = list(groups.values())
    return render(request, "web/volunteer/mine.html", _page_context(request, groups=groups))


@require_GET
@_device_page
@personal_data
def app_mine_instance(request: HttpRequest, token: str, form_id: str, instance_id: str) -> HttpResponse:
    """What Web Forms needs to reopen one of the volunteer's submissions for correction: its
    current XML and where to fetch each of its files (under the same device key)."""
    form = form_for_submissions_or_404(form_id)
    submission = _own_submission(request, form, instance_id)
    files = [
        {
            "name": a.name,
            "url": f"{request.key_prefix}/app/mine/{quote(form_id, safe='')}/"
            f"{quote(instance_id, safe='')}/files/{quote(a.name, safe='')}",
        }
        for a in submission_attachments(submission)
        if a.blob_id
    ]
    xml = bytes(submission.current_version.xml).decode("utf-8")
    response = JsonResponse({"instanceId": submission.current_version.instance_id, "xml": xml, "attachments": files})
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@_device_page
@personal_data
def app_mine_file(request: HttpRequest, token: str, form_id: str, instance_id: str, name: str) -> HttpResponse:
    form = form_for_submissions_or_404(form_id)
    submission = _own_submission(request, form, instance_id)
    try:
        attachment = submission_attachment(submission, name=name)
    except Problem as problem:
        raise Http404(problem.message) from problem
    response = FileResponse(
        blob_open(attachment.blob_id), content_type=attachment.content_type or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def form_for_submissions_or_404(form_id: str):
    try:
        return form_for_submissions(form_id)
    except Problem as problem:
        raise Http404(problem.message) from problem


def _own_submission(request: HttpRequest, form, instance_id: str):
    try:
        return submission_get(request.actor, form=form, instance_id=instance_id)
    except Problem as problem:
        raise Http404(problem.message) from problem
