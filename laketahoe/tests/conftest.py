"""Shared fixtures: notebook builders and a runner launcher."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[2]
MARKER = "##laketahoe "


def write_notebook(path: Path, *sources, parameters: str | None = None) -> Path:
    """Write a notebook: an optional `parameters`-tagged cell, then code cells ('# md' = markdown)."""
    cells = []
    if parameters is not None:
        cells.append(new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    for src in sources:
        cells.append(new_markdown_cell(src[5:]) if src.startswith("# md ") else new_code_cell(src))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def child_env(**extra) -> dict:
    """Environment in which `python -m laketahoe...` imports this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("LAKETAHOE_EVENTS_FILE", None)
    env.update(extra)
    return env


def records(stdout: str) -> list[dict]:
    """The structured records among the runner's stdout lines."""
    return [json.loads(line[len(MARKER):]) for line in stdout.splitlines() if line.startswith(MARKER)]


def run_runner(args, cwd: Path, timeout: float = 120, **env) -> subprocess.CompletedProcess:
    """Run the runner to completion as the service would (a child process)."""
    return subprocess.run(
        [sys.executable, "-m", "laketahoe.runner", *args],
        cwd=cwd, env=child_env(**env), capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def notebook(tmp_path):
    """Factory: notebook(name, *sources, parameters=...) -> path in tmp_path."""
    def make(name, *sources, parameters=None):
        return write_notebook(tmp_path / name, *sources, parameters=parameters)
    return make
