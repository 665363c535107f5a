"""Shared mode signed in through a real JupyterHub.

A real hub (PyPI ``jupyterhub``, its configurable-http-proxy from server-proxy's npm dev dependencies,
the DummyAuthenticator and the SimpleLocalProcessSpawner) with users alice and bob and carol of the
admin group; the LakeTahoe service registered as the hub's service ``laketahoe`` and started with
``--jupyterhub-api-url``. Everything binds loopback and is stopped at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import REPO, child_env, missing_prerequisite, stop_process_group, write_notebook

SERVICE_ENTRY = REPO / "server-proxy" / "dist" / "main.js"
CHP = REPO / "server-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
CACHE_SECONDS = 3
ADMIN_GROUP = "laketahoe-admins"
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(check, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.3)


HUB_CONFIG = """
c = get_config()  # noqa
c.JupyterHub.bind_url = "http://127.0.0.1:{public}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{chp_api}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.db_url = "sqlite:///{tmp}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {{"alice", "bob", "carol"}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = [{python!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = ["--ServerApp.allow_root=True"]
c.Spawner.environment = {{"LAKETAHOE_URL": "http://127.0.0.1:{service}", "PYTHONPATH": {pythonpath!r},
                         "JUPYTER_CONFIG_DIR": "{tmp}/jupyter-config"}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.services = [
    {{"name": "laketahoe", "url": "http://127.0.0.1:{service}", "api_token": {service_token!r}, "display": False}},
    {{"name": "test-admin", "api_token": {admin_token!r}, "display": False}},
]
c.JupyterHub.load_groups = {{{admin_group!r}: {{"users": ["carol"]}}, "team-a": {{"users": ["alice"]}}}}
c.JupyterHub.load_roles = [
    {{"name": "user", "scopes": ["self", "access:services!service=laketahoe"]}},
    # A spawned server's own token may reach the shared service: the kernel and the proxy entry use it.
    {{"name": "server", "scopes": ["users:activity!user", "access:servers!server", "access:services!service=laketahoe"]}},
    {{"name": "admin", "services": ["test-admin"]}},
]
"""


class Hub:
    """The running hub and LakeTahoe service, and helpers to call them."""

    def __init__(self, tmp: Path, ports: dict, admin_token: str):
        self.tmp, self.ports, self.admin_token = tmp, ports, admin_token
        self.hub_api = f"http://127.0.0.1:{ports['hub']}/hub/api"
        self.public = f"http://127.0.0.1:{ports['public']}"
        self.service = f"http://127.0.0.1:{ports['service']}/api/v1"
        self.http = requests.Session()
        self.http.trust_env = False
        self.hub_proc: subprocess.Popen | None = None
        self.service_proc: subprocess.Popen | None = None

    def hub_call(self, method: str, path: str, body=None):
        r = self.http.request(method, self.hub_api + path, json=body, headers={"Authorization": f"token {self.admin_token}"}, timeout=30)
        assert r.status_code < 300, (method, path, r.status_code, r.text)
        return r.json() if r.text else None

    def new_token(self, user: str, scopes: list[str] | None = None) -> dict:
        body = {"note": "laketahoe test", "expires_in": 3600}
        if scopes is not None:
            body["scopes"] = scopes
        return self.hub_call("POST", f"/users/{user}/tokens", body)

    def call(self, method: str, path: str, token: str | None, body=None):
        headers = {"X-LakeTahoe-Request": "1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        r = self.http.request(method, self.service + path, json=body, headers=headers, timeout=60)
        return r.status_code, (r.json() if r.text.startswith(("{", "[")) else r.text)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        missing_prerequisite("jupyterhub is not installed (requirements/lock.txt)")
    if not CHP.exists():
        missing_prerequisite(f"{CHP} is missing (cd server-proxy && npm ci)")
    if not SERVICE_ENTRY.is_file():
        pytest.fail(f"{SERVICE_ENTRY} is missing: build the service first (cd server-proxy && npm run build)")
    tmp = tmp_path_factory.mktemp("hub")
    root = tmp / "root"
    root.mkdir()
    (tmp / "home").mkdir()
    ports = {name: _free_port() for name in ("public", "hub", "chp_api", "service")}
    service_token, admin_token = secrets.token_hex(24), secrets.token_hex(24)
    (tmp / "jupyterhub_config.py").write_text(HUB_CONFIG.format(
        tmp=tmp, chp=str(CHP), python=sys.executable, pythonpath=str(REPO), service_token=service_token,
        admin_token=admin_token, admin_group=ADMIN_GROUP, **ports))
    h = Hub(tmp, ports, admin_token)
    env = child_env()
    for name in ("LAKETAHOE_URL", "LAKETAHOE_TOKEN", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    hub_log = tmp / "hub.log"
    service_log = tmp / "service.log"
    with open(hub_log, "w") as hl, open(service_log, "w") as sl:
        try:
            h.hub_proc = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(tmp / "jupyterhub_config.py")],
                cwd=tmp, env=env, stdout=hl, stderr=subprocess.STDOUT, start_new_session=True)
            _wait_until(lambda: h.http.get(h.hub_api + "/", timeout=5).status_code == 200, 90, "the hub", hub_log)
            node = os.environ.get("LAKETAHOE_NODE") or shutil.which("node")
            h.service_proc = subprocess.Popen(
                [node, str(SERVICE_ENTRY), "serve", "--host", "127.0.0.1", "--port", str(ports["service"]),
                 "--root-dir", str(root), "--runtime-file", str(tmp / "rt.json"), "--python", sys.executable,
                 "--mlserver", str(tmp / "no-mlserver"), "--trust-jobs",
                 "--jupyterhub-api-url", h.hub_api, "--jupyterhub-cache-seconds", str(CACHE_SECONDS),
                 "--admin-group", ADMIN_GROUP],
                cwd=tmp, env={**env, "JUPYTERHUB_API_TOKEN": service_token, "JUPYTERHUB_SERVICE_NAME": "laketahoe"},
                stdout=sl, stderr=subprocess.STDOUT, start_new_session=True)
            _wait_until(lambda: (tmp / "rt.json").exists(), 60, "the LakeTahoe service", service_log)
            h.root = root
            yield h
        finally:
            for proc in (h.service_proc, h.hub_proc):
                if proc and proc.poll() is None:
                    stop_process_group(proc, grace=30)
    # Nothing the test started outlives it. The hub stops its proxy and the spawned server when it stops;
    # a proxy it lost track of (a hub stopped while starting) is found by its API port and stopped here.
    _stop_leftovers([str(tmp), f"--api-port {ports['chp_api']}"])


def _stop_leftovers(patterns: list[str]) -> None:
    for pattern in patterns:
        for pid in subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True).stdout.split():
            try:
                os.kill(int(pid), signal.SIGTERM)
            except ProcessLookupError:
                pass
    time.sleep(0.5)
    left = [p for pattern in patterns for p in subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True).stdout.split()]
    assert not left, f"processes still running after the test: {left}"


TRAIN = ("from sklearn.linear_model import LogisticRegression\nimport laketahoe\n"
         "X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]\n"
         "laketahoe.save_model(LogisticRegression().fit(X, y), 'clf', X, y)")


@pytest.fixture(scope="module")
def populated(hub):
    """alice, bob and carol each submit a job, register its model and deploy it, signed in with hub tokens."""
    write_notebook(hub.root / "train.ipynb", TRAIN)
    tokens = {user: hub.new_token(user, ["access:services!service=laketahoe"])["token"] for user in ("alice", "bob", "carol")}
    for user, token in tokens.items():
        status, job = hub.call("POST", "/jobs", token, {"jobId": f"{user}_train", "trainingInput": {"notebook": {"path": "train.ipynb"}}})
        assert status == 201, job
    for user, token in tokens.items():
        job = _wait_until(lambda: (lambda j: j if j["state"] in TERMINAL else None)(hub.call("GET", f"/jobs/{user}_train", token)[1]),
                          240, f"{user}'s job", hub.tmp / "service.log")
        assert job["state"] == "SUCCEEDED", job
        status, version = hub.call("POST", f"/jobs/{user}_train/models", token, {})
        assert status == 201, version
        status, dep = hub.call("POST", "/deployments", token, {"name": f"{user}-dep", "model": {"name": "clf"}})
        assert status == 201, dep
    return tokens


def _owners(items):
    return sorted(i["owner"] for i in items)


def test_each_user_sees_only_their_own_jobs_models_and_deployments(hub, populated):
    for user in ("alice", "bob"):
        token = populated[user]
        assert hub.call("GET", "/info", token)[1]["user"] == user
        assert _owners(hub.call("GET", "/jobs", token)[1]["jobs"]) == [user]
        assert _owners(hub.call("GET", "/models", token)[1]["models"]) == [user]
        assert _owners(hub.call("GET", "/deployments", token)[1]["deployments"]) == [user]
        other = "bob" if user == "alice" else "alice"
        assert hub.call("GET", f"/jobs/{other}_train", token)[0] == 404
        # Everyone has a model "clf": by name, each reads their own.
        assert hub.call("GET", "/models/clf", token)[1]["owner"] == user
        assert hub.call("GET", f"/jobs?owner={other}", token)[0] == 403
        assert hub.call("GET", "/deployments?owner=*", token)[0] == 403


def test_the_admin_group_sees_everyone(hub, populated):
    token = populated["carol"]
    everyone = ["alice", "bob", "carol"]
    assert _owners(hub.call("GET", "/jobs?owner=*", token)[1]["jobs"]) == everyone
    assert _owners(hub.call("GET", "/models?owner=*", token)[1]["models"]) == everyone
    assert _owners(hub.call("GET", "/deployments?owner=*", token)[1]["deployments"]) == everyone
    assert hub.call("GET", "/jobs/alice_train?owner=alice", token)[1]["owner"] == "alice"
    assert hub.call("GET", "/models/clf?owner=bob", token)[1]["owner"] == "bob"
    # Reading is not writing: carol cannot delete bob's deployment.
    assert hub.call("DELETE", "/deployments/bob-dep", token)[0] == 404


def test_unknown_tokens_and_tokens_without_access_to_the_service_are_401(hub, populated):
    assert hub.call("GET", "/jobs", None)[0] == 401
    assert hub.call("GET", "/jobs", "not-a-hub-token")[0] == 401
    server_only = hub.new_token("alice", ["access:servers!user=alice"])["token"]
    assert hub.call("GET", "/jobs", server_only)[0] == 401


def test_a_spawned_server_reaches_the_shared_service_with_its_own_hub_token(hub, populated):
    # The browser's path: Jupyter Server's proxy entry forwards to the shared service (no personal one).
    hub.hub_call("POST", "/users/alice/server")
    browser = requests.Session()
    browser.trust_env = False
    alice = hub.new_token("alice")["token"]
    browser.headers["Authorization"] = f"token {alice}"
    url = f"{hub.public}/user/alice/laketahoe/api/v1/jobs"
    jobs = _wait_until(lambda: (lambda r: r.json() if r.status_code == 200 else None)(browser.get(url, timeout=60)),
                       150, "alice's server and its LakeTahoe proxy", hub.tmp / "hub.log")
    assert _owners(jobs["jobs"]) == ["alice"]
    assert not list((hub.tmp / "home" / "alice").rglob("laketahoe.db")), "a personal service was started"
    # Event streams pass through as they come: a finished job's log stream ends with its `end` event.
    with browser.get(f"{hub.public}/user/alice/laketahoe/api/v1/jobs/alice_train/logs/stream", stream=True, timeout=60) as r:
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
        events = [line for line in r.iter_lines(decode_unicode=True) if line.startswith("event:")]
    assert events[-1] == "event: end" and "event: log" in events
    # The kernel's path: the client finds the service from LAKETAHOE_URL and the server's hub token.
    kernel_env = child_env(LAKETAHOE_URL=f"http://127.0.0.1:{hub.ports['service']}", JUPYTERHUB_API_TOKEN=populated["bob"])
    kernel_env.pop("LAKETAHOE_TOKEN", None)
    out = subprocess.run([sys.executable, "-c", "import json, laketahoe.client as c; "
                          "print(json.dumps([j['owner'] for j in c.Client.from_environment().list_jobs()]))"],
                         env=kernel_env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["bob"]
    hub.hub_call("DELETE", "/users/alice/server")


def test_a_revoked_hub_token_stops_working_within_the_cache_time(hub, populated):
    model = hub.new_token("bob", ["access:services!service=laketahoe"])
    assert hub.call("GET", "/jobs", model["token"])[0] == 200
    hub.hub_call("DELETE", f"/users/bob/tokens/{model['id']}")
    revoked = time.monotonic()
    _wait_until(lambda: hub.call("GET", "/jobs", model["token"])[0] == 401, CACHE_SECONDS + 5, "the revocation to take effect")
    assert time.monotonic() - revoked <= CACHE_SECONDS + 1.5


def test_the_hub_down_answers_503_not_401(hub, populated):
    fresh = hub.new_token("alice", ["access:services!service=laketahoe"])["token"]
    stop_process_group(hub.hub_proc, grace=30)
    status, body = hub.call("GET", "/jobs", fresh)
    assert status == 503, body
    assert "JupyterHub" in body["error"]["message"]
