"""Plain Python client of the LakeTahoe service's REST API (``/api/v1``).

Magics and the CLI are thin layers over this module. It finds the service the
way a kernel finds its connection file: ``LAKETAHOE_URL`` + ``LAKETAHOE_TOKEN``
when set (inside a JupyterHub-spawned server the server's own hub token,
``JUPYTERHUB_API_TOKEN``, when no ``LAKETAHOE_TOKEN`` is set), else the runtime file the service writes when it starts
(``LAKETAHOE_RUNTIME_FILE`` or ``<jupyter runtime dir>/laketahoe-proxy.json``).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import urllib.parse
from dataclasses import dataclass
from typing import Any, Iterator

import requests

RUNTIME_FILE_NAME = "laketahoe-proxy.json"
NOT_FOUND_HINT = "LakeTahoe service not found: open JupyterLab or run `laketahoe-proxy serve`"

TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


# --------------------------------------------------------------------------
# Errors


class LakeTahoeError(Exception):
    """Base of every error this package raises on purpose; ``str()`` is user-ready."""


class ServiceNotFound(LakeTahoeError):
    """No service address is configured (no runtime file, no LAKETAHOE_URL)."""


class ServiceUnavailable(LakeTahoeError):
    """An address is configured but nothing answers there."""


class PathOutsideRoot(LakeTahoeError):
    """A local path is not under the service's root directory."""


