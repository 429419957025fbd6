"""Importing the package, its pytest plugin or its CLI does not import moto (about 0.3 s):
only starting an engine does."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.processes

HEAVY = ("moto", "responses", "boto3", "werkzeug")


@pytest.mark.parametrize(
    "module", ["dynamodb_tooling", "dynamodb_tooling.testing.plugin", "dynamodb_tooling.cli"]
)
def test_importing_does_not_import_the_engine(module: str) -> None:
    script = (
        f"import json, sys, {module}\n"
        f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )

    assert json.loads(done.stdout) == []


def test_starting_an_engine_imports_it() -> None:
    script = (
        "import sys\n"
        "from dynamodb_tooling.engine import EmbeddedEngine\n"
        "assert 'moto' not in sys.modules\n"
        "engine = EmbeddedEngine()\n"
        "engine.start()\n"
        "engine.stop()\n"
        "print('moto' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.strip() == "True"
