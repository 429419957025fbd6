"""A project folder of its own and the real ``dbtooling`` entry point run in it (a subprocess),
pointed at the test engine (see ``tests/seeders/test_seed_command.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS

DBTOOLING = str(Path(sys.executable).with_name("dbtooling"))

MODELS = """
    from dynamodb_tooling import BelongsTo, Model, attribute


    class Writer(Model, timestamps=True, soft_deletes=True):
        email: str = attribute(unique=True, validation="required|email")
        name: str
        age: int | None = None
        secret: str | None = attribute(hidden=True)


    class Note(Model):
        body: str = attribute(validation="required|max:200")
        writer = BelongsTo(Writer)
"""


class Project:
    """``app/models/blog.py`` under ``root``; ``run(...)`` calls ``dbtooling`` there."""

    def __init__(self, root: Path, env: dict[str, str], table: str) -> None:
        self.root = root
        self.env = env
        self.table = table
        models = root / "app" / "models" / "blog.py"
        models.parent.mkdir(parents=True, exist_ok=True)
        models.write_text(textwrap.dedent(MODELS), encoding="utf-8")

    def run(
        self, *args: str, code: int = 0, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        variables = {
            k: v for k, v in os.environ.items() if not k.startswith(("DBTOOLING_", "AWS_"))
        }
        variables |= {"PYTHONPATH": str(self.root), "COLUMNS": "200", **self.env, **(env or {})}
        done = subprocess.run(
            [DBTOOLING, *args],
            cwd=self.root,
            env=variables,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == code, (args, done.returncode, done.stdout, done.stderr)
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)


def engine_env(config: Config, table: str) -> dict[str, str]:
    """The variables pointing ``dbtooling`` at the test engine and a table of its own."""
    key, secret = EMBEDDED_CREDENTIALS
    assert config.endpoint is not None
    return {
        "DBTOOLING_ENDPOINT": config.endpoint,
        "DBTOOLING_REGION": config.region,
        "DBTOOLING_CREDENTIALS__ACCESS_KEY_ID": key,
        "DBTOOLING_CREDENTIALS__SECRET_ACCESS_KEY": secret,
        "DBTOOLING_DEFAULT_TABLE_NAME": table,
    }


def unique_table(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