class ApiError(LakeTahoeError):
    """The service answered with ``{"error": {code, message, field?}}``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.message} (field: {self.field})" if self.field else self.message


class InvalidArgument(ApiError):
    """400: the request is invalid."""


class FailedPrecondition(InvalidArgument):
    """400 ``failed_precondition``: e.g. cancelling a job that already ended."""


class Unauthenticated(ApiError):
    """401: missing or wrong token."""


class NotFound(ApiError):
    """404: unknown job, model or deployment (or another user's), missing notebook or package."""


class AlreadyExists(ApiError):
    """409: a job or deployment with this name exists."""


class TooLarge(ApiError):
    """413: notebook, folder snapshot or inference request over the service's limit."""


class Unavailable(ApiError):
    """503: e.g. no model server of the deployment is ready."""


_BY_STATUS = {400: InvalidArgument, 401: Unauthenticated, 404: NotFound, 409: AlreadyExists, 413: TooLarge,
              503: Unavailable}


def error_from_response(status: int, body: bytes) -> ApiError:
    """Build the typed error for a non-2xx answer."""
    code, message, field = "", "", None
    try:
        err = json.loads(body.decode("utf-8"))["error"]
        if isinstance(err, str):
            # A model server's own error shape, passed through by the service: {"error": "reason"}.
            err = {"message": err}
        code = str(err.get("code", ""))
        message = str(err.get("message", ""))
        field = err.get("field") or None
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        text = body.decode("utf-8", errors="replace").strip()
        message = f"HTTP {status}" + (f": {text[:200]}" if text else "")
    if not message:
        message = f"HTTP {status}"
    cls = _BY_STATUS.get(status, ApiError)
    if status == 400 and code == "failed_precondition":
        cls = FailedPrecondition
    return cls(status, code, message, field)


# --------------------------------------------------------------------------
# Discovery


@dataclass
class ServiceLocation:
    """Where the service listens and how to authenticate."""

    url: str | None
    token: str
    socket: str | None = None
    root_dir: str | None = None
    source: str = ""


def runtime_file_path(env: dict | None = None) -> str:
    """Path of the runtime file clients read (``LAKETAHOE_RUNTIME_FILE`` overrides)."""
    env = os.environ if env is None else env
    if env.get("LAKETAHOE_RUNTIME_FILE"):
        return env["LAKETAHOE_RUNTIME_FILE"]
    from jupyter_core.paths import jupyter_runtime_dir

    return os.path.join(jupyter_runtime_dir(), RUNTIME_FILE_NAME)


def find_service(env: dict | None = None) -> ServiceLocation:
    """Locate the service from the environment or the runtime file."""
    env = os.environ if env is None else env
    url = env.get("LAKETAHOE_URL")
    if url:
        token = env.get("LAKETAHOE_TOKEN") or env.get("JUPYTERHUB_API_TOKEN")
        if not token:
            raise ServiceNotFound(
                "LAKETAHOE_URL is set but LAKETAHOE_TOKEN is not (nor JUPYTERHUB_API_TOKEN, as in a hub-spawned server)"
            )
        source = "LAKETAHOE_URL" if env.get("LAKETAHOE_TOKEN") else "LAKETAHOE_URL + JUPYTERHUB_API_TOKEN"
        return ServiceLocation(url=url.rstrip("/"), token=token, source=source)

    path = runtime_file_path(env)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise ServiceNotFound(NOT_FOUND_HINT) from None
    except (OSError, ValueError) as exc:
        raise ServiceNotFound(f"cannot read the LakeTahoe runtime file {path}: {exc}") from None
    if not isinstance(data, dict) or not data.get("token") or not (data.get("url") or data.get("socket")):
        raise ServiceNotFound(f"the LakeTahoe runtime file {path} has no url/socket and token")
    return ServiceLocation(
        url=(data.get("url") or "").rstrip("/") or None,
        token=data["token"],
        socket=data.get("socket") or None,
        root_dir=data.get("rootDir") or None,
        source=path,
    )


# --------------------------------------------------------------------------
# Transports: requests over TCP, http.client over a Unix socket


class _UnixConnection(http.client.HTTPConnection):
    """HTTP over AF_UNIX; requests has no native support for it."""

    def __init__(self, path: str, timeout: float | None):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        """Open the AF_UNIX socket instead of a TCP connection."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class _Response:
    """Status, body and a chunk iterator, whatever the transport."""

    def __init__(self, status: int, body: bytes | None = None, chunks: Iterator[bytes] | None = None, close=None):
        self.status = status
        self._body = body
        self._chunks = chunks
        self._close = close

    def read(self) -> bytes:
        """The whole body."""
        if self._body is None:
            self._body = b"".join(self._chunks or [])
        return self._body

    def iter_chunks(self) -> Iterator[bytes]:
        """Body pieces as they arrive (for SSE)."""
        return self._chunks if self._chunks is not None else iter([self._body or b""])

    def close(self) -> None:
        """Release the connection."""
        if self._close:
            self._close()


# --------------------------------------------------------------------------
# SSE


@dataclass
class SSEEvent:
    """One server-sent event; ``data`` is decoded JSON when it parses."""

    event: str
    data: Any
    id: str | None = None


def parse_sse(chunks: Iterator[bytes]) -> Iterator[SSEEvent]:
    """Minimal text/event-stream parser (comments ignored, multi-line data joined)."""
    buffer = b""
    event, data_lines, last_id = "message", [], None
    for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
            if not line:
                if data_lines:
                    text = "\n".join(data_lines)
                    try:
                        payload = json.loads(text)
                    except ValueError:
                        payload = text
                    yield SSEEvent(event, payload, last_id)
                event, data_lines = "message", []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data_lines.append(value)
            elif name == "id":
                last_id = value


# --------------------------------------------------------------------------
# Client


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine's loopback."""
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _session_for(url: str | None) -> requests.Session:
    """A session that never hands the bearer token to an HTTP proxy.

    The environment's settings (``HTTP_PROXY``, ``.netrc``) are not trusted: a proxy named there would
    see the ``Authorization`` header of every plain-HTTP request, and ``.netrc`` credentials would
    replace it. Loopback and plain-HTTP services are reached directly; only an ``https://`` service
    elsewhere goes through the environment's proxy, as an opaque CONNECT tunnel that carries no token.
    """
    session = requests.Session()
    session.trust_env = False
    if not url:
        return session
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and not _is_loopback(parts.hostname or ""):
        session.proxies = requests.utils.get_environ_proxies(url)
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
    return session


class Client:
    """Typed access to ``/api/v1``; every method returns the decoded JSON."""

    def __init__(self, url: str | None = None, token: str | None = None, socket_path: str | None = None,
                 root_dir: str | None = None, timeout: float = 30.0):
        if not url and not socket_path:
            raise ServiceNotFound(NOT_FOUND_HINT)
        self.url = url.rstrip("/") if url else None
        self.socket_path = socket_path
        self.token = token or ""
        self.timeout = timeout
        self._root_dir = root_dir
        self._session = _session_for(self.url)

    @classmethod
    def from_environment(cls, env: dict | None = None, **kwargs) -> "Client":
        """Client of the service found by :func:`find_service`."""
        loc = find_service(env)
        # TCP first: it is what requests does well; the socket is the fallback.
        return cls(url=loc.url, token=loc.token, socket_path=None if loc.url else loc.socket,
                   root_dir=loc.root_dir, **kwargs)

    @property
    def address(self) -> str:
        """Human-readable address for messages."""
        return self.url or f"unix:{self.socket_path}"

    # -- transport ---------------------------------------------------------

    def _send(self, method: str, path: str, params: dict | None = None, body: Any = None,
              stream: bool = False) -> _Response:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        # The request header tells the service this is no cross-site browser request (see "CSRF" in
        # docs/contracts.md): body-less POSTs (cancel, stop) carry no JSON content type to say it.
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "X-LakeTahoe-Request": "1"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if stream:
            headers["Accept"] = "text/event-stream"
        if self.url:
            try:
                resp = self._session.request(
                    method, self.url + path, params=query, data=data, headers=headers, stream=stream,
                    # A log stream can be silent for a long time: no read timeout there.
                    timeout=(10, None) if stream else self.timeout,
                )
            except requests.ConnectionError as exc:
                raise ServiceUnavailable(f"cannot reach the LakeTahoe service at {self.url}: {exc}") from None
            except requests.Timeout:
                raise ServiceUnavailable(f"the LakeTahoe service at {self.url} did not answer in time") from None
            if stream and resp.status_code < 300:
                return _Response(resp.status_code, chunks=resp.iter_content(chunk_size=None), close=resp.close)
            return _Response(resp.status_code, body=resp.content)

        conn = _UnixConnection(self.socket_path, None if stream else self.timeout)
        target = path + ("?" + urllib.parse.urlencode(query) if query else "")
        try:
            conn.request(method, target, body=data, headers=headers)
            resp = conn.getresponse()
        except OSError as exc:
            conn.close()
            raise ServiceUnavailable(f"cannot reach the LakeTahoe service at unix:{self.socket_path}: {exc}") from None

        if stream and resp.status < 300:
            def chunks():
                while True:
                    piece = resp.read1(65536)
                    if not piece:
                        return
                    yield piece

            return _Response(resp.status, chunks=chunks(), close=conn.close)
        try:
            return _Response(resp.status, body=resp.read())
        finally:
            conn.close()

    def _call(self, method: str, path: str, params: dict | None = None, body: Any = None) -> Any:
        resp = self._send(method, "/api/v1" + path, params=params, body=body)
        raw = resp.read()
        if resp.status >= 300:
            raise error_from_response(resp.status, raw)
        if not raw:
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            raise LakeTahoeError(f"the LakeTahoe service sent an invalid answer to {method} {path}") from None

    @staticmethod
    def _job_path(job_id: str) -> str:
        return "/jobs/" + urllib.parse.quote(job_id, safe="")

    # -- API ---------------------------------------------------------------

    def info(self) -> dict:
        """``GET /info``: version, user, rootDir, capacity, scale tiers."""
        info = self._call("GET", "/info")
        if isinstance(info, dict) and info.get("rootDir"):
            self._root_dir = info["rootDir"]
        return info

    def submit_job(self, job_id: str | None, training_input: dict, labels: dict | None = None,
                   webhook_url: str | None = None) -> dict:
        """``POST /jobs``: submit a job; ``job_id`` None lets the service pick one. ``webhook_url`` gets the
        job's end as Slack-compatible JSON (attempts in the job's ``webhook.deliveries``)."""
        body: dict[str, Any] = {"trainingInput": training_input}
        if job_id:
            body["jobId"] = job_id
        if labels:
            body["labels"] = labels
        if webhook_url:
            body["webhook"] = {"url": webhook_url}
        return self._call("POST", "/jobs", body=body)

    def list_jobs(self, state: str | None = None, page_size: int | None = None, max_pages: int = 50) -> list[dict]:
        """``GET /jobs``, newest first, following ``nextPageToken``."""
        jobs: list[dict] = []
        token = None
        for _ in range(max_pages):
            page = self._call("GET", "/jobs", params={"state": state, "pageSize": page_size, "pageToken": token})
            jobs.extend(page.get("jobs", []))
            token = page.get("nextPageToken")
            if not token:
                break
        return jobs

    def get_job(self, job_id: str) -> dict:
        """``GET /jobs/{id}``."""
        return self._call("GET", self._job_path(job_id))

    def cancel_job(self, job_id: str) -> dict:
        """``POST /jobs/{id}/cancel``: CANCELLED at once from QUEUED, else CANCELLING."""
        return self._call("POST", self._job_path(job_id) + "/cancel")

    def delete_job(self, job_id: str) -> None:
        """``DELETE /jobs/{id}``: remove a job with its outputs, logs, metrics and trials (a running one is
        cancelled first). A job a registered model version was made from is kept: 409 naming the version."""
        self._call("DELETE", self._job_path(job_id))

    def delete_jobs(self, job_ids: list[str]) -> list[dict]:
        """``POST /jobs/batch-delete``: delete several jobs; one ``{jobId, deleted, error?}`` per id, in order."""
        return self._call("POST", "/jobs/batch-delete", body={"jobIds": list(job_ids)})["results"]

    def stop_job(self, job_id: str) -> dict:
        """``POST /jobs/{id}/stop``: an HPO job starts no new trials; running ones finish. Returns the Job."""
        return self._call("POST", self._job_path(job_id) + "/stop")

    def logs(self, job_id: str, after: int | None = None, limit: int | None = None) -> dict:
        """``GET /jobs/{id}/logs``: ``{lines: [...], nextSeq}``."""
        return self._call("GET", self._job_path(job_id) + "/logs", params={"after": after, "limit": limit})

    def all_logs(self, job_id: str, after: int | None = None) -> Iterator[dict]:
        """Every log line stored so far, page by page."""
        return self._all_lines(self._job_path(job_id), after)

    def _all_lines(self, base: str, after: int | None) -> Iterator[dict]:
        """Every stored line under ``base`` (a job's or a trial's path): the two share one paging scheme."""
        while True:
            lines = self._call("GET", base + "/logs", params={"after": after}).get("lines", [])
            if not lines:
                return
            yield from lines
            # Resume after the last line seen rather than trusting nextSeq's off-by-one convention.
            after = lines[-1].get("seq")
            if after is None:
                return

    def metrics(self, job_id: str, name: str | None = None, max_points: int | None = None) -> list[dict]:
        """``GET /jobs/{id}/metrics``, every page: ``[{step, name, value, time}]`` in step order.

        ``name`` keeps one metric; ``max_points`` asks the service for at most that many evenly spaced
        values of each metric (its first and last included), enough for a chart of a long run.
        """
        out: list[dict] = []
        token = None
        while True:
            body = self._call("GET", self._job_path(job_id) + "/metrics",
                              params={"name": name, "maxPoints": max_points, "pageToken": token})
            out.extend(body.get("metrics", []))
            token = body.get("nextPageToken")
            if not token:
                return out

    def usage(self, job_id: str, trial_id: str | int | None = None, max_points: int | None = None) -> dict:
        """``GET /jobs/{id}/usage`` (or a trial's): ``{available, note?, samples, summary}``.

        ``samples`` are CPU, memory and GPU readings taken every few seconds while the run ran;
        ``summary`` has ``peakMemoryBytes``, ``cpuSeconds``, ``gpuHours`` and, when an ended run used
        under a quarter of the memory it asked for, a ``hint``.
        """
        base = self._trial_path(job_id, trial_id) if trial_id is not None else self._job_path(job_id)
        return self._call("GET", base + "/usage", params={"maxPoints": max_points})

    def usage_summary(self, job_id: str, trial_id: str | int | None = None) -> dict:
        """The ``summary`` of :meth:`usage`: peak memory, CPU-seconds, GPU-hours (and the hint, if any)."""
        return self.usage(job_id, trial_id, max_points=2)["summary"]

    def output(self, job_id: str, name: str) -> bytes:
        """``GET /jobs/{id}/outputs/{name}`` (``output.ipynb`` or ``output.html``)."""
        resp = self._send("GET", "/api/v1" + self._job_path(job_id) + "/outputs/" + urllib.parse.quote(name))
        if resp.status >= 300:
            raise error_from_response(resp.status, resp.read())
        return resp.read()

    def stream_logs(self, job_id: str, after: int | None = None, reconnects: int = 3) -> Iterator[SSEEvent]:
        """Follow ``/jobs/{id}/logs/stream``: ``log`` events, then one ``end`` event carrying the Job.

        A dropped connection is resumed from the last sequence number seen.
        """
        return self._stream_lines(self._job_path(job_id), f"job {job_id}", after, reconnects)

    def _stream_lines(self, base: str, what: str, after: int | None, reconnects: int) -> Iterator[SSEEvent]:
        """Follow ``base + /logs/stream`` (a job or a trial), resuming after drops."""
        last = after
        attempts = 0
        while True:
            resp = self._send("GET", "/api/v1" + base + "/logs/stream", params={"after": last}, stream=True)
            if resp.status >= 300:
                raise error_from_response(resp.status, resp.read())
            try:
                for event in parse_sse(resp.iter_chunks()):
                    if event.event == "log" and isinstance(event.data, dict):
                        last = event.data.get("seq", last)
                        attempts = 0
                    yield event
                    if event.event == "end":
                        return
            except (requests.RequestException, OSError, http.client.HTTPException):
                pass
            finally:
                resp.close()
            attempts += 1
            if attempts > reconnects:
                raise ServiceUnavailable(f"the log stream of {what} ended before it did")

    # -- HPO trials --------------------------------------------------------

    @classmethod
    def _trial_path(cls, job_id: str, trial_id: str | int) -> str:
        return cls._job_path(job_id) + "/trials/" + urllib.parse.quote(str(trial_id), safe="")

    def trials(self, job_id: str, state: str | None = None, page_size: int | None = None) -> list[dict]:
        """``GET /jobs/{id}/trials``: every trial of an HPO job in trial order, all pages fetched.

        ``state`` keeps only trials in that state. A training job that is not an
        HPO job has no trials (an empty list).
        """
        trials: list[dict] = []
        token = None
        seen: set[str] = set()
        while True:
            page = self._call("GET", self._job_path(job_id) + "/trials",
                              params={"state": state, "pageSize": page_size, "pageToken": token})
            trials.extend(page.get("trials", []))
            token = page.get("nextPageToken")
            # A token seen before would loop forever; the service never sends one, but be safe.
            if not token or token in seen:
                return trials
            seen.add(token)

    def get_trial(self, job_id: str, trial_id: str | int) -> dict:
        """``GET /jobs/{id}/trials/{trialId}``."""
        return self._call("GET", self._trial_path(job_id, trial_id))

    def trial_logs(self, job_id: str, trial_id: str | int, after: int | None = None,
                   limit: int | None = None) -> dict:
        """``GET /jobs/{id}/trials/{trialId}/logs``: ``{lines: [...], nextSeq}`` as for a job."""
        return self._call("GET", self._trial_path(job_id, trial_id) + "/logs", params={"after": after, "limit": limit})

    def all_trial_logs(self, job_id: str, trial_id: str | int, after: int | None = None) -> Iterator[dict]:
        """Every log line of one trial stored so far, page by page."""
        return self._all_lines(self._trial_path(job_id, trial_id), after)

    def stream_trial_logs(self, job_id: str, trial_id: str | int, after: int | None = None,
                          reconnects: int = 3) -> Iterator[SSEEvent]:
        """Follow one trial's log: ``log`` events, then one ``end`` event once the trial has ended."""
        return self._stream_lines(self._trial_path(job_id, trial_id), f"trial {trial_id} of job {job_id}",
                                  after, reconnects)

    def trial_output(self, job_id: str, trial_id: str | int, name: str) -> bytes:
        """``GET /jobs/{id}/trials/{trialId}/outputs/{name}`` (``output.ipynb`` or ``output.html``)."""
        resp = self._send("GET", "/api/v1" + self._trial_path(job_id, trial_id) + "/outputs/"
                          + urllib.parse.quote(name))
        if resp.status >= 300:
            raise error_from_response(resp.status, resp.read())
        return resp.read()

    # -- models and deployments --------------------------------------------

    @staticmethod
    def _model_path(name: str) -> str:
        return "/models/" + urllib.parse.quote(name, safe="")

    @staticmethod
    def _deployment_path(name: str) -> str:
        return "/deployments/" + urllib.parse.quote(name, safe="")

    def list_models(self) -> list[dict]:
        """``GET /models``: the caller's models, newest first (without their versions)."""
        return self._call("GET", "/models").get("models", [])

    def get_model(self, name: str) -> dict:
        """``GET /models/{name}``: the model with its ``versions``, newest first."""
        return self._call("GET", self._model_path(name))

    def get_model_version(self, name: str, version: int | str) -> dict:
        """``GET /models/{name}/versions/{version}``: one ModelVersion (framework, signature, source)."""
        return self._call("GET", self._model_path(name) + "/versions/" + urllib.parse.quote(str(version), safe=""))

    def register_model(self, path: str, name: str | None = None) -> dict:
        """``POST /models``: register a saved model folder (root-relative ``path``) as a new version."""
        body: dict[str, Any] = {"path": path}
        if name:
            body["name"] = name
        return self._call("POST", "/models", body=body)

    def register_job_model(self, job_id: str, trial_id: str | int | None = None,
                           model_name: str | None = None) -> dict:
        """``POST /jobs/{id}/models``: register the model a succeeded job (or one of its trials) saved."""
        body: dict[str, Any] = {}
        if trial_id is not None:
            body["trialId"] = str(trial_id)
        if model_name:
            body["modelName"] = model_name
        return self._call("POST", self._job_path(job_id) + "/models", body=body)

    def create_deployment(self, name: str, model: dict | None = None, source: dict | None = None,
                          replicas: int | None = None, monitoring: dict | None = None) -> dict:
        """``POST /deployments``: serve ``model`` (``{name, version?}``) or a job's model (``source``)."""
        body: dict[str, Any] = {"name": name}
        if model is not None:
            body["model"] = model
        if source is not None:
            body["source"] = source
        if replicas is not None:
            body["replicas"] = replicas
        if monitoring is not None:
            body["monitoring"] = monitoring
        return self._call("POST", "/deployments", body=body)

    def list_deployments(self) -> list[dict]:
        """``GET /deployments``."""
        return self._call("GET", "/deployments").get("deployments", [])

    def get_deployment(self, name: str) -> dict:
        """``GET /deployments/{name}``."""
        return self._call("GET", self._deployment_path(name))

    def update_deployment(self, name: str, model: dict | None = None, monitoring: dict | None = None,
                          challenger: dict | None | bool = False, replicas: int | None = None,
                          autoscaling: dict | None | bool = False, challengers: list | None = None) -> dict:
        """``PATCH /deployments/{name}``: switch the model version, the monitoring settings, the challenger
        or the replicas (Kubernetes: model server pods of each served version). ``autoscaling`` is
        ``{minReplicas, maxReplicas, targetInflight?, scaleDownDelaySeconds?}``, ``None`` to stop it; the
        default ``False`` leaves it alone.

        ``challenger`` is ``{model?: {name, version?}, mode?: "canary"|"shadow", weight?: 0-100}``
        (add one, or change the mode/weight of the one its model names, or of the only one), ``None``
        to remove them all; the default ``False`` leaves them alone. ``challengers`` is the whole set
        wanted (at most 3 of ``{model: {name, version?}, mode?, weight?}``): those not listed are removed.
        """
        body: dict[str, Any] = {}
        if model is not None:
            body["model"] = model
        if monitoring is not None:
            body["monitoring"] = monitoring
        if challenger is not False:
            body["challenger"] = challenger
        if challengers is not None:
            body["challengers"] = challengers
        if replicas is not None:
            body["replicas"] = replicas
        if autoscaling is not False:
            body["autoscaling"] = autoscaling
        return self._call("PATCH", self._deployment_path(name), body=body)

    def promote_deployment(self, name: str, version: int | None = None) -> dict:
        """``POST /deployments/{name}/promote``: a ready challenger (``version``, or the only one) becomes
        the champion; the other challengers stay."""
        params = {"version": str(version)} if version is not None else None
        return self._call("POST", self._deployment_path(name) + "/promote", params=params)

    def deployment_versions(self, name: str) -> dict:
        """``GET /deployments/{name}/monitoring/versions``: champion and challengers side by side."""
        return self._call("GET", self._deployment_path(name) + "/monitoring/versions")

    def delete_deployment(self, name: str) -> dict:
        """``DELETE /deployments/{name}``: stop the model server and remove the deployment."""
        return self._call("DELETE", self._deployment_path(name))

    def infer(self, name: str, model: str, request: dict) -> dict:
        """``POST /deployments/{name}/v2/models/{model}/infer``: an OIP v2 request, the server's answer."""
        return self._call("POST", self._deployment_path(name) + "/v2/models/" + urllib.parse.quote(model, safe="")
                          + "/infer", body=request)

    def monitoring(self, name: str, since: str | None = None, step: int | None = None) -> dict:
        """``GET /deployments/{name}/monitoring``: request series, drift and alerts."""
        return self._call("GET", self._deployment_path(name) + "/monitoring", params={"since": since, "step": step})

    def alerts(self, name: str) -> list[dict]:
        """``GET /deployments/{name}/alerts``: firing and resolved alerts, newest first."""
        return self._call("GET", self._deployment_path(name) + "/alerts").get("alerts", [])

    # -- definitions ---------------------------------------------------------

    @staticmethod
    def _definition_path(definition_id: str) -> str:
        return "/definitions/" + urllib.parse.quote(definition_id, safe="")

    def create_definition(self, body: dict) -> dict:
        """``POST /definitions``: save a job spec (``definitionId``, ``trainingInput``, ``schedule``...)."""
        return self._call("POST", "/definitions", body=body)

    def list_definitions(self) -> list[dict]:
        """``GET /definitions``: the caller's definitions with their next run times."""
        return self._call("GET", "/definitions").get("definitions", [])

    def get_definition(self, definition_id: str) -> dict:
        """``GET /definitions/{id}``."""
        return self._call("GET", self._definition_path(definition_id))

    def replace_definition(self, definition_id: str, body: dict) -> dict:
        """``PUT /definitions/{id}``: the whole definition again (without its id)."""
        return self._call("PUT", self._definition_path(definition_id), body=body)

    def delete_definition(self, definition_id: str) -> None:
        """``DELETE /definitions/{id}``: the definition and its history go; its jobs stay."""
        self._call("DELETE", self._definition_path(definition_id))

    def pause_definition(self, definition_id: str, paused: bool = True) -> dict:
        """``POST /definitions/{id}/pause`` (or ``/resume`` with ``paused=False``)."""
        return self._call("POST", self._definition_path(definition_id) + ("/pause" if paused else "/resume"))

    def run_definition(self, definition_id: str) -> dict:
        """``POST /definitions/{id}/run``: submit a run now; returns its Job."""
        return self._call("POST", self._definition_path(definition_id) + "/run")

    def definition_runs(self, definition_id: str, page_size: int | None = None) -> list[dict]:
        """``GET /definitions/{id}/runs``: run history, newest first."""
        return self._call("GET", self._definition_path(definition_id) + "/runs", params={"pageSize": page_size})["runs"]

    def schedule_preview(self, cron: str, time_zone: str = "UTC", count: int | None = None) -> list[str]:
        """``GET /schedule-preview``: the next times ``cron`` fires in ``time_zone`` (ISO, UTC)."""
        return self._call("GET", "/schedule-preview",
                          params={"cron": cron, "timeZone": time_zone, "count": count})["nextRunTimes"]

    # -- paths -------------------------------------------------------------

    @property
    def root_dir(self) -> str:
        """The service's root directory (runtime file, else ``/info``)."""
        if not self._root_dir:
            self.info()
        if not self._root_dir:
            raise LakeTahoeError("the LakeTahoe service did not say what its root directory is")
        return self._root_dir

    def to_root_relative(self, path: str, cwd: str | None = None) -> str:
        """Turn a local path (relative to ``cwd``) into the root-relative path the API expects."""
        return root_relative(path, self.root_dir, cwd)


def root_relative(path: str, root_dir: str, cwd: str | None = None) -> str:
    """``path`` (absolute, or relative to ``cwd``) relative to ``root_dir``, with ``/`` separators."""
    base = cwd or os.getcwd()
    full = os.path.realpath(os.path.join(base, os.path.expanduser(path)))
    root = os.path.realpath(root_dir)
    if full != root and not full.startswith(root.rstrip(os.sep) + os.sep):
        raise PathOutsideRoot(f"{path} is outside the LakeTahoe root directory {root}")
    rel = os.path.relpath(full, root)
    return "" if rel == "." else rel.replace(os.sep, "/")
