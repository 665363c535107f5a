"""Plain Python client of the LakeTahoe service's REST API (``/api/v1``).

Magics and the CLI are thin layers over this module. It finds the service the
way a kernel finds its connection file: ``LAKETAHOE_URL`` + ``LAKETAHOE_TOKEN``
when set (inside a JupyterHub-spawned server the server's own hub token,
``JUPYTERHUB_API_TOKEN``, when no ``LAKETAHOE_TOKEN`` is set), else the runtime file the service writes when it starts
(``LAKETAHOE_RUNTIME_FILE`` or ``<jupyter runtime dir>/laketahoe-proxy.json``).

Modules: errors, discovery (finding the service), transport, sse, base (one request), and the
API by area: jobs (with HPO trials), serving (models, deployments), definitions.
"""

from __future__ import annotations

from .base import root_relative
from .definitions import DefinitionsApi
from .discovery import NOT_FOUND_HINT, RUNTIME_FILE_NAME, ServiceLocation, find_service, runtime_file_path
from .errors import (AlreadyExists, ApiError, FailedPrecondition, InvalidArgument, LakeTahoeError, NotFound,
                     PathOutsideRoot, ServiceNotFound, ServiceUnavailable, TooLarge, Unauthenticated, Unavailable,
                     error_from_response)
from .jobs import JobsApi
from .serving import ServingApi
from .sse import SSEEvent, parse_sse

TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


class Client(JobsApi, ServingApi, DefinitionsApi):
    """Typed access to ``/api/v1``; every method returns the decoded JSON."""


def client_or_default(client: Client | None = None) -> Client:
    """``client``, else a client of the service found in the environment (see :func:`find_service`)."""
    return client if client is not None else Client.from_environment()


__all__ = ["NOT_FOUND_HINT", "RUNTIME_FILE_NAME", "TERMINAL_STATES", "AlreadyExists", "ApiError", "Client",
           "FailedPrecondition", "InvalidArgument", "LakeTahoeError", "NotFound", "PathOutsideRoot", "SSEEvent",
           "ServiceLocation", "ServiceNotFound", "ServiceUnavailable", "TooLarge", "Unauthenticated", "Unavailable",
           "client_or_default", "error_from_response", "find_service", "parse_sse", "root_relative",
           "runtime_file_path"]
