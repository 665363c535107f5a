"""The serving environment: MLServer and its runtimes in a virtual environment of their own.

MLServer's pins fight a notebook environment's, so deployments run ``mlserver`` from a separate venv
built from the pinned ``serving-lock.txt`` (shipped in the package; ``requirements/serving-lock.txt`` in a
checkout), installed with ``--no-deps`` like ``make serving-env``. The service finds it without being told:
``LAKETAHOE_SERVING_VENV``, else ``${XDG_DATA_HOME:-~/.local/share}/laketahoe/serving-venv`` (the same
rule as ``userServingVenv`` in server-proxy/src/config.ts); a checkout's ``.venv-serving`` wins there
when it exists.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from .client import LakeTahoeError

_PACKAGE = Path(__file__).resolve().parent
#: Marker written once the lock is installed; holds the lock's sha256 so a changed lock is noticed.
MARKER = ".installed"


class ServingEnvError(LakeTahoeError):
    """The serving environment cannot be created."""


def serving_venv_dir(env: dict | None = None) -> Path:
    """Where the serving environment of an installed package lives (it need not exist)."""
    env = os.environ if env is None else env
    if env.get("LAKETAHOE_SERVING_VENV"):
        return Path(env["LAKETAHOE_SERVING_VENV"]).expanduser().resolve()
    data = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(data) / "laketahoe" / "serving-venv"


def lock_file() -> Path:
    """The pinned requirements of the serving environment: in the package, else in the checkout."""
    for candidate in (_PACKAGE / "serving-lock.txt", _PACKAGE.parent / "requirements" / "serving-lock.txt"):
        if candidate.is_file():
            return candidate
    raise ServingEnvError("serving-lock.txt is missing from the laketahoe package; reinstall laketahoe")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mlserver_path(venv: Path) -> Path:
    """The ``mlserver`` executable of a serving environment."""
    return venv / ("Scripts" if os.name == "nt" else "bin") / ("mlserver.exe" if os.name == "nt" else "mlserver")


def status(venv: Path | None = None) -> dict:
    """``{path, mlserver, installed, current}``: whether the environment exists and matches the shipped lock."""
    venv = serving_venv_dir() if venv is None else venv
    marker = venv / MARKER
    installed = marker.is_file() and mlserver_path(venv).is_file()
    current = installed and marker.read_text().strip() == _digest(lock_file())
    return {"path": str(venv), "mlserver": str(mlserver_path(venv)), "installed": installed, "current": current}


def create(venv: Path | None = None, python: str | None = None, force: bool = False, quiet: bool = True,
           out=sys.stdout) -> Path:
    """Build (or bring up to date) the serving environment from the shipped lock; returns its folder.

    Nothing happens when it already holds this lock, unless ``force``. ``python`` is the interpreter the
    venv is made from (the current one by default; the lock is pinned for CPython 3.11 and later).
    """
    venv = serving_venv_dir() if venv is None else Path(venv).expanduser().resolve()
    lock = lock_file()
    if not force and status(venv)["current"]:
        print(f"serving environment {venv} is up to date", file=out)
        return venv
    python = python or sys.executable
    quiet_flag = ["--quiet"] if quiet else []
    print(f"creating the serving environment {venv} from {lock} (MLServer; a cold install takes minutes)", file=out)
    out.flush()
    (venv / MARKER).unlink(missing_ok=True)
    _run([python, "-m", "venv", str(venv)])
    venv_python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    # --no-deps: the lock is complete and leaves out xgboost's CUDA build on purpose (requirements/serving.in).
    _run([str(venv_python), "-m", "pip", "install", *quiet_flag, "--disable-pip-version-check", "--no-deps",
          "-r", str(lock)])
    if not mlserver_path(venv).is_file():
        raise ServingEnvError(f"{mlserver_path(venv)} is missing after installing {lock}")
    (venv / MARKER).write_text(_digest(lock) + "\n")
    print(f"serving environment ready: {mlserver_path(venv)}", file=out)
    return venv


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True)
    except FileNotFoundError as exc:
        raise ServingEnvError(f"cannot run {command[0]}: {exc}") from exc
    except subprocess.CalledProcessError as exc:
        raise ServingEnvError(f"`{' '.join(command)}` failed with exit status {exc.returncode}") from exc
