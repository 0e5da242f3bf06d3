"""Where the npm packages' browser files are, as static URLs (no bundler, no CDN)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.safestring import mark_safe

WEB_FORMS_DIST = "@getodk/web-forms/dist"
VUE_RUNTIME = "vue/dist/vue.runtime.esm-browser.prod.js"
LEAFLET_JS = "leaflet/dist/leaflet.js"
LEAFLET_CSS = "leaflet/dist/leaflet.css"
CHART_JS = "chart.js/dist/chart.umd.min.js"
# The hamlet head's map groups nearby households into one numbered circle (Leaflet's own
# clustering plugin, leaflet.markercluster).
MARKERCLUSTER_JS = "leaflet.markercluster/dist/leaflet.markercluster.js"
MARKERCLUSTER_CSS = (
    "leaflet.markercluster/dist/MarkerCluster.css",
    "leaflet.markercluster/dist/MarkerCluster.Default.css",
)

# The only node_modules files served as static files (backend/web/finders.py): what the
# templates, the import map and the service worker name. Globs, relative to node_modules/.
NPM_STATIC_FILES = (
    f"{WEB_FORMS_DIST}/*",  # index.js and its hashed chunks
    VUE_RUNTIME,
    LEAFLET_JS,
    LEAFLET_CSS,
    "leaflet/dist/images/*",  # leaflet.css points at these
    CHART_JS,
    MARKERCLUSTER_JS,
    *MARKERCLUSTER_CSS,
)


# From drf-spectacular-sidecar (a Python package, no CDN): the API reference page's Redoc.
SIDECAR_STATIC_FILES = ("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",)


def npm_assets_present() -> bool:
    return finders.find(f"{WEB_FORMS_DIST}/index.js") is not None


@cache
def web_forms_files() -> tuple[str, ...]:
    """Static URLs of every JavaScript file of ODK Web Forms (its chunks have hashed
    names), so the service worker can keep them all for offline use."""
    index = finders.find(f"{WEB_FORMS_DIST}/index.js")
    if index is None:
        return ()
    return tuple(static(f"{WEB_FORMS_DIST}/{p.name}") for p in sorted(Path(index).parent.glob("*.js")))


def import_map() -> str:
    """The inline import map (JSON, safe inside <script>) naming Vue and Web Forms."""
    imports = {"vue": static(VUE_RUNTIME), "@getodk/web-forms": static(f"{WEB_FORMS_DIST}/index.js")}
    return mark_safe(json.dumps({"imports": imports}).replace("<", "\\u003c"))  # noqa: S308
