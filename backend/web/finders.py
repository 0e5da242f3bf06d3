"""Static files from node_modules: only the browser files the pages load.

`collectstatic` used to copy all of node_modules (148 MB, jsdom and babel included) into the
publicly served static tree. This finder exposes just the files listed in
`assets.NPM_STATIC_FILES`; a page that needs another npm file adds it there (a test checks that
every `{% static %}` in the templates is found).

A file of the same name under build/static/ wins over the package's: scripts/build-assets.mjs
writes ODK Web Forms' dist there minified and without the fonts no page draws (see its header).
Without that build the package's own files are served, heavier but working, and `manage.py
check` says so.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Warning
from django.core.files.storage import FileSystemStorage

from backend.web.assets import NPM_STATIC_FILES, SIDECAR_STATIC_FILES

BUILT_ASSETS_SCRIPT = "scripts/build-assets.mjs"


class NpmAssetsFinder(BaseFinder):
    patterns: tuple[str, ...] = NPM_STATIC_FILES

    def _roots(self) -> tuple[Path, ...]:
        """Where to look, first match wins: the built copies, then the packages."""
        base = Path(settings.BASE_DIR)
        return (base / "build" / "static", base / "node_modules")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storages = {root: FileSystemStorage(location=str(root)) for root in self._roots()}
        for storage in self.storages.values():
            storage.prefix = None

    def check(self, **kwargs):
        base = Path(settings.BASE_DIR)
        web_forms = "@getodk/web-forms/dist/index.js"
        if (base / "node_modules" / web_forms).is_file() and not (base / "build" / "static" / web_forms).is_file():
            hint = f"Run `node {BUILT_ASSETS_SCRIPT}` (the quickstart, run-tests and the Dockerfile do)."
            return [Warning("ODK Web Forms is served unminified, with every font subset.", hint=hint, id="web.W001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        # Django 5.2 renamed `all` to `find_all`; accept both.
        find_all = find_all or kwargs.get("all", False)
        path = path.replace("\\", "/")
        if not any(fnmatchcase(path, p) for p in self.patterns) or ".." in Path(path).parts:
            return []  # what Django's own finders answer for "not here", whatever find_all says
        found = [str(root / path) for root in self._roots() if (root / path).is_file()]
        if not found:
            return []
        return found if find_all else found[0]

    def list(self, ignore_patterns):
        seen: set[str] = set()
        for root in self._roots():
            if not root.is_dir():
                continue
            for pattern in self.patterns:
                for file in sorted(root.glob(pattern)):
                    relative = file.relative_to(root).as_posix()
                    ignored = matches_patterns(relative, ignore_patterns or [])
                    if file.is_file() and relative not in seen and not ignored:
                        seen.add(relative)
                        yield relative, self.storages[root]


class SidecarAssetsFinder(NpmAssetsFinder):
    """The API reference's Redoc bundle from drf-spectacular-sidecar, and only that file: the
    package also ships Swagger UI and 6 MB of source maps, which the site does not serve."""

    patterns = SIDECAR_STATIC_FILES

    def _roots(self) -> tuple[Path, ...]:
        import drf_spectacular_sidecar

        return (Path(drf_spectacular_sidecar.__file__).resolve().parent / "static",)

    def check(self, **kwargs):
        return []
