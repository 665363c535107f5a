"""Client plumbing against a small stub HTTP server (the real service is covered in test_e2e)."""

from __future__ import annotations

import json
import os
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from laketahoe import client as lt


class _Handler(BaseHTTPRequestHandler):
    """Answers from ``server.routes``: {(method, path): (status, body or callable)}."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def _handle(self, method):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.requests.append({"method": method, "path": url.path, "query": parse_qs(url.query),
                                     "auth": self.headers.get("Authorization"), "body": body})
        status, answer = self.server.routes.get((method, url.path), (404, error_body("not_found", "no route")))
        if callable(answer):
            answer = answer(parse_qs(url.query))
        if isinstance(answer, bytes):
            data, ctype = answer, "text/event-stream"
        else:
            data, ctype = json.dumps(answer).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")


def error_body(code: str, message: str, field: str | None = None) -> dict:
    """An error answer in the one shape the service uses, ``{"error": {"code", "message", "field"?}}``
    (docs/contracts.md; ``Error`` in server-proxy/openapi.json), so test doubles cannot drift from it."""
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


class _Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True


@pytest.fixture
def stub():
    server = _Server(("127.0.0.1", 0), _Handler)
    server.routes, server.requests = {}, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def test_discovery_prefers_env_url(monkeypatch, tmp_path):
    env = {"LAKETAHOE_URL": "http://127.0.0.1:9/", "LAKETAHOE_TOKEN": "t", "LAKETAHOE_RUNTIME_FILE": str(tmp_path / "x")}
    loc = lt.find_service(env)
    assert (loc.url, loc.token, loc.root_dir) == ("http://127.0.0.1:9", "t", None)
    with pytest.raises(lt.ServiceNotFound, match="LAKETAHOE_TOKEN"):
        lt.find_service({"LAKETAHOE_URL": "http://x"})


def test_discovery_reads_runtime_file(tmp_path):
    rt = tmp_path / "rt.json"
    rt.write_text(json.dumps({"url": "http://127.0.0.1:41234", "socket": None, "token": "abc", "pid": 1,
                              "rootDir": str(tmp_path), "user": "me"}))
    loc = lt.find_service({"LAKETAHOE_RUNTIME_FILE": str(rt)})
    assert (loc.url, loc.token, loc.root_dir, loc.socket) == ("http://127.0.0.1:41234", "abc", str(tmp_path), None)
    client = lt.Client.from_environment({"LAKETAHOE_RUNTIME_FILE": str(rt)})
    assert client.root_dir == str(tmp_path)


def test_discovery_default_path_is_jupyter_runtime_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    assert lt.runtime_file_path({}) == str(tmp_path / "laketahoe-proxy.json")
    with pytest.raises(lt.ServiceNotFound, match="open JupyterLab or run `laketahoe-proxy serve`"):
        lt.find_service({})
    (tmp_path / "laketahoe-proxy.json").write_text("{}")
    with pytest.raises(lt.ServiceNotFound, match="no url/socket and token"):
        lt.find_service({})


def test_root_relative_paths(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    assert lt.root_relative("a.ipynb", str(root), cwd=str(root / "sub")) == "sub/a.ipynb"
    assert lt.root_relative("../b.ipynb", str(root), cwd=str(root / "sub")) == "b.ipynb"
    assert lt.root_relative(str(root / "sub" / "c.ipynb"), str(root)) == "sub/c.ipynb"
    with pytest.raises(lt.PathOutsideRoot, match="outside the LakeTahoe root directory"):
        lt.root_relative("../../x.ipynb", str(root), cwd=str(root / "sub"))
    # A sibling folder sharing the prefix is still outside.
    with pytest.raises(lt.PathOutsideRoot):
        lt.root_relative(str(tmp_path / "root2" / "x.ipynb"), str(root))


def test_requests_carry_token_and_body(stub):
    job = {"jobId": "j1", "state": "QUEUED"}
    stub.routes[("POST", "/api/v1/jobs")] = (201, job)
    stub.routes[("GET", "/api/v1/jobs")] = (200, lambda q: {"jobs": [job]} if "pageToken" in q else {"jobs": [job], "nextPageToken": "p2"})
    stub.routes[("GET", "/api/v1/info")] = (200, {"rootDir": "/srv/root", "user": "me"})
    c = lt.Client(url=stub.url, token="sekret")
    assert c.submit_job("j1", {"scaleTier": "BASIC"}, labels={"team": "a"}) == job
    assert stub.requests[-1]["auth"] == "Bearer sekret"
    assert stub.requests[-1]["body"] == {"jobId": "j1", "trainingInput": {"scaleTier": "BASIC"}, "labels": {"team": "a"}}
    assert c.list_jobs(state="RUNNING") == [job, job]
    assert stub.requests[-1]["query"] == {"state": ["RUNNING"], "pageToken": ["p2"]}
    assert c.root_dir == "/srv/root"


def test_error_mapping(stub):
    stub.routes[("POST", "/api/v1/jobs")] = (400, error_body("invalid_argument", "bad tier", "trainingInput.scaleTier"))
    stub.routes[("POST", "/api/v1/jobs/j1/cancel")] = (400, error_body("failed_precondition", "job already ended"))
    stub.routes[("GET", "/api/v1/jobs/j2")] = (409, error_body("already_exists", "dup"))
    stub.routes[("GET", "/api/v1/jobs/j3")] = (500, {"oops": 1})
    c = lt.Client(url=stub.url, token="t")
    with pytest.raises(lt.InvalidArgument) as info:
        c.submit_job(None, {"scaleTier": "HUGE"})
    assert (info.value.status, info.value.code, info.value.field) == (400, "invalid_argument", "trainingInput.scaleTier")
    assert str(info.value) == "bad tier (field: trainingInput.scaleTier)"
    with pytest.raises(lt.FailedPrecondition, match="already ended"):
        c.cancel_job("j1")
    with pytest.raises(lt.NotFound, match="no route"):
        c.get_job("nope")
    with pytest.raises(lt.AlreadyExists):
        c.get_job("j2")
    with pytest.raises(lt.ApiError, match="HTTP 500"):
        c.get_job("j3")


def test_unreachable_service():
    c = lt.Client(url="http://127.0.0.1:9", token="t", timeout=2)
    with pytest.raises(lt.ServiceUnavailable, match="cannot reach"):
        c.info()


def test_sse_parser_handles_split_chunks():
    raw = (b": ping\n\nevent: log\ndata: {\"seq\": 1, \"text\": \"a\"}\n\n"
           b"event: log\r\ndata: {\"seq\": 2,\r\ndata:  \"text\": \"b\"}\r\n\r\nevent: end\ndata: {\"state\": \"SUCCEEDED\"}\n\n")
    chunks = [raw[i:i + 7] for i in range(0, len(raw), 7)]
    events = list(lt.parse_sse(iter(chunks)))
    assert [(e.event, e.data) for e in events] == [
        ("log", {"seq": 1, "text": "a"}), ("log", {"seq": 2, "text": "b"}), ("end", {"state": "SUCCEEDED"})]


def test_stream_logs_ends_with_job(stub):
    body = (b"event: log\ndata: " + json.dumps({"seq": 3, "stream": "stdout", "text": "hi"}).encode() + b"\n\n"
            b"event: end\ndata: " + json.dumps({"jobId": "j", "state": "SUCCEEDED"}).encode() + b"\n\n")
    stub.routes[("GET", "/api/v1/jobs/j/logs/stream")] = (200, body)
    events = list(lt.Client(url=stub.url, token="t").stream_logs("j", after=2))
    assert [e.event for e in events] == ["log", "end"]
    assert events[1].data["state"] == "SUCCEEDED"
    assert stub.requests[-1]["query"] == {"after": ["2"]}


def test_unix_socket_transport(tmp_path):
    class UnixServer(socketserver.ThreadingUnixStreamServer):
        daemon_threads = True
        routes = {("GET", "/api/v1/jobs/a"): (200, {"jobId": "a"})}
        requests: list = []

    class Handler(_Handler):
        def address_string(self):
            return "unix"

    path = str(tmp_path / "s.sock")
    server = UnixServer(path, Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        rt = tmp_path / "rt.json"
        rt.write_text(json.dumps({"url": None, "socket": path, "token": "tok", "rootDir": str(tmp_path)}))
        c = lt.Client.from_environment({"LAKETAHOE_RUNTIME_FILE": str(rt)})
        assert c.get_job("a") == {"jobId": "a"}
        assert server.requests[-1]["auth"] == "Bearer tok"
        with pytest.raises(lt.NotFound):
            c.get_job("b")
    finally:
        server.shutdown()
        server.server_close()
        os.unlink(path)


# --------------------------------------------------------------------------
# Models, deployments, predictions

SIGNATURE = {"inputs": [{"name": "a", "datatype": "FP64", "shape": [-1], "features": [{"name": "a", "kind": "numeric"}]},
                        {"name": "b", "datatype": "BYTES", "shape": [-1],
                         "features": [{"name": "b", "kind": "categorical"}]}],
             "outputs": [{"name": "predict", "datatype": "INT64", "shape": [-1]}]}
DEPLOYMENT = {"name": "shop", "state": "READY", "model": {"name": "shop-model", "version": 3}}


def test_serving_routes_paths_and_bodies(stub):
    stub.routes[("GET", "/api/v1/models")] = (200, {"models": [{"name": "m"}]})
    stub.routes[("POST", "/api/v1/models")] = (201, {"name": "m", "version": 1})
    stub.routes[("POST", "/api/v1/jobs/j1/models")] = (201, {"name": "m", "version": 2})
    stub.routes[("GET", "/api/v1/models/m/versions/2")] = (200, {"name": "m", "version": 2})
    stub.routes[("POST", "/api/v1/deployments")] = (201, {"name": "d", "state": "DEPLOYING"})
    stub.routes[("PATCH", "/api/v1/deployments/d")] = (200, {"name": "d", "state": "UPDATING"})
    stub.routes[("DELETE", "/api/v1/deployments/d")] = (200, {"name": "d", "state": "DELETING"})
    stub.routes[("GET", "/api/v1/deployments/d/monitoring")] = (200, {"deployment": "d"})
    stub.routes[("GET", "/api/v1/deployments/d/alerts")] = (200, {"alerts": [{"rule": "drift"}]})
    c = lt.Client(url=stub.url, token="t")
    assert c.list_models() == [{"name": "m"}]
    c.register_model("work/models/m", name="m")
    assert stub.requests[-1]["body"] == {"path": "work/models/m", "name": "m"}
    c.register_job_model("j1", trial_id=4)
    assert stub.requests[-1]["body"] == {"trialId": "4"}
    assert c.get_model_version("m", 2)["version"] == 2
    c.create_deployment("d", model={"name": "m"}, replicas=2)
    assert stub.requests[-1]["body"] == {"name": "d", "model": {"name": "m"}, "replicas": 2}
    c.create_deployment("d", source={"jobId": "j1", "trialId": "4"})
    assert stub.requests[-1]["body"] == {"name": "d", "source": {"jobId": "j1", "trialId": "4"}}
    assert c.update_deployment("d", model={"name": "m", "version": 2})["state"] == "UPDATING"
    assert stub.requests[-1]["method"] == "PATCH" and stub.requests[-1]["path"] == "/api/v1/deployments/d"
    assert stub.requests[-1]["body"] == {"model": {"name": "m", "version": 2}}
    c.update_deployment("d", monitoring={"drift": {"threshold": 0.3}})
    assert stub.requests[-1]["body"] == {"monitoring": {"drift": {"threshold": 0.3}}}
    assert c.delete_deployment("d")["state"] == "DELETING"
    assert stub.requests[-1]["method"] == "DELETE" and stub.requests[-1]["path"] == "/api/v1/deployments/d"
    # A DELETE carries no body at all (not even "{}"), as the service's route expects.
    assert stub.requests[-1]["body"] is None
    c.monitoring("d", since="2026-11-29T00:00:00Z", step=60)
    assert stub.requests[-1]["query"] == {"since": ["2026-11-29T00:00:00Z"], "step": ["60"]}
    assert c.alerts("d") == [{"rule": "drift"}]


def test_model_server_errors_and_503(stub):
    # The service relays a model server's refusal in its own error shape, never the server's raw body.
    stub.routes[("POST", "/api/v1/deployments/d/v2/models/m/infer")] = (
        400, error_body("invalid_argument", "the model server refused the request: Unknown input 'x'", "inputs[0].name"))
    stub.routes[("GET", "/api/v1/deployments/d")] = (503, error_body("unavailable", "not ready"))
    c = lt.Client(url=stub.url, token="t")
    with pytest.raises(lt.InvalidArgument, match="Unknown input 'x'") as refused:
        c.infer("d", "m", {"inputs": []})
    assert refused.value.code == "invalid_argument" and refused.value.field == "inputs[0].name"
    with pytest.raises(lt.Unavailable, match="not ready"):
        c.get_deployment("d")


def test_predict_builds_the_request_from_the_signature(stub):
    import numpy as np
    import pandas as pd

    from laketahoe import serving

    stub.routes[("GET", "/api/v1/deployments/shop")] = (200, DEPLOYMENT)
    stub.routes[("GET", "/api/v1/models/shop-model/versions/3")] = (200, {"signature": SIGNATURE})
    stub.routes[("POST", "/api/v1/deployments/shop/v2/models/shop-model/infer")] = (
        200, {"outputs": [{"name": "predict", "datatype": "INT64", "shape": [2, 1], "data": [7, 8]}]})
    c = lt.Client(url=stub.url, token="t")
    frame = pd.DataFrame({"b": ["x", "y"], "a": [1, 2]}, index=["r1", "r2"])
    result = serving.predict("shop", frame, client=c)
    assert isinstance(result, pd.Series) and result.index.tolist() == ["r1", "r2"] and result.tolist() == [7, 8]
    assert stub.requests[-1]["body"] == {
        "inputs": [{"name": "a", "datatype": "FP64", "shape": [2], "data": [1.0, 2.0]},
                   {"name": "b", "datatype": "BYTES", "shape": [2], "data": ["x", "y"],
                    "parameters": {"content_type": "str"}}],
        "parameters": {"content_type": "pd"}}
    array = serving.predict("shop", [[1, "x"], [2, "y"]], client=c)
    assert isinstance(array, np.ndarray) and array.tolist() == [7, 8]
    # The version's signature was fetched once; the deployment is read on every call (its version may change).
    paths = [r["path"] for r in stub.requests]
    assert paths.count("/api/v1/models/shop-model/versions/3") == 1
    assert paths.count("/api/v1/deployments/shop") == 2
    with pytest.raises(lt.LakeTahoeError, match="predict: data has no column 'a'"):
        serving.predict("shop", pd.DataFrame({"b": ["x"]}), client=c)


def test_deploy_waits_for_ready_and_reports_failure(stub):
    from laketahoe import serving

    states = iter(["DEPLOYING", "DEPLOYING", "READY"])
    stub.routes[("POST", "/api/v1/deployments")] = (201, {"name": "iris", "state": "DEPLOYING"})
    stub.routes[("GET", "/api/v1/deployments/iris")] = (200, lambda q: {"name": "iris", "state": next(states)})
    c = lt.Client(url=stub.url, token="t")
    deployed = serving.deploy("iris:2", client=c)
    assert deployed["state"] == "READY"
    create = next(r for r in stub.requests if r["method"] == "POST")
    assert create["body"] == {"name": "iris", "model": {"name": "iris", "version": 2}}

    stub.routes[("GET", "/api/v1/deployments/bad")] = (200, {"name": "bad", "state": "FAILED",
                                                             "errorMessage": "ModuleNotFoundError: xgboost"})
    stub.routes[("POST", "/api/v1/deployments")] = (201, {"name": "bad", "state": "DEPLOYING"})
    with pytest.raises(serving.DeploymentFailed, match="deployment bad failed: ModuleNotFoundError: xgboost"):
        serving.deploy("iris", name="bad", client=c)
    not_waiting = serving.deploy(job_id="train_1", trial_id=3, name="bad", wait=False, client=c)
    assert not_waiting["state"] == "DEPLOYING"
    assert stub.requests[-1]["body"] == {"name": "bad", "source": {"jobId": "train_1", "trialId": "3"}}
    with pytest.raises(lt.LakeTahoeError, match="not both"):
        serving.deploy("iris", job_id="train_1", name="x", client=c)
    with pytest.raises(lt.LakeTahoeError, match="version 2 but version=3"):
        serving.deploy("iris:2", version=3, client=c)


def test_metrics_follow_every_page_and_pass_max_points(stub):
    first = {"metrics": [{"step": 1, "name": "loss", "value": 0.5, "time": "t"}], "nextPageToken": "p2"}
    second = {"metrics": [{"step": 2, "name": "loss", "value": 0.4, "time": "t"}]}
    stub.routes[("GET", "/api/v1/jobs/j1/metrics")] = (200, lambda q: second if q.get("pageToken") == ["p2"] else first)
    c = lt.Client(url=stub.url, token="t")
    assert [m["step"] for m in c.metrics("j1", max_points=500)] == [1, 2]
    assert [r["query"] for r in stub.requests] == [{"maxPoints": ["500"]}, {"maxPoints": ["500"], "pageToken": ["p2"]}]


class _ProxyHandler(BaseHTTPRequestHandler):
    """A forward proxy that only records what it was asked (absolute URLs, CONNECT) and refuses it."""

    def log_message(self, *args):
        pass

    def _record(self):
        self.server.seen.append({"method": self.command, "target": self.path,
                                 "auth": self.headers.get("Authorization")})
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_CONNECT = _record


@pytest.fixture
def proxy(monkeypatch):
    server = _Server(("127.0.0.1", 0), _ProxyHandler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{server.server_address[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, address)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield server
    server.shutdown()
    server.server_close()


def test_loopback_service_is_never_reached_through_a_proxy(stub, proxy):
    stub.routes[("GET", "/api/v1/jobs/j1")] = (200, {"jobId": "j1"})
    for host in ("127.0.0.1", "localhost"):
        url = stub.url.replace("127.0.0.1", host)
        assert lt.Client(url=url, token="sekret").get_job("j1") == {"jobId": "j1"}
    assert stub.requests[-1]["auth"] == "Bearer sekret"
    assert proxy.seen == []


def test_the_token_never_reaches_a_proxy(proxy):
    # Plain HTTP elsewhere: a proxy would read the header, so the client goes direct (and fails here).
    with pytest.raises(lt.ServiceUnavailable):
        lt.Client(url="http://laketahoe.invalid:8080", token="sekret", timeout=5).get_job("j1")
    # HTTPS elsewhere may use the proxy, but only as a CONNECT tunnel: the token is inside TLS.
    with pytest.raises(lt.ServiceUnavailable):
        lt.Client(url="https://laketahoe.invalid", token="sekret", timeout=5).get_job("j1")
    assert [s["method"] for s in proxy.seen] in ([], ["CONNECT"])
    assert all(s["auth"] is None and "sekret" not in s["target"] for s in proxy.seen)
    assert not any(s["method"] != "CONNECT" for s in proxy.seen)


def test_netrc_credentials_do_not_replace_the_token(stub, monkeypatch, tmp_path):
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login someone password other\n")
    (tmp_path / ".netrc").chmod(0o600)
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    stub.routes[("GET", "/api/v1/jobs/j1")] = (200, {"jobId": "j1"})
    lt.Client(url=stub.url, token="sekret").get_job("j1")
    assert stub.requests[-1]["auth"] == "Bearer sekret"


def test_discovery_inside_a_hub_spawned_server_uses_its_hub_token(tmp_path):
    env = {"LAKETAHOE_URL": "http://shared:8000", "JUPYTERHUB_API_TOKEN": "hub-t", "LAKETAHOE_RUNTIME_FILE": str(tmp_path / "x")}
    loc = lt.find_service(env)
    assert (loc.url, loc.token) == ("http://shared:8000", "hub-t")
    assert lt.find_service({**env, "LAKETAHOE_TOKEN": "own"}).token == "own"


def test_the_proxy_entry_forwards_to_a_shared_service_instead_of_starting_one(monkeypatch):
    from laketahoe import proxy

    monkeypatch.setenv("LAKETAHOE_URL", "http://shared:8000")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-t")
    monkeypatch.delenv("LAKETAHOE_TOKEN", raising=False)
    config = proxy.setup_laketahoe()
    assert config["command"][1:3] == ["-m", "laketahoe.forward"]
    # The token stays in the forwarder's environment: nothing in the configuration carries it.
    assert "hub-t" not in json.dumps(config)
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN")
    assert proxy.shared_service() is None
