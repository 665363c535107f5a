"""What every part of the client shares: the connection, one request, errors, root-relative paths."""

from __future__ import annotations

import json
import os
import urllib.parse
from typing import Any

import requests

from .discovery import NOT_FOUND_HINT, find_service
from .errors import LakeTahoeError, PathOutsideRoot, ServiceNotFound, ServiceUnavailable, error_from_response
from .transport import Response, UnixConnection, session_for


class ClientBase:
    """The connection to ``/api/v1``; the API methods are in the classes that make up ``Client``."""

    def __init__(self, url: str | None = None, token: str | None = None, socket_path: str | None = None,
                 root_dir: str | None = None, timeout: float = 30.0):
        if not url and not socket_path:
            raise ServiceNotFound(NOT_FOUND_HINT)
        self.url = url.rstrip("/") if url else None
        self.socket_path = socket_path
        self.token = token or ""
        self.timeout = timeout
        self._root_dir = root_dir
        self._session = session_for(self.url)

    @classmethod
    def from_environment(cls, env: dict | None = None, **kwargs) -> ClientBase:
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
              stream: bool = False) -> Response:
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
                return Response(resp.status_code, chunks=resp.iter_content(chunk_size=None), close=resp.close)
            return Response(resp.status_code, body=resp.content)

        conn = UnixConnection(self.socket_path, None if stream else self.timeout)
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

            return Response(resp.status, chunks=chunks(), close=conn.close)
        try:
            return Response(resp.status, body=resp.read())
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

    def _download(self, path: str) -> bytes:
        """The raw body of ``GET /api/v1{path}`` (an output file), not JSON."""
        resp = self._send("GET", "/api/v1" + path)
        if resp.status >= 300:
            raise error_from_response(resp.status, resp.read())
        return resp.read()

    @staticmethod
    def _job_path(job_id: str) -> str:
        return "/jobs/" + urllib.parse.quote(job_id, safe="")

    # -- service -----------------------------------------------------------

    def info(self) -> dict:
        """``GET /info``: version, user, rootDir, capacity, scale tiers."""
        info = self._call("GET", "/info")
        if isinstance(info, dict) and info.get("rootDir"):
            self._root_dir = info["rootDir"]
        return info

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
