"""jupyter-server-proxy entry point: start the LakeTahoe service inside Jupyter Server.

Registered in pyproject.toml under ``jupyter_serverproxy_servers`` as
``laketahoe``, so the browser reaches the service at ``{base_url}laketahoe/``
through Jupyter Server's authentication, while jupyter-server-proxy adds the
service's own bearer token to every proxied request.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys

from .client import LakeTahoeError, runtime_file_path


class ServiceEntryNotFound(LakeTahoeError):
    """Node or the service's built ``main.js`` cannot be found."""


def service_entry() -> str:
    """Path of the service's ``main.js``: ``LAKETAHOE_PROXY_ENTRY``, else the checkout next to this package."""
    entry = os.environ.get("LAKETAHOE_PROXY_ENTRY")
    if entry:
        if not os.path.isfile(entry):
            raise ServiceEntryNotFound(f"LAKETAHOE_PROXY_ENTRY points at a missing file: {entry}")
        return os.path.abspath(entry)
    # Editable install / source checkout: <repo>/laketahoe/proxy.py -> <repo>/server-proxy/dist/main.js
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidate = os.path.join(repo, "server-proxy", "dist", "main.js")
    if os.path.isfile(candidate):
        return candidate
    raise ServiceEntryNotFound(
        f"LakeTahoe service not built: {candidate} is missing; run `npm ci && npm run build` in server-proxy/ "
        "or set LAKETAHOE_PROXY_ENTRY"
    )


def node_executable() -> str:
    """``LAKETAHOE_NODE``, else ``node`` on PATH."""
    node = os.environ.get("LAKETAHOE_NODE") or shutil.which("node")
    if not node:
        raise ServiceEntryNotFound("Node.js not found: install Node.js 20 or set LAKETAHOE_NODE")
    return node


def jupyter_root_dir() -> str:
    """The Jupyter server's root_dir when running inside one, else the current directory."""
    try:
        from jupyter_server.serverapp import ServerApp

        if ServerApp.initialized():
            root = ServerApp.instance().root_dir
            if root:
                return os.path.abspath(os.path.expanduser(root))
    except Exception:  # noqa: BLE001 - outside a server any failure means "no server"
        pass
    return os.getcwd()


def setup_laketahoe() -> dict:
    """Return the jupyter-server-proxy server configuration for the LakeTahoe service."""
    token = secrets.token_urlsafe(32)
    command = [
        node_executable(), service_entry(), "serve",
        "--port", "{port}",
        "--root-dir", jupyter_root_dir(),
        "--python", sys.executable,
    ]
    return {
        "command": command,
        "environment": {
            "LAKETAHOE_TOKEN": token,
            "LAKETAHOE_RUNTIME_FILE": runtime_file_path(),
        },
        # The browser never sees this token: the proxy adds it on the way in.
        "request_headers_override": {"Authorization": f"Bearer {token}"},
        "timeout": 30,
        "absolute_url": False,
        "launcher_entry": {"enabled": False},
        "new_browser_tab": False,
    }
