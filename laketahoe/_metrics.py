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
    """Return ``value`` as an int or float (possibly NaN or infinite), or raise ``TypeError``."""
    # numpy scalars are numbers.Number; bool is excluded because it is
    # almost always a mistake for a metric.
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise TypeError(f"metric {name!r} must be a number, got {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


def non_finite_name(value: float) -> str:
    """How a non-finite value is spelled in a record (JSON has no NaN or Infinity)."""
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def split_finite(values: dict) -> tuple[dict, dict]:
    """Split metric values into the finite ones and ``{name: "NaN" | "Infinity" | "-Infinity"}`` for the rest."""
    finite, non_finite = {}, {}
    for name, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            non_finite[name] = non_finite_name(value)
        else:
            finite[name] = value
    return finite, non_finite


def report(step: int | None = None, **metrics) -> None:
    """Record metrics of the running LakeTahoe job.

    ``report(step=10, accuracy=0.93, loss=0.2)`` appends
    ``{"type": "metric", "step": 10, "values": {...}, "time": "..."}`` to the
    job's events file. Outside a job (no ``LAKETAHOE_EVENTS_FILE``) it does
    nothing and warns once, so the same notebook runs interactively too.

    A NaN or infinite value (a diverging loss) does not stop the job: it is
    sent as ``"nonFinite": {"loss": "NaN"}`` with a warning here. The service
    notes it on a training job, and marks an HPO trial whose objective is not
    finite as failed (infeasible), so the search learns from it.

    Returns ``None`` so that a trailing ``report(...)`` in a cell shows nothing.
    """
    global _warned
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise TypeError(f"step must be an integer, got {type(step).__name__}")
        step = int(step)
    if not metrics:
        raise TypeError("report() needs at least one metric, e.g. report(accuracy=0.9)")
    values, non_finite = split_finite({name: _number(name, value) for name, value in metrics.items()})

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

    record = {
        "type": "metric",
        "step": step,
        "values": values,
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if non_finite:
        record["nonFinite"] = non_finite
        where = "" if step is None else f" at step {step}"
        listed = ", ".join(f"{name}={value}" for name, value in non_finite.items())
        warnings.warn(f"laketahoe.report(): {listed}{where} is not a finite number; recorded as such, "
                      "not as a value (an HPO trial whose objective is not finite fails as infeasible)",
                      RuntimeWarning, stacklevel=2)
    append_event(record)


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
