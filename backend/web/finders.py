"""Static files from node_modules: only the browser files the pages load.

`collectstatic` used to copy all of node_modules (148 MB, jsdom and babel included) into the
publicly served static tree. This finder exposes just the files listed in
`assets.NPM_STATIC_FILES`; a page that needs another npm file adds it there (a test checks that
every `{% static %}` in the templates is found).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.files.storage import FileSystemStorage

from backend.web.assets import NPM_STATIC_FILES, SIDECAR_STATIC_FILES


class NpmAssetsFinder(BaseFinder):
    patterns: tuple[str, ...] = NPM_STATIC_FILES

    def _root(self) -> Path:
        return Path(settings.BASE_DIR) / "node_modules"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(self._root()))
        self.storage.prefix = None

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        # Django 5.2 renamed `all` to `find_all`; accept both.
        find_all = find_all or kwargs.get("all", False)
        path = path.replace("\\", "/")
        candidate = self._root() / path
        if not any(fnmatchcase(path, p) for p in self.patterns) or ".." in Path(path).parts or not candidate.is_file():
            return []  # what Django's own finders answer for "not here", whatever find_all says
        return [str(candidate)] if find_all else str(candidate)

    def list(self, ignore_patterns):
        root = self._root()
        if not root.is_dir():
            return
        seen: set[str] = set()
        for pattern in self.patterns:
            for file in sorted(root.glob(pattern)):
                relative = file.relative_to(root).as_posix()
                if file.is_file() and relative not in seen and not matches_patterns(relative, ignore_patterns or []):
                    seen.add(relative)
                    yield relative, self.storage


class SidecarAssetsFinder(NpmAssetsFinder):
    """The API reference's Redoc bundle from drf-spectacular-sidecar, and only that file: the
    package also ships Swagger UI and 6 MB of source maps, which the site does not serve."""

    patterns = SIDECAR_STATIC_FILES

    def _root(self) -> Path:
        import drf_spectacular_sidecar

        return Path(drf_spectacular_sidecar.__file__).resolve().parent / "static"
