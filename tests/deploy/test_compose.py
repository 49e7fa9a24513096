"""The production description (docker-compose.yml, Dockerfile, .env.example, docs/deployment.md) holds together.

No Docker engine here: the compose file is read as YAML and checked for what production relies on;
the example environment is checked against the variables ``recruitment/settings.py`` reads, and is
itself a configuration that passes ``manage.py check --deploy``.
"""

import ast
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ONE_SHOT = "migrate"
LONG_RUNNING = ["db", "redis", "web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def settings_variables():
    """Every environment variable read by ``env(…)``, ``env.bool(…)`` etc. in the settings module."""
    tree = ast.parse((ROOT / "recruitment" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        )
        if reads_env and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            names.add(node.args[0].value)
    return names


def example_variables():
    """``NAME`` of every ``NAME=value`` line of .env.example, set or commented out (showing the default)."""
    text = (ROOT / ".env.example").read_text()
    return {m.group(1) for m in re.finditer(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)}


def example_values():
    text = (ROOT / ".env.example").read_text()
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE))


def test_the_stack_has_its_services(services):
    assert sorted(services) == sorted([ONE_SHOT, *LONG_RUNNING])


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_has_a_healthcheck(services, name):
    healthcheck = services[name]["healthcheck"]

    assert healthcheck.get("disable") is not True
    assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}
    assert healthcheck["interval"] and healthcheck["retries"] >= 3


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_restarts(services, name):
    assert services[name]["restart"] == "unless-stopped"


def test_the_migrations_step_runs_once_after_the_database_is_healthy(services):
    migrate = services[ONE_SHOT]

    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_application_services_wait_for_healthy_services_and_the_migrations(services, name):
    assert services[name]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


@pytest.mark.parametrize("name", ["migrate", "web", "worker", "beat"])
def test_application_services_run_the_one_image_with_the_env_file_and_media(services, name):
    service = services[name]

    assert (service["build"], service["image"], service["env_file"]) == (".", "tuoke-recruitment:latest", ".env")
    assert service["volumes"] == ["media:/app/media"]


def test_data_lives_in_named_volumes(compose, services):
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert services["redis"]["volumes"] == ["redisdata:/data"]
    assert sorted(compose["volumes"]) == ["media", "pgdata", "redisdata"]


def test_exactly_one_beat(services):
    beat = services["beat"]

    assert beat["deploy"]["replicas"] == 1
    assert beat["command"][:4] == ["celery", "-A", "recruitment", "beat"]
    commands = [" ".join(map(str, s.get("command", []))) for s in services.values()]
    assert sum(" beat" in c for c in commands) == 1
    assert all("--beat" not in c and " -B" not in c for c in commands)  # no worker embeds a scheduler


def test_web_is_gunicorn_on_loopback_behind_the_proxy(services):
    web = services["web"]

    assert web["command"][:2] == ["gunicorn", "recruitment.wsgi:application"]
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert "/healthz/" in " ".join(web["healthcheck"]["test"])


def test_the_env_file_it_reads_is_made_from_the_example(services):
    assert (ROOT / ".env.example").is_file()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()  # secrets never go into the image
    assert "cp .env.example .env" in (ROOT / "docs" / "deployment.md").read_text()


def test_the_example_lists_every_variable_the_settings_read():
    read = settings_variables()

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= read  # the parser finds them
    assert sorted(read - example_variables()) == []


def test_the_example_sets_every_variable_the_compose_file_substitutes():
    text = (ROOT / "docker-compose.yml").read_text()
    substituted = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))

    assert substituted == {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
    assert sorted(substituted - set(example_values())) == []


def test_the_example_database_url_matches_the_database_service():
    values = example_values()

    assert values["DATABASE_URL"] == (
        f"postgres://{values['POSTGRES_USER']}:{values['POSTGRES_PASSWORD']}@db:5432/{values['POSTGRES_DB']}"
    )
    assert values["REDIS_URL"].startswith("redis://redis:6379/")


def test_the_deployment_guide_describes_every_variable():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    variables = settings_variables() | {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}

    assert sorted(v for v in variables if f"`{v}`" not in guide) == []


def test_the_example_environment_passes_the_deployment_checks(tmp_path):
    env = {**example_values(), "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}", "PATH": "/usr/bin:/bin"}

    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )

    assert (check.returncode, check.stderr) == (0, "")
    assert check.stdout == "System check identified no issues (0 silenced).\n"


def test_the_image_runs_as_an_unprivileged_user_with_collected_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "python manage.py collectstatic --noinput" in dockerfile
    assert re.search(r"^USER app$", dockerfile, flags=re.MULTILINE)
