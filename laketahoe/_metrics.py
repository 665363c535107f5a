"""``report()``: the in-job side of metric collection.

Code running inside a job (a notebook kernel or a training module) appends one
JSON object per call to the file named by ``LAKETAHOE_EVENTS_FILE``; the
runner tails that file and forwards each record on its log stream. A file,
rather than a network call, keeps this working the same locally and inside a
training container that has no route back to the service.
"""

from __future__ import annotations

import datetime
import json
import math
import numbers
import os
import threading
import warnings

EVENTS_FILE_ENV = "LAKETAHOE_EVENTS_FILE"

_warned = False
_lock = threading.Lock()


def _number(name: str, value):
    """Return ``value`` as a JSON-safe float/int, or raise ``TypeError``."""
    # numpy scalars are numbers.Number; bool is excluded because it is
    # almost always a mistake for a metric.
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise TypeError(f"metric {name!r} must be a number, got {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"metric {name!r} must be finite, got {value}")
    return value


def report(step: int | None = None, **metrics) -> None:
    """Record metrics of the running LakeTahoe job.

    ``report(step=10, accuracy=0.93, loss=0.2)`` appends
    ``{"type": "metric", "step": 10, "values": {...}, "time": "..."}`` to the
    job's events file. Outside a job (no ``LAKETAHOE_EVENTS_FILE``) it does
    nothing and warns once, so the same notebook runs interactively too.

    Returns ``None`` so that a trailing ``report(...)`` in a cell shows nothing.
    """
    global _warned
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise TypeError(f"step must be an integer, got {type(step).__name__}")
        step = int(step)
    if not metrics:
        raise TypeError("report() needs at least one metric, e.g. report(accuracy=0.9)")
    values = {name: _number(name, value) for name, value in metrics.items()}

    path = os.environ.get(EVENTS_FILE_ENV)
    if not path:
        with _lock:
            if not _warned:
                _warned = True
                warnings.warn(
                    "laketahoe.report() called outside a LakeTahoe job; metrics are not recorded",
                    RuntimeWarning,
                    stacklevel=2,
                )
        return

    append_event({
        "type": "metric",
        "step": step,
        "values": values,
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    })


def in_job() -> bool:
    """True inside a LakeTahoe job (the runner names an events file)."""
    return bool(os.environ.get(EVENTS_FILE_ENV))


def append_event(record: dict) -> None:
    """Append one record to the job's events file (the runner forwards it); no-op outside a job."""
    path = os.environ.get(EVENTS_FILE_ENV)
    if not path:
        return
    line = json.dumps(record, separators=(",", ":")) + "\n"
    # One write() of a whole line in append mode keeps concurrent writers
    # (threads, worker processes) from interleaving partial records.
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
