"""Forward the browser's requests to a shared LakeTahoe service, signed in as the hub's user.

Inside a JupyterHub-spawned server whose spawner sets ``LAKETAHOE_URL`` (the team's shared service),
jupyter-server-proxy starts this forwarder instead of a personal service (see ``laketahoe.proxy``).
Jupyter Server has already authenticated the browser; the forwarder adds the server's own hub token
(``JUPYTERHUB_API_TOKEN``, or ``LAKETAHOE_TOKEN`` when set) so the user never handles one, and drops
the browser's cookies and credentials so that nothing of the Jupyter session reaches the service.
Responses, event streams included, are passed on as they arrive.

    python -m laketahoe.forward --port PORT
"""

from __future__ import annotations

import argparse
import os
import sys

import aiohttp
from aiohttp import web

#: Request headers never passed on: the browser's credentials for Jupyter, and hop-by-hop headers.
_DROPPED_REQUEST = {
    "authorization", "cookie", "host", "connection", "keep-alive", "proxy-authorization", "te",
    "trailer", "transfer-encoding", "upgrade", "content-length",
}
#: Response headers the forwarder sets itself (or that describe the upstream connection only).
_DROPPED_RESPONSE = {"connection", "keep-alive", "transfer-encoding", "content-length", "set-cookie"}
_SESSION = web.AppKey("session", aiohttp.ClientSession)


def target() -> tuple[str, str]:
    """The shared service's URL and the token to reach it with, from the environment."""
    url = os.environ.get("LAKETAHOE_URL", "").rstrip("/")
    token = os.environ.get("LAKETAHOE_TOKEN") or os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url or not token:
        raise SystemExit("laketahoe.forward needs LAKETAHOE_URL and JUPYTERHUB_API_TOKEN (or LAKETAHOE_TOKEN)")
    return url, token


def make_app(url: str, token: str) -> web.Application:
    """An app that sends every request on to ``url`` with ``token``."""

    async def forward(request: web.Request) -> web.StreamResponse:
        session = request.app[_SESSION]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROPPED_REQUEST}
        headers["Authorization"] = f"Bearer {token}"
        body = await request.read() if request.body_exists else None
        try:
            upstream = await session.request(
                request.method, url + request.rel_url.path_qs, headers=headers, data=body,
                allow_redirects=False, auto_decompress=False,
            )
        except aiohttp.ClientError:
            return web.json_response(
                {"error": {"code": "unavailable", "message": f"the shared LakeTahoe service at {url} cannot be reached"}},
                status=502,
            )
        async with upstream:
            response = web.StreamResponse(status=upstream.status)
            for name, value in upstream.headers.items():
                if name.lower() not in _DROPPED_RESPONSE:
                    response.headers.add(name, value)
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response

    async def open_session(app: web.Application):
        # No read timeout: event streams stay open for as long as the browser listens.
        app[_SESSION] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, connect=10), auto_decompress=False)
        yield
        await app[_SESSION].close()

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.cleanup_ctx.append(open_session)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m laketahoe.forward", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    url, token = target()
    print(f"laketahoe.forward: 127.0.0.1:{args.port} -> {url}", file=sys.stderr)
    web.run_app(make_app(url, token), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
