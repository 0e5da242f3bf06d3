"""docker-compose.yml cannot run here (no Docker engine); check that what it names exists."""

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_web_and_postgres_with_named_volumes():
    compose = load_compose()
    assert set(compose["services"]) >= {"web", "db"}
    assert compose["services"]["db"]["image"].startswith("postgres:")
    named = set(compose["volumes"])
    for service in compose["services"].values():
        for mount in service.get("volumes", []):
            assert mount.split(":")[0] in named, f"{mount} is not a named volume"
    assert "pgdata" in named and "media" in named


def test_compose_web_serves_the_wsgi_app_on_the_port_it_publishes():
    web = load_compose()["services"]["web"]
    dockerfile = (
        (ROOT / web["build"] / "Dockerfile").read_text() if web["build"] != "." else (ROOT / "Dockerfile").read_text()
    )
    assert "gunicorn backend.wsgi:application --bind 0.0.0.0:8000" in dockerfile
    assert "8000:8000" in web["ports"]
    assert (ROOT / "backend" / "wsgi.py").exists()


def test_every_environment_variable_compose_sets_is_read_by_the_settings():
    compose = load_compose()
    settings_source = (ROOT / "backend" / "settings.py").read_text()
    names = set(compose["services"]["web"]["environment"])
    env_example = (ROOT / ".env.example").read_text().splitlines()
    names |= {line.split("=")[0] for line in env_example if line and not line.startswith("#")}
    names -= {"POSTGRES_PASSWORD", "WEB_WORKERS"}  # used by compose / the Dockerfile command
    for name in names:
        assert f'"{name}"' in settings_source, f"settings.py does not read {name}"
    assert compose["services"]["web"]["env_file"] == ".env"


def test_the_database_url_points_at_the_compose_database_service():
    compose = load_compose()
    url = compose["services"]["web"]["environment"]["DATABASE_URL"]
    db = compose["services"]["db"]["environment"]
    assert url.startswith(f"postgres://{db['POSTGRES_USER']}:") and url.endswith(f"@db:5432/{db['POSTGRES_DB']}")
