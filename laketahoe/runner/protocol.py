"""The runner's fixed interface to whoever started it: record marker, exit codes, environment names,
and the status file written just before exiting (docs/contracts.md, "Runner protocol")."""

from __future__ import annotations

import json
import os
import sys
import tempfile

# The events file laketahoe.report appends to; where laketahoe.save_model writes models/<name>/ inside a
# job (the job's working directory). Defined beside their writers, which read them inside the job.
from laketahoe._metrics import EVENTS_FILE_ENV  # noqa: F401 - part of the protocol
from laketahoe.models import OUTPUT_DIR_ENV  # noqa: F401 - part of the protocol

MARKER = "##laketahoe "
# Any line starting with this could be taken for a record by some reader: printed text never does.
MARKER_STEM = MARKER.strip()

EXIT_OK = 0
EXIT_RAISED = 1
EXIT_BAD_ARGS = 2
EXIT_INPUT = 3
EXIT_KERNEL_DIED = 4
EXIT_CRASH = 5
# Inputs could not be fetched from, or outputs not uploaded to, the artifact store. Not one of the
# "the job itself is wrong" codes: a store outage is worth a retry of the pod.
EXIT_ARTIFACTS = 6
# Conventional shell code for "terminated by SIGTERM" (128 + 15).
EXIT_TERMINATED = 143

MODRUN_ERROR_ENV = "LAKETAHOE_MODRUN_ERROR"
# Kubernetes shows this file's text as the container's termination message.
TERMINATION_LOG_ENV = "LAKETAHOE_TERMINATION_LOG"


class RunnerError(Exception):
    """A failure with a known exit code and a one-line reason."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Terminated(BaseException):
    """Raised in the main thread by the SIGTERM/SIGINT handler.

    A ``BaseException`` so that library code catching ``Exception`` does not
    swallow the request to stop.
    """


def write_status(path: str | None, code: int, reason: str) -> None:
    """Write ``{"exitCode", "reason"}`` atomically so a reader never sees half a file."""
    if not path:
        return
    try:
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".exit-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"exitCode": code, "reason": reason}, fh)
        os.replace(tmp, path)
    except OSError as exc:  # the exit code still tells the parent
        print(f"laketahoe.runner: cannot write status file {path}: {exc}", file=sys.stderr, flush=True)
