"""Where the npm packages' browser files are, as static URLs (no bundler, no CDN)."""

from __future__ import annotations

import hashlib
import json
import re
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
def web_forms_static_paths() -> tuple[str, ...]:
    """Static paths (not URLs) of Vue and every JavaScript file of ODK Web Forms."""
    index = finders.find(f"{WEB_FORMS_DIST}/index.js")
    if index is None:
        return ()
    return (VUE_RUNTIME, *(f"{WEB_FORMS_DIST}/{p.name}" for p in sorted(Path(index).parent.glob("*.js"))))


@cache
def web_forms_files() -> tuple[str, ...]:
    """Static URLs of every JavaScript file of ODK Web Forms (its chunks have hashed
    names), so the service worker can keep them all for offline use."""
    return tuple(static(p) for p in web_forms_static_paths() if p != VUE_RUNTIME)


# `from "./index-….js"` in the served index.js (minified or not): the chunks it imports statically.
_STATIC_IMPORT = re.compile(r"""\bfrom\s*["']\./([\w.-]+\.js)["']""")


@cache
def web_forms_first_load() -> tuple[str, ...]:
    """Static URLs of the scripts the form page needs before it can draw a question: Vue, Web
    Forms' index.js and the chunks index.js imports statically (not the map chunk, a dynamic
    import). The page names them in <link rel="modulepreload"> so the browser asks for all of
    them at once instead of one import level per round trip (about 0.6 s each on a 3G phone)."""
    index = finders.find(f"{WEB_FORMS_DIST}/index.js")
    if index is None:
        return ()
    chunks = dict.fromkeys(_STATIC_IMPORT.findall(Path(index).read_text(encoding="utf-8")))
    scripts = (VUE_RUNTIME, f"{WEB_FORMS_DIST}/index.js", *(f"{WEB_FORMS_DIST}/{c}" for c in chunks))
    return tuple(static(s) for s in scripts)


@cache
def static_files_digest(paths: tuple[str, ...]) -> str:
    """A short digest of the contents of these static files (paths as given to `static`).

    The service worker serves scripts cache-first and their URLs carry no hash (Web Forms'
    index.js, our own js): naming its cache after this digest makes a deploy that changes any
    of them (a Web Forms upgrade, a new build) start a new cache instead of serving old files."""
    digest = hashlib.sha256()
    for path in paths:
        found = finders.find(path)
        digest.update(path.encode())
        digest.update(Path(found).read_bytes() if found else b"-")
    return digest.hexdigest()[:12]


def import_map() -> str:
    """The inline import map (JSON, safe inside <script>) naming Vue and Web Forms."""
    imports = {"vue": static(VUE_RUNTIME), "@getodk/web-forms": static(f"{WEB_FORMS_DIST}/index.js")}
    return mark_safe(json.dumps({"imports": imports}).replace("<", "\\u003c"))  # noqa: S308
