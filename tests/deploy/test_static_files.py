"""collectstatic publishes only what the pages load: it used to copy all of node_modules
(148 MB, 11,272 files, jsdom and babel included) into the public static tree."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

from backend.web import assets

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "backend"
STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")


def needs_npm():
    if not assets.npm_assets_present():
        pytest.skip("node_modules not installed (npm ci)")


def template_static_paths() -> set[str]:
    paths = set()
    for template in TEMPLATES.rglob("templates/**/*"):
        if template.is_file():
            paths |= set(STATIC_TAG.findall(template.read_text(errors="replace")))
    return paths


def test_every_static_file_a_template_names_is_found():
    needs_npm()
    missing = sorted(p for p in template_static_paths() if finders.find(p) is None)
    assert not missing, f"add them to assets.NPM_STATIC_FILES (or backend static): {missing}"


def test_the_import_map_and_the_service_worker_files_are_found():
    needs_npm()
    assert finders.find(assets.VUE_RUNTIME) and finders.find(f"{assets.WEB_FORMS_DIST}/index.js")
    assert len(assets.web_forms_files()) >= 2  # index.js and its hashed chunk(s)


def test_node_modules_files_outside_the_list_are_not_served():
    needs_npm()
    for hidden in ("jsdom/package.json", "vue/package.json", "leaflet/dist/leaflet-src.js", "chart.js/dist/chart.js"):
        assert finders.find(hidden) is None, hidden


def test_collected_static_tree_is_small_and_has_no_dev_packages(tmp_path):
    needs_npm()
    with override_settings(STATIC_ROOT=tmp_path / "static"):
        call_command("collectstatic", "--noinput", verbosity=0)
    files = [p for p in (tmp_path / "static").rglob("*") if p.is_file()]
    relative = {p.relative_to(tmp_path / "static").as_posix() for p in files}
    size = sum(p.stat().st_size for p in files)
    assert size < 15_000_000, f"static tree is {size / 1e6:.1f} MB"
    dev_packages = ("jsdom/", "@babel/", "babel", "@getodk/xforms-engine/", "typescript/")
    assert not any(p.startswith(dev_packages) for p in relative)
    print(f"collected static: {len(files)} files, {size / 1e6:.1f} MB")
    # WhiteNoise's pre-compressed copies, brotli included (brotli is a runtime requirement).
    assert "web/css/site.css.br" in relative and "web/css/site.css.gz" in relative
    assert template_static_paths() <= relative
