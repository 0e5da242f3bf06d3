"""The image installs requirements.txt (runtime only); tests and CI install requirements-dev.txt.

Both are compiled from their .in files; these checks catch a hand edit that splits them.
"""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEST_AND_LINT_TOOLS = {"pytest", "pytest-django", "playwright", "ruff", "zxing-cpp", "uv", "greenlet", "pluggy"}


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1).lower())] = match.group(2)
    return found


def test_runtime_requirements_carry_no_test_or_lint_tools():
    runtime = pins("requirements.txt")
    assert not TEST_AND_LINT_TOOLS & set(runtime), TEST_AND_LINT_TOOLS & set(runtime)


def test_runtime_requirements_have_what_the_documented_settings_need():
    runtime = pins("requirements.txt")
    # gunicorn serves; REDIS_URL needs redis; AWS_STORAGE_BUCKET_NAME needs boto3; brotli compresses.
    needed = {"django", "gunicorn", "whitenoise", "psycopg", "redis", "boto3", "django-storages", "brotli"}
    assert needed <= set(runtime)


def test_dev_requirements_are_the_runtime_pins_plus_the_tools():
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    same_pins = {name: dev.get(name) for name in runtime}
    assert same_pins == runtime, "requirements-dev.txt pins runtime packages differently"
    assert {"pytest", "pytest-django", "playwright", "ruff", "zxing-cpp", "uv"} <= set(dev)


def test_every_direct_requirement_is_pinned_in_the_compiled_file():
    for source, compiled in (("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")):
        compiled_pins = pins(compiled)
        for line in (ROOT / source).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith("-"):
                continue
            name = re.sub(r"[-_.]+", "-", re.split(r"[\[~=<>!]", line)[0].lower())
            assert name in compiled_pins, f"{name} ({source}) is not pinned in {compiled}"


def test_the_scripts_install_the_right_file():
    assert "-r requirements-dev.txt" in (ROOT / "scripts" / "run-tests.sh").read_text()
    assert "-r requirements.txt" in (ROOT / "scripts" / "quickstart.sh").read_text()
    assert "./scripts/run-tests.sh" in (ROOT / ".ci" / "run").read_text()
