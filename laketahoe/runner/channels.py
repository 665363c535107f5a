"""The runner's output channels: records and job text on the real stdout/stderr, never mixed up."""

from __future__ import annotations

import codecs
import json
import os
import re
import sys
import threading

from laketahoe import _secrets

from .protocol import MARKER, MARKER_STEM

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes (IPython colours its tracebacks)."""
    return _ANSI.sub("", text)


class Output:
    """The runner's record channel: serialises writes from the main thread, the events tailer and the
    readers of the children's output.

    Structured records must start at the beginning of a line even when a cell printed a partial line,
    and must never be split by another writer. Only :meth:`record` writes marker lines: a line of text
    that starts like a record (a cell printing ``##laketahoe {...}``) is written indented by one space,
    so what a job prints can never pass for a record.
    """

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()
        self._at_line_start = True
        # The start of a line that may still turn into a marker; held until it is decided.
        self._held = ""
        # Secret values of the job, replaced before anything is written (see laketahoe._secrets).
        self._masker = _secrets.Masker([])

    def mask_secrets(self, values: list[str]) -> None:
        """From now on, write ``values`` masked."""
        with self._lock:
            self._masker = _secrets.Masker(values)

    def _guard(self, text: str) -> str:
        """``text`` with every line that starts like a marker indented; holds an undecided line start."""
        text, self._held = self._held + text, ""
        pieces = text.split("\n")
        out = []
        for i, piece in enumerate(pieces):
            at_start = self._at_line_start if i == 0 else True
            last = i == len(pieces) - 1
            if at_start and piece.startswith(MARKER_STEM):
                piece = " " + piece
            elif at_start and last and piece and MARKER_STEM.startswith(piece):
                self._held = piece
                piece = ""
            out.append(piece)
        return "\n".join(out)

    def text(self, text: str) -> None:
        """Write plain log text (a marker-like line start indented: see the class)."""
        if not text:
            return
        with self._lock:
            text = self._masker.feed(text)
            guarded = self._guard(text) if text else ""
            if not guarded:
                return
            self._stream.write(guarded)
            self._stream.flush()
            self._at_line_start = guarded.endswith("\n")

    def record(self, obj: dict) -> None:
        """Write one ``##laketahoe`` record on a line of its own."""
        line = MARKER + json.dumps(obj, separators=(",", ":"), default=str) + "\n"
        with self._lock:
            line = self._masker.mask(line)
            held = self._masker.flush()
            if held:
                self._held += held
            if self._held:
                # A held line start is text: the record below ends it, so it can no longer become one.
                self._stream.write(self._held)
                self._held, self._at_line_start = "", False
            if not self._at_line_start:
                self._stream.write("\n")
            self._stream.write(line)
            self._stream.flush()
            self._at_line_start = True

    def flush_held(self) -> None:
        """Write a held line start out as text (the writers are done)."""
        with self._lock:
            self._held += self._masker.flush()
            if self._held:
                self._stream.write(self._held)
                self._stream.flush()
                self._held, self._at_line_start = "", False


class _Relay(threading.Thread):
    """Copies one pipe into an :class:`Output`'s text until every writer has closed it."""

    def __init__(self, fd: int, out: Output):
        super().__init__(name=f"laketahoe-relay-{fd}", daemon=True)
        self.fd, self.out = fd, out

    def run(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.out.text(decoder.decode(b"", final=True))
                self.out.flush_held()
                os.close(self.fd)
                return
            self.out.text(decoder.decode(chunk))


def private_channels() -> tuple[Output, Output, list[_Relay]]:
    """Keep the process's real stdout and stderr for the runner and pass everything else through guards.

    The kernel, the module and any command they start inherit file descriptors 1 and 2 and may write to
    them directly (``os.write(1, ...)``, ``os.system``), past every Python-level capture. So 1 and 2 are
    replaced by pipes whose readers relay the text through :class:`Output` guards to the real streams,
    which only the runner itself holds: a record can come from the runner alone.
    """
    records = Output(os.fdopen(os.dup(1), "w", encoding="utf-8", errors="backslashreplace", closefd=True))
    errors = Output(os.fdopen(os.dup(2), "w", encoding="utf-8", errors="backslashreplace", closefd=True))
    relays = []
    for fd, out in ((1, records), (2, errors)):
        read, write = os.pipe()
        os.dup2(write, fd)
        os.close(write)
        relay = _Relay(read, out)
        relay.start()
        relays.append(relay)
    return records, errors, relays


def close_channels(relays: list[_Relay], timeout: float = 5) -> None:
    """Close the runner's ends of the relayed pipes and let the relays drain them."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    for relay in relays:
        # A process the job left behind may hold the pipe open: do not wait for it forever.
        relay.join(timeout)
