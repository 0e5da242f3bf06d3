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


FONT_FACE = re.compile(r"@font-face\{[^}]*\}")


def test_web_forms_is_served_from_the_build_minified_with_the_vietnamese_fonts_only():
    """scripts/build-assets.mjs (run by run-tests, the quickstart and the Dockerfile) writes the
    served copy: the Roboto faces of the latin and vietnamese subsets, woff2 only, and code
    that is minified (the package's index chunk ships with its identifiers and indentation)."""
    needs_npm()
    served = finders.find(f"{assets.WEB_FORMS_DIST}/index.js")
    package = ROOT / "node_modules" / assets.WEB_FORMS_DIST / "index.js"
    assert Path(served).is_relative_to(ROOT / "build" / "static"), "run: node scripts/build-assets.mjs"
    faces = FONT_FACE.findall(Path(served).read_text())
    first_ranges = {re.search(r"unicode-range:\s*(U\+[0-9A-F-]+)", face).group(1) for face in faces}
    assert first_ranges == {"U+0000-00FF", "U+0102-0103"}  # latin, vietnamese
    assert {re.search(r"font-weight:\s*(\d+)", face).group(1) for face in faces} == {"300", "400", "500"}
    assert all("font/woff2" in face and "font/woff;" not in face for face in faces)
    assert len(FONT_FACE.findall(package.read_text())) == 27  # what the package ships
    for chunk in assets.web_forms_files():
        name = chunk.rsplit("/", 1)[1]
        built = Path(finders.find(f"{assets.WEB_FORMS_DIST}/{name}"))
        original = ROOT / "node_modules" / assets.WEB_FORMS_DIST / name
        assert built.stat().st_size < 0.8 * original.stat().st_size, name
        # Minified: lines are joined (those left are inside template literals, e.g. CSS and shaders).
        lines = built.read_text().count("\n"), original.read_text().count("\n")
        assert lines[0] <= max(1, lines[1] // 5), f"{name} is not minified: {lines}"


def test_check_warns_when_web_forms_is_served_unbuilt(tmp_path):
    from backend.web.finders import NpmAssetsFinder

    dist = tmp_path / "node_modules" / assets.WEB_FORMS_DIST
    dist.mkdir(parents=True)
    (dist / "index.js").write_text("export {};")
    with override_settings(BASE_DIR=tmp_path):
        assert [w.id for w in NpmAssetsFinder().check()] == ["web.W001"]
        built = tmp_path / "build" / "static" / assets.WEB_FORMS_DIST
        built.mkdir(parents=True)
        (built / "index.js").write_text("export{};")
        assert NpmAssetsFinder().check() == []
        assert finders.find(f"{assets.WEB_FORMS_DIST}/index.js") is not None
