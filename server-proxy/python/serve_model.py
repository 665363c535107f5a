"""Start MLServer for one model folder, reachable only by the LakeTahoe service that started it.

``python serve_model.py <folder> <socket>`` with the server's secret as the first line of stdin.

``mlserver start`` listens on TCP ports of loopback without authentication: any local process could call
inference or the model repository API past the service's tokens and monitoring, and a port found free
and released before MLServer binds it may be taken by another process first. Here the REST API listens
on a Unix socket (in a folder only the service's account can enter, bound by this process itself), every
HTTP request must carry the secret in ``X-LakeTahoe-Server-Secret``, and the gRPC API (which the service
does not use) is not started. The secret comes on stdin, never in the environment or the command line,
which other processes can read.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import sys

SECRET_HEADER = b"x-laketahoe-server-secret"


class SecretGuard:
    """ASGI middleware: HTTP requests without the secret get a 403 and reach nothing."""

    def __init__(self, app, secret: bytes):
        self.app = app
        self.secret = secret

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            given = b""
            for name, value in scope.get("headers", []):
                if name.lower() == SECRET_HEADER:
                    given = value
            if not hmac.compare_digest(given, self.secret):
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"forbidden\n"})
                return
        await self.app(scope, receive, send)


def main() -> None:
    """Serve until stopped (SIGTERM/SIGINT, handled by MLServer)."""
    folder, socket_path = sys.argv[1], sys.argv[2]
    secret = sys.stdin.buffer.readline().strip()
    if len(secret) < 32:
        sys.exit("serve_model.py: expected the server's secret on stdin")
    os.umask(0o077)

    from mlserver.cli.serve import load_settings
    from mlserver.grpc.server import GRPCServer
    from mlserver.rest.server import RESTServer
    from mlserver.server import MLServer

    async def no_grpc(self, *args, **kwargs):
        return None

    GRPCServer.start = no_grpc
    GRPCServer.stop = no_grpc
    base_config = RESTServer._get_config

    def guarded_config(self):
        config = base_config(self)
        # uvicorn prefers the socket over host and port.
        config.uds = socket_path
        config.app = SecretGuard(config.app, secret)
        return config

    RESTServer._get_config = guarded_config

    async def serve() -> None:
        settings, models = await load_settings(folder)
        await MLServer(settings).start(models)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
