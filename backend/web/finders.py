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

from backend.web.assets import NPM_STATIC_FILES


def _root() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


def _allowed(path: str) -> bool:
    return any(fnmatchcase(path, pattern) for pattern in NPM_STATIC_FILES)


class NpmAssetsFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(_root()))
        self.storage.prefix = None

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        # Django 5.2 renamed `all` to `find_all`; accept both.
        find_all = find_all or kwargs.get("all", False)
        path = path.replace("\\", "/")
        candidate = _root() / path
        if not _allowed(path) or ".." in Path(path).parts or not candidate.is_file():
            return []  # what Django's own finders answer for "not here", whatever find_all says
        return [str(candidate)] if find_all else str(candidate)

    def list(self, ignore_patterns):
        root = _root()
        if not root.is_dir():
            return
        seen: set[str] = set()
        for pattern in NPM_STATIC_FILES:
            for file in sorted(root.glob(pattern)):
                relative = file.relative_to(root).as_posix()
                if file.is_file() and relative not in seen and not matches_patterns(relative, ignore_patterns or []):
                    seen.add(relative)
                    yield relative, self.storage
