"""The production stack as written: docker-compose.yml, the Dockerfile, .dockerignore and the
Caddyfile. No Docker engine runs on these machines (no daemon), so the files are checked for
what a deployment relies on; `docker compose config` validates the file when it is installed."""

import ipaddress
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LONG_RUNNING = {"proxy", "web", "worker", "beat", "db", "redis"}


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def services() -> dict:
    return load_compose()["services"]


def is_one_shot(service: dict) -> bool:
    return str(service.get("restart", "no")) == "no"


def test_the_stack_has_proxy_web_workers_migrations_postgres_and_redis():
    stack = services()
    assert LONG_RUNNING | {"migrate"} <= set(stack)
    assert stack["db"]["image"].startswith("postgres:")
    assert stack["redis"]["image"].startswith("redis:")
    assert stack["proxy"]["image"].startswith("caddy:")


def test_only_the_proxy_is_reachable_from_outside():
    for name, service in services().items():
        if name == "proxy":
            assert {"80:80", "443:443"} <= set(service["ports"])
        else:
            assert "ports" not in service, f"{name} publishes a port: only the proxy may"
    assert services()["web"]["expose"] == ["8000"]


def test_every_long_running_service_has_a_healthcheck_and_a_restart_policy():
    for name, service in services().items():
        if is_one_shot(service):
            continue
        assert service.get("restart") in {"unless-stopped", "always"}, name
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in {"CMD", "CMD-SHELL"}, f"{name} has no healthcheck"


