"""Finding the service: ``LAKETAHOE_URL`` and a token, else the runtime file the service writes."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .errors import ServiceNotFound

RUNTIME_FILE_NAME = "laketahoe-proxy.json"
NOT_FOUND_HINT = "LakeTahoe service not found: open JupyterLab or run `laketahoe-proxy serve`"


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
