"""A minimal server-sent events parser, for the service's log streams."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator


@dataclass
class SSEEvent:
    """One server-sent event; ``data`` is decoded JSON when it parses."""

    event: str
    data: Any
    id: str | None = None


def parse_sse(chunks: Iterator[bytes]) -> Iterator[SSEEvent]:
    """Minimal text/event-stream parser (comments ignored, multi-line data joined)."""
    buffer = b""
    event, data_lines, last_id = "message", [], None
    for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
            if not line:
                if data_lines:
                    text = "\n".join(data_lines)
                    try:
                        payload = json.loads(text)
                    except ValueError:
                        payload = text
                    yield SSEEvent(event, payload, last_id)
                event, data_lines = "message", []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data_lines.append(value)
            elif name == "id":
                last_id = value
