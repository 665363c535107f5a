"""Transports: requests over TCP (never handing the token to a proxy), http.client over a Unix socket."""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import urllib.parse
from typing import Iterator

import requests


class UnixConnection(http.client.HTTPConnection):
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


class Response:
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


def session_for(url: str | None) -> requests.Session:
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
