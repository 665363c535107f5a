"""Shared fixtures: notebook builders and a runner launcher."""

from __future__ import annotations

import json
import os
import signal
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


def stop_process_group(proc: subprocess.Popen, grace: float = 15) -> None:
    """Stop a child started with start_new_session=True: SIGTERM its group, SIGKILL it after `grace` seconds."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def lt_shell(workdir: Path, monkeypatch):
    """An IPython shell with the extension loaded, its cwd in `workdir` (created when missing)."""
    from IPython.core.interactiveshell import InteractiveShell

    import laketahoe

    workdir.mkdir(exist_ok=True)
    monkeypatch.chdir(workdir)
    ip = InteractiveShell.instance()
    # A fresh magics instance per test, so no client is cached across service settings.
    laketahoe.load_ipython_extension(ip)
    return ip


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


# --------------------------------------------------------------------------
# The real service, for end-to-end tests of the magics and the CLI

SERVICE_ENTRY = Path(os.environ.get("LAKETAHOE_PROXY_ENTRY") or REPO / "server-proxy" / "dist" / "main.js")
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: needs the built Node service (server-proxy/dist/main.js)")


def under_ci() -> bool:
    """Whether this run is CI's (``CI`` set to anything but empty/0/false), where every prerequisite is installed."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_prerequisite(reason: str):
    """Skip on a developer's partial machine; fail under CI, where a missing part means a broken set-up."""
    if under_ci():
        pytest.fail(f"{reason} (CI has every prerequisite: this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def need_module(name: str):
    """Import ``name`` or report it as a missing prerequisite (a failure under CI)."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as err:
        missing_prerequisite(f"{name} is not importable: {err}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skip is a failure, whatever raised it: a skipped test would hide the regression it guards."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and under_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI={os.environ.get('CI')}: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """The same for a whole module skipped while it is collected (a module-level importorskip)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and under_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI={os.environ.get('CI')}: {reason}"


class Service:
    """A running `laketahoe-proxy serve` on a temp root directory."""

    def __init__(self, root: Path, runtime_file: Path, proc: subprocess.Popen, log: Path):
        self.root, self.runtime_file, self.proc, self.log = root, runtime_file, proc, log
        info = json.loads(runtime_file.read_text())
        self.url, self.token = info["url"], info["token"]

    def client(self):
        from laketahoe.client import Client

        return Client.from_environment({"LAKETAHOE_RUNTIME_FILE": str(self.runtime_file)})

    def wait(self, job_id: str, states=TERMINAL, timeout: float = 120) -> dict:
        """Poll until the job reaches one of ``states``."""
        import time

        client = self.client()
        deadline = time.monotonic() + timeout
        while True:
            job = client.get_job(job_id)
            if job["state"] in states:
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {job['state']} after {timeout}s; log: {self.log.read_text()[-2000:]}")
            time.sleep(0.3)


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    """Start the real Node service once for the session; it runs jobs with this Python."""
    import shutil
    import time

    if not SERVICE_ENTRY.is_file():
        pytest.fail(f"{SERVICE_ENTRY} is missing: build the service first (cd server-proxy && npm ci && npm run build)")
    node = os.environ.get("LAKETAHOE_NODE") or shutil.which("node")
    base = tmp_path_factory.mktemp("service")
    root = base / "root"
    root.mkdir()
    rt = base / "rt.json"
    log_path = base / "service.log"
    log = open(log_path, "w")
    # Usage sampled every 0.3 s, so a job of a few seconds has several samples.
    env = child_env(LAKETAHOE_TOKEN="e2e-token", LAKETAHOE_USAGE_INTERVAL_MS="300")
    for name in ("LAKETAHOE_URL", "LAKETAHOE_RUNTIME_FILE", "LAKETAHOE_ROOT_DIR", "LAKETAHOE_PORT"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [node, str(SERVICE_ENTRY), "serve", "--port", "0", "--root-dir", str(root), "--runtime-file", str(rt),
         "--python", sys.executable],
        cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not rt.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"the service did not start: {log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    time.sleep(0.1)  # the file is written in one go, but let a slow writer finish
    svc = Service(root, rt, proc, log_path)
    yield svc
    stop_process_group(proc)
    log.close()


@pytest.fixture
def use_service(service, monkeypatch):
    """Point clients in this process at the session's service through its runtime file."""
    for name in ("LAKETAHOE_URL", "LAKETAHOE_TOKEN", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LAKETAHOE_RUNTIME_FILE", str(service.runtime_file))
    return service


def mlserver_path() -> Path:
    """The model server the service starts: LAKETAHOE_MLSERVER, else the serving environment in the checkout."""
    return Path(os.environ.get("LAKETAHOE_MLSERVER") or REPO / ".venv-serving" / "bin" / "mlserver")


def require_routes(service, *paths: str) -> None:
    """Fail when the service lacks one of ``paths``: every build of this checkout serves them, so a
    missing one is a routing regression, never a reason to skip."""
    document = service.client()._call("GET", "/openapi.json")
    missing = [path for path in paths if path not in (document.get("paths") or {})]
    if missing:
        pytest.fail(f"the service's OpenAPI document lacks {missing}: a routing regression", pytrace=False)


@pytest.fixture
def serving_service(use_service):
    """The session's service, for tests of the model registry and deployments routes."""
    require_routes(use_service, "/api/v1/models", "/api/v1/deployments")
    return use_service
