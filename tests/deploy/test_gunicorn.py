"""deploy/gunicorn.conf.py as gunicorn itself reads it (``--print-config``): the web service's sizing, limits."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.deploy.test_compose import example_variables

ROOT = Path(settings.BASE_DIR)
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
VARIABLES = ["GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"]


def gunicorn_config(**env):
    """The settings gunicorn resolves from deploy/gunicorn.conf.py in this environment, as ``{name: text}``."""
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    shown = subprocess.run(
        [GUNICORN, "--print-config", "--config", "deploy/gunicorn.conf.py", "recruitment.wsgi:application"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60, check=True,
    )
    return dict(re.findall(r"^(\w+)\s+= (.*)$", shown.stdout, flags=re.MULTILINE))


def cpus():
    return len(os.sched_getaffinity(0))


def test_defaults_are_threaded_workers_sized_by_the_cpus():
    config = gunicorn_config()

    assert (config["worker_class"], config["threads"], config["timeout"]) == ("gthread", "4", "60")
    assert config["workers"] == str(min(2 * cpus() + 1, 9))
    assert (config["bind"], config["accesslog"], config["wsgi_app"]) == (
        "['0.0.0.0:8000']", "-", "recruitment.wsgi:application",
    )


def test_requests_are_limited_before_django_sees_them():
    config = gunicorn_config()

    assert (config["limit_request_line"], config["limit_request_fields"], config["limit_request_field_size"]) == (
        "4094", "100", "8190",
    )
    assert (config["backlog"], config["graceful_timeout"], config["keepalive"]) == ("2048", "30", "5")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "8", "GUNICORN_TIMEOUT": "90"}, ("3", "8", "90")),
        ({"GUNICORN_WORKERS": "", "GUNICORN_THREADS": " ", "GUNICORN_TIMEOUT": ""}, None),  # empty: the defaults
    ],
    ids=["set", "empty"],
)
def test_the_environment_sizes_the_workers(env, expected):
    config = gunicorn_config(**env)

    default = (str(min(2 * cpus() + 1, 9)), "4", "60")
    assert (config["workers"], config["threads"], config["timeout"]) == (expected or default)


def test_the_web_service_and_the_image_run_gunicorn_with_this_file():
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]
    dockerfile = (ROOT / "Dockerfile").read_text()

    command = ["gunicorn", "recruitment.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
    assert web["command"] == command
    assert f"CMD {json.dumps(command)}" in dockerfile


def test_its_variables_are_in_the_example_and_the_guide():
    guide = (ROOT / "docs" / "deployment.md").read_text()

    assert sorted(set(VARIABLES) - example_variables()) == []
    assert [v for v in VARIABLES if f"`{v}`" not in guide] == []


def test_it_is_not_picked_up_by_a_plain_gunicorn_run_in_the_project():
    """Only ``--config`` loads it: gunicorn reads ./gunicorn.conf.py by itself, which would change other runs
    from the project folder (the benchmark's gunicorn)."""
    assert not (ROOT / "gunicorn.conf.py").exists()
