"""The layers of ``.importlinter`` hold, and ``lint-imports`` (``make lint``, CI) refuses an import against them.

Each case copies the apps into a temporary folder, adds one import to one module and runs import-linter
there in a subprocess (about a second), so the project's own files and modules are never touched.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["recruitment", "accounts", "audit", "notifications", "applications", "probation", "reviews"]
RUN = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def lint(tmp_path, *, module=None, line=None):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    if module:
        path = tmp_path.joinpath(*module.split(".")).with_suffix(".py")
        path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    return subprocess.run([sys.executable, "-c", RUN], cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_the_project_keeps_every_contract(tmp_path):
    result = lint(tmp_path)

    assert result.returncode == 0, result.stdout
    assert "Contracts: 4 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the applications domain reaching up into reviews
        ("applications.visibility", "from reviews import round1", "applications is not allowed to import reviews"),
        # the two middle domains are independent
        ("probation.services", "from applications import services", "probation is not allowed to import applications"),
        # the bottom reaching up
        ("notifications.services", "from applications import models", "notifications is not allowed to import"),
        # a domain module importing a face (also upward here)
        ("reviews.final", "from reviews import views", "Illegal imports of protected package reviews.views"),
        # a domain module importing its own tasks: an entry point, and a cycle
        ("reviews.filing", "from reviews import tasks", "No cycles are allowed in reviews."),
        ("probation.datamark", "from probation import tasks", "Illegal imports of protected package probation.tasks"),
        # a cycle inside an app without tasks
        ("audit.enums", "from audit import services", "No cycles are allowed in audit."),
    ],
)
def test_an_import_against_the_layers_breaks_a_contract(tmp_path, module, line, broken):
    result = lint(tmp_path, module=module, line=line)

    assert result.returncode == 1
    assert broken in result.stdout
    assert "0 broken" not in result.stdout