def test_migrations_run_once_before_web_starts():
    stack = services()
    migrate = stack["migrate"]
    assert is_one_shot(migrate)
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("web", "worker", "beat"):
        depends = stack[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert stack["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "migrate" not in " ".join(stack["web"]["command"])
    cmd = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    assert cmd and "migrate" not in cmd[-1]


def test_data_lives_in_named_volumes():
    compose = load_compose()
    named = set(compose["volumes"])
    for name, service in compose["services"].items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).is_file(), f"{name} mounts {source}, which does not exist"
                assert mount.endswith(":ro"), f"{name} mounts {source} writable"
            else:
                assert source in named, f"{name}: {mount} is not a named volume"
    assert {"pgdata", "media", "redisdata", "caddy_data"} <= named
    assert "media:/var/lib/phulam/media" in compose["services"]["web"]["volumes"]


def test_web_trusts_forwarded_headers_from_the_proxy_address_only():
    compose = load_compose()
    web_env = compose["services"]["web"]["environment"]
    proxy_address = compose["services"]["proxy"]["networks"]["internal"]["ipv4_address"]
    subnet = ipaddress.ip_network(compose["networks"]["internal"]["ipam"]["config"][0]["subnet"])
    assert web_env["TRUST_PROXY_HEADERS"] == "true"
    assert web_env["TRUSTED_PROXIES"] == proxy_address
    assert ipaddress.ip_address(proxy_address) in subnet
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    # Every replica of `web`, found by name (one A record per container), not one fixed host.
    assert "dynamic a {\n\t\t\tname web\n\t\t\tport 8000" in caddyfile
    assert "header_up X-Forwarded-Proto {scheme}" in caddyfile
    assert "header_up X-Forwarded-For {remote_host}" in caddyfile


def test_every_environment_variable_compose_sets_is_read_by_the_settings():
    compose = load_compose()
    settings_source = (ROOT / "backend" / "settings.py").read_text()
    names = set(compose["services"]["web"]["environment"])
    env_example = (ROOT / ".env.example").read_text().splitlines()
    names |= {line.split("=")[0] for line in env_example if line and not line.startswith("#")}
    names -= {"POSTGRES_PASSWORD", "WEB_WORKERS", "WEB_REPLICAS", "WORKER_CONCURRENCY", "SITE_ADDRESS", "ACME_EMAIL"}
    for name in names:
        assert f'"{name}"' in settings_source, f"settings.py does not read {name}"
    assert compose["services"]["web"]["env_file"] == ".env"


def test_the_database_url_points_at_the_compose_database_service():
    compose = load_compose()
    url = compose["services"]["web"]["environment"]["DATABASE_URL"]
    db = compose["services"]["db"]["environment"]
    assert url.startswith(f"postgres://{db['POSTGRES_USER']}:") and url.endswith(f"@db:5432/{db['POSTGRES_DB']}")
    assert compose["services"]["web"]["environment"]["REDIS_URL"].startswith("redis://redis:6379/")


def test_web_runs_gunicorn_on_the_port_the_proxy_targets_with_its_healthcheck():
    web = services()["web"]
    assert web["command"][:3] == ["gunicorn", "backend.wsgi:application", "--bind=0.0.0.0:8000"]
    assert web["healthcheck"]["test"] == ["CMD", "python", "deploy/healthcheck.py"]
    assert (ROOT / "deploy" / "healthcheck.py").is_file()
    assert (ROOT / "gunicorn.conf.py").is_file()


def test_the_image_is_runtime_only_and_runs_as_a_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile
    # The build stage installs everything, builds the served Web Forms, then drops the dev
    # packages (esbuild, jsdom, the engine) before node_modules is copied into the runtime.
    build, prune = dockerfile.find("node scripts/build-assets.mjs"), dockerfile.find("npm prune --omit=dev")
    assert 0 < build < prune < dockerfile.find("COPY --from=assets /build/node_modules")
    assert "COPY --from=assets /build/build/static ./build/static" in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert "HEALTHCHECK" in dockerfile
    # Node is only in the build stage: the runtime stage is the last FROM.
    assert "nodejs" not in dockerfile.rsplit("FROM ", 1)[-1]


def test_dockerignore_keeps_secrets_data_and_environments_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", "var/", ".venv/", "node_modules/", ".git/", "test-output/", "tests/", "build/"} <= ignored
    assert "!.env.example" in ignored


def compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_config_accepts_the_file(tmp_path):
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    # A copy of the project's compose files with the example .env the file requires.
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run([*cli, "config", "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_two_web_replicas_behind_the_proxy_by_default():
    web = services()["web"]
    assert web["deploy"]["replicas"] == "${WEB_REPLICAS:-2}"
    assert "container_name" not in web, "a fixed container name allows one replica only"


def test_the_worker_runs_celery_with_late_acks_and_writes_backups_to_a_volume():
    worker = services()["worker"]
    assert worker["command"][:4] == ["celery", "-A", "backend", "worker"]
    assert worker["environment"]["BACKUP_DIR"] == "/var/lib/phulam/backups"
    assert "backups:/var/lib/phulam/backups" in worker["volumes"]
    assert "media:/var/lib/phulam/media" in worker["volumes"]
    assert "inspect ping" in worker["healthcheck"]["test"][1]
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    # pg_dump makes the nightly backup inside the worker container.
    assert "postgresql-client" in (ROOT / "Dockerfile").read_text()


def test_exactly_one_beat_keeps_its_schedule_on_a_volume():
    beat = services()["beat"]
    assert beat["command"][:4] == ["celery", "-A", "backend", "beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat["environment"]["CELERY_BEAT_SCHEDULE_FILENAME"].startswith("/var/lib/phulam/beat/")
    assert "beat:/var/lib/phulam/beat" in beat["volumes"]
    assert beat["healthcheck"]["test"] == ["CMD", "python", "deploy/beat_healthcheck.py"]


def test_caddy_accepts_the_caddyfile(tmp_path):
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (CI installs Debian's)")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SITE_ADDRESS": "survey.example.org",
        "ACME_EMAIL": "ops@example.org",
    }
    result = subprocess.run(
        [caddy, "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"), "--validate"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    upstreams = [h["dynamic_upstreams"] for h in handlers(json.loads(result.stdout)) if "dynamic_upstreams" in h]
    assert upstreams == [{"source": "a", "name": "web", "port": "8000", "refresh": 10_000_000_000}]


def handlers(node):
    """Every dict in Caddy's adapted JSON, depth first."""
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            yield from handlers(child)
