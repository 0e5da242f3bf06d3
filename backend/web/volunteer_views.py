"""The volunteer's phone pages: assigned forms, the web form, their submissions, the QR code.

HTTP only: the device decides what is visible through the surveys selectors, the page's
JavaScript talks to the same OpenRosa routes as ODK Collect (`/key/<token>/…`).
"""
from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backend.surveys.selectors import attachments_present, form_version_for_download, forms_for_form_list
from backend.web import assets
from backend.web.csp import with_csp
from backend.web.device import DeviceRefused, device_actor, refused_page
from backend.web.language import vietnamese_first
from sync.urlbuild import form_attachment_path, form_download_path, volunteer_server_url

SHELL_STATIC = ("web/css/site.css", "web/js/outbox.js", "web/js/volunteer.js", "web/js/webform.js")


def _device_page(view):
    """Resolve the device from the token in the path, or answer 403 with a page."""

    def wrapped(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        try:
            request.actor = device_actor(token)
        except DeviceRefused:
            return refused_page(request)
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
        "editInstanceId": edit,
        "editXmlUrl": f"{request.key_prefix}/app/mine/{form_id}/{edit}.xml" if edit else "",
    }
    context = _page_context(
        request, form=version.form, version=version, editing=bool(edit), js_extra=js_extra,
        import_map=assets.import_map(), npm_assets=assets.npm_assets_present(),
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
    urls += [static(path) for path in SHELL_STATIC]
    urls += [static(assets.VUE_RUNTIME), *assets.web_forms_files()]
    response = render(
        request, "web/volunteer/sw.js",
        {"urls_json": json.dumps(urls), "cache_json": json.dumps("phulam-" + "|".join(versions))},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response
