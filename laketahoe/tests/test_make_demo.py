"""`make demo` as the README gives it: it starts, serves the extension and the service through the proxy, stops.

Run with ``-o setup`` (the set-up is what ``make test`` has just done) on a free port, with its
runtime and data folders in a temporary folder, so it never meets a JupyterLab a developer runs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from .conftest import REPO, child_env, stop_process_group

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect (Jupyter's answer to a wrong token is one to its login page) instead of following it."""

    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, token: str, timeout: float = 10) -> tuple[int, bytes]:
    """GET with Jupyter's token, redirects not followed; never through an HTTP proxy (loopback)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with opener.open(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def wait_for(what: str, check, proc: subprocess.Popen, log, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (make exited: {proc.poll()}); log:\n"
                                 f"{log.read_text()[-4000:]}")
        time.sleep(0.5)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_demo_starts_serves_the_extension_and_the_service_and_stops(tmp_path):
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed: the README's `make demo` needs it")
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    runtime_file = tmp_path / "laketahoe-proxy.json"
    env = child_env(
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
        LAKETAHOE_RUNTIME_FILE=str(runtime_file),
        LAKETAHOE_DATA_DIR=str(tmp_path / "data"),
        LAKETAHOE_JOBS_DIR=str(tmp_path / "jobs"),
    )
    for name in ("LAKETAHOE_URL", "LAKETAHOE_TOKEN", "LAKETAHOE_ROOT_DIR", "LAKETAHOE_PORT"):
        env.pop(name, None)
    log_path = tmp_path / "demo.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [make, "--no-print-directory", "-o", "setup", "demo",
             f"LAB_ARGS=--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.port_retries=0 "
             f"--IdentityProvider.token={token}"],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    service_pid = None
    try:
        wait_for("JupyterLab answering", lambda: get(f"{base}/api/status", token)[0] == 200, proc, log_path)

        # The extension: listed in the page's federated extensions, and its entry point is served.
        status, page = get(f"{base}/lab/tree/demo.ipynb", token)
        assert status == 200
        config = json.loads(re.search(rb'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))
        (extension,) = [e for e in config["federated_extensions"] if e["name"] == "laketahoe"]
        status, entry = get(f"{base}/lab/extensions/laketahoe/{extension['load']}", token)
        assert status == 200 and b"laketahoe" in entry

        # The service, started by jupyter-server-proxy on the first request and reached through it.
        def info():
            status, body = get(f"{base}/laketahoe/api/v1/info", token, timeout=40)
            return json.loads(body) if status == 200 else None
        answer = wait_for("the service through the proxy", info, proc, log_path, timeout=90)
        assert answer["rootDir"] == str(REPO / "examples")
        assert answer["backend"] == "local"
        status, _ = get(f"{base}/laketahoe/api/v1/jobs", token)
        assert status == 200
        # Without Jupyter's token the proxy path sends to the login page, never to the service.
        assert get(f"{base}/laketahoe/api/v1/info", "wrong-token")[0] == 302
        service_pid = json.loads(runtime_file.read_text())["pid"]
        assert alive(service_pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stop_process_group(proc, grace=5)
            raise AssertionError(f"make demo did not stop on SIGTERM; log:\n{log_path.read_text()[-4000:]}")
    assert service_pid is not None
    deadline = time.monotonic() + 15
    while alive(service_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(service_pid), "the service outlived make demo"
    assert get(f"{base}/api/status", token)[0] == 0
