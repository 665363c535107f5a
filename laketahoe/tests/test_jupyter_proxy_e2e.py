"""The service behind a real Jupyter Server and jupyter-server-proxy, as a browser reaches it.

jupyter-server-proxy skips Jupyter's XSRF check and adds the service's token to whatever arrives with
the Jupyter cookie, so another site could make a user's browser send requests that change things. These
tests play that site: a logged-in cookie session sends what a cross-site form or no-cors fetch can send,
and the service must refuse it; what JupyterLab itself sends must still work. They also read a job's
HTML report through the proxy, which must come sandboxed.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import REPO, child_env, stop_process_group, write_notebook

pytestmark = pytest.mark.skipif(not (REPO / "server-proxy" / "dist" / "main.js").is_file(),
                                reason="server-proxy is not built")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """A Jupyter Server on a free port; yields (base URL, cookie session, root folder)."""
    tmp = tmp_path_factory.mktemp("jupyter")
    root = tmp / "root"
    root.mkdir()
    token = secrets.token_hex(16)
    port = _free_port()
    env = child_env(JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(tmp / "config"),
                    JUPYTER_DATA_DIR=str(tmp / "data"))
    env.pop("LAKETAHOE_URL", None)
    env.pop("LAKETAHOE_TOKEN", None)
    log = open(tmp / "jupyter.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.trust_env = False
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # The token in the URL logs the session in: from here on only the cookie authenticates.
                if session.get(f"{base}/api/status", params={"token": token}, timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise AssertionError("Jupyter Server did not start:\n" + (tmp / "jupyter.log").read_text()[-3000:])
            time.sleep(0.3)
        assert session.cookies, "no login cookie was set"
        # The first request through the proxy starts the service.
        deadline = time.monotonic() + 90
        while session.get(f"{base}/laketahoe/api/v1/info", timeout=60).status_code != 200:
            if time.monotonic() > deadline:
                raise AssertionError("the service did not start:\n" + (tmp / "jupyter.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base, session, root
    finally:
        stop_process_group(proc)
        log.close()


# What a page of JupyterLab itself sends: same origin, JSON.
SAME_ORIGIN = {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}


def _state(session, base, job_id):
    return session.get(f"{base}/laketahoe/api/v1/jobs/{job_id}", timeout=30).json()["state"]


def _wait(session, base, job_id, states, timeout=120):
    deadline = time.monotonic() + timeout
    while (state := _state(session, base, job_id)) not in states:
        assert time.monotonic() < deadline, f"{job_id} stayed {state}"
        time.sleep(0.5)
    return state


def test_cross_site_requests_through_the_proxy_change_nothing(jupyter):
    base, session, root = jupyter
    write_notebook(root / "sleep.ipynb", "import time\ntime.sleep(600)")
    origin = base
    submitted = session.post(f"{base}/laketahoe/api/v1/jobs", headers={**SAME_ORIGIN, "Origin": origin},
                             json={"jobId": "victim", "trainingInput": {"notebook": {"path": "sleep.ipynb"}}},
                             timeout=30)
    assert submitted.status_code == 201, submitted.text
    cancel = f"{base}/laketahoe/api/v1/jobs/victim/cancel"
    attacks = [
        # A cross-site HTML form / no-cors fetch: a simple content type, the browser's fetch metadata.
        {"Content-Type": "text/plain", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        # The same from a browser that sends no fetch metadata and no Origin.
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        # Another local server (another port) is the same site, not the same origin.
        {"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"},
        # A foreign Origin, whatever the type.
        {"Content-Type": "application/json", "Origin": "http://evil.example"},
        {"Content-Type": "application/json", "Origin": "null"},
    ]
    for headers in attacks:
        r = session.post(cancel, headers=headers, data='{"x": 1}', timeout=30)
        assert r.status_code == 403, (headers, r.status_code, r.text)
        assert r.json()["error"]["code"] == "permission_denied"
    # Nor may a foreign page submit a job or delete anything.
    r = session.post(f"{base}/laketahoe/api/v1/jobs", headers={"Content-Type": "text/plain"},
                     data='{"trainingInput": {"notebook": {"path": "sleep.ipynb"}}}', timeout=30)
    assert r.status_code == 403
    assert session.delete(f"{base}/laketahoe/api/v1/deployments/x", timeout=30).status_code == 403
    assert _state(session, base, "victim") in ("QUEUED", "PREPARING", "RUNNING")
    # JupyterLab's own request (same origin, JSON, no body) still cancels.
    r = session.post(cancel, headers={**SAME_ORIGIN, "Origin": origin}, timeout=30)
    assert r.status_code == 200, r.text
    _wait(session, base, "victim", ("CANCELLED",))


def test_the_html_report_is_served_sandboxed_through_the_proxy(jupyter):
    base, session, root = jupyter
    write_notebook(root / "xss.ipynb",
                   "from IPython.display import HTML, display\n"
                   "display(HTML('<script>fetch(\"/api/contents\")</script>'))")
    r = session.post(f"{base}/laketahoe/api/v1/jobs", headers=SAME_ORIGIN,
                     json={"jobId": "report", "trainingInput": {"notebook": {"path": "xss.ipynb"}}}, timeout=30)
    assert r.status_code == 201, r.text
    assert _wait(session, base, "report", ("SUCCEEDED", "FAILED")) == "SUCCEEDED"
    page = session.get(f"{base}/laketahoe/api/v1/jobs/report/outputs/output.html", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    csp = [d.strip() for d in page.headers["Content-Security-Policy"].split(";")]
    # An opaque origin: the report's scripts cannot reach Jupyter's cookie or APIs.
    assert any(d.startswith("sandbox") and "allow-same-origin" not in d for d in csp)
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    notebook = session.get(f"{base}/laketahoe/api/v1/jobs/report/outputs/output.ipynb", timeout=30)
    assert notebook.headers["X-Content-Type-Options"] == "nosniff"
    # The extension's "Open HTML Report" opens the report through Jupyter's own files route: sandboxed too.
    rel = session.get(f"{base}/laketahoe/api/v1/jobs/report", timeout=30).json()["trainingOutput"]["outputHtml"]
    assert os.path.isfile(root / rel)
    # Jupyter wants a same-origin Referer on /files (a new tab opened from JupyterLab sends one).
    page = session.get(f"{base}/files/{rel}", headers={"Referer": f"{base}/lab"}, timeout=30)
    assert page.status_code == 200
    assert any(d.strip().startswith("sandbox") and "allow-same-origin" not in d
               for d in page.headers["Content-Security-Policy"].split(";"))


def test_requests_wait_for_a_restarted_service_instead_of_failing(jupyter, tmp_path_factory):
    """The service killed under Jupyter: requests made before its successor listens are answered by it."""
    import concurrent.futures
    import json
    import signal as signals

    base, session, _root = jupyter
    runtime = next(Path(tmp_path_factory.getbasetemp()).glob("jupyter*/runtime/laketahoe-proxy.json"))
    first = json.loads(runtime.read_text())["pid"]
    os.kill(first, signals.SIGKILL)
    # Several requests at once, sent right after the crash (the restart takes a second or more).
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: session.get(f"{base}/laketahoe/api/v1/info", timeout=90), range(4)))
    assert [a.status_code for a in answers] == [200] * 4, [a.text[:200] for a in answers]
    assert json.loads(runtime.read_text())["pid"] != first
    # The successor serves the following requests too.
    assert session.get(f"{base}/laketahoe/api/v1/jobs", timeout=30).status_code == 200
