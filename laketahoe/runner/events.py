"""Forwards what ``laketahoe.report`` and ``laketahoe.save_model`` append to the job's events file."""

from __future__ import annotations

import json
import threading

from laketahoe.models import NAME_PATTERN

from .channels import Output

# The names laketahoe.save_model accepts.
MODEL_NAME = NAME_PATTERN


class EventsTailer(threading.Thread):
    """Follows the events file written by ``laketahoe.report`` and forwards records."""

    def __init__(self, path: str, out: Output, interval: float = 0.2):
        super().__init__(name="laketahoe-events", daemon=True)
        self.path = path
        self.out = out
        self.interval = interval
        self._offset = 0
        self._partial = b""
        self._poll_lock = threading.Lock()
        self._stopping = threading.Event()

    def run(self) -> None:
        """Poll until stopped; a file is simpler and sturdier than inotify here."""
        while not self._stopping.wait(self.interval):
            self.poll()

    def poll(self) -> None:
        """Forward every complete line appended since the last poll."""
        with self._poll_lock:
            try:
                with open(self.path, "rb") as fh:
                    fh.seek(self._offset)
                    data = fh.read()
            except OSError:
                return
            if not data:
                return
            self._offset += len(data)
            lines = (self._partial + data).split(b"\n")
            # The writer appends whole lines; keep a torn tail for the next poll.
            self._partial = lines.pop()
            for raw in lines:
                self._forward(raw)

    def _forward(self, raw: bytes) -> None:
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return
        # Only metric and model records may come from user code; anything else
        # could spoof the runner's own lifecycle records.
        if not isinstance(obj, dict):
            return
        if obj.get("type") == "metric":
            self.out.record(_json_safe_metric(obj))
        elif obj.get("type") == "model" and _valid_model_record(obj):
            self.out.record(obj)

    def stop(self) -> None:
        """Stop polling and forward whatever is left."""
        self._stopping.set()
        if self.is_alive():
            self.join(timeout=5)
        self.poll()


def _json_safe_metric(obj: dict) -> dict:
    """A metric record whose NaN/Infinity values (written by hand, not by report()) move to ``nonFinite``.

    Python's json reads and writes those tokens but they are not JSON: the service would
    keep the whole record as a plain log line and lose the metric.
    """
    from laketahoe._metrics import split_finite

    values = obj.get("values")
    if not isinstance(values, dict):
        return obj
    finite, non_finite = split_finite(values)
    if not non_finite:
        return obj
    merged = dict(obj.get("nonFinite") or {}) if isinstance(obj.get("nonFinite"), dict) else {}
    merged.update(non_finite)
    return {**obj, "values": finite, "nonFinite": merged}


def _valid_model_record(obj: dict) -> bool:
    """A ``model`` record names a saved model folder ``models/<name>`` and nothing else."""
    name = obj.get("name")
    return (isinstance(name, str) and bool(MODEL_NAME.match(name)) and obj.get("path") == f"models/{name}"
            and set(obj) == {"type", "name", "path"})
