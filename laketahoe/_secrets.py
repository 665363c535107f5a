"""The job's secret variables, for the runner: load them and keep their values out of what it writes.

Locally the service names the user's secrets file and which variable takes which entry
(``LAKETAHOE_SECRETS_FILE``, ``LAKETAHOE_SECRET_REFS``); the runner reads the values itself, so they
pass through no other process. On Kubernetes the kubelet has already set the variables from Secrets
and ``LAKETAHOE_SECRET_ENV`` lists their names. Either way the values are masked in the log streams,
the records and the output notebook and HTML.
"""

from __future__ import annotations

import html
import json
import os
import stat

SECRETS_FILE_ENV = "LAKETAHOE_SECRETS_FILE"
SECRET_REFS_ENV = "LAKETAHOE_SECRET_REFS"
SECRET_NAMES_ENV = "LAKETAHOE_SECRET_ENV"
MASK = "********"
# Shorter values would mask ordinary words and digits all over the log; they are used, not masked.
MIN_MASKED_LENGTH = 4


class SecretError(Exception):
    """The secrets file cannot be used; the message never contains a value."""


def _read_file(path: str) -> dict:
    try:
        st = os.stat(path)
    except OSError:
        raise SecretError(f"secrets file {path} not found") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecretError(f"secrets file {path} is not a file")
    if st.st_mode & 0o077:
        raise SecretError(f"secrets file {path} can be read or written by others (mode {st.st_mode & 0o777:o}); run chmod 600 {path}")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise SecretError(f"secrets file {path} belongs to another account")
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        raise SecretError(f"secrets file {path} is not a JSON object of secrets") from None
    if not isinstance(data, dict):
        raise SecretError(f"secrets file {path} is not a JSON object of secrets")
    return data


def load_secret_env(environ=os.environ) -> list[str]:
    """Set the job's secret variables in ``environ``; return every secret value to mask.

    The service's pointers are removed, so the job's code does not learn where the file is.
    """
    values: list[str] = []
    refs_text = environ.pop(SECRET_REFS_ENV, None)
    path = environ.pop(SECRETS_FILE_ENV, None)
    if refs_text:
        try:
            refs = json.loads(refs_text)
        except ValueError:
            raise SecretError(f"{SECRET_REFS_ENV} is not JSON") from None
        data = _read_file(path or "")
        for var, ref in refs.items():
            entry = data.get(ref.get("name")) if isinstance(ref, dict) else None
            value = entry.get(ref.get("key")) if isinstance(entry, dict) else None
            if not isinstance(value, str):
                raise SecretError(f"{var}: no entry {ref.get('name')!r}/{ref.get('key')!r} in secrets file {path}")
            environ[var] = value
            values.append(value)
    for var in filter(None, environ.get(SECRET_NAMES_ENV, "").split(",")):
        if environ.get(var):
            values.append(environ[var])
    return values


class Masker:
    """Replaces secret values in streamed text, also when a value is split across chunks."""

    def __init__(self, values):
        forms = set()
        for v in values:
            if len(v) >= MIN_MASKED_LENGTH:
                # As written, and as JSON or HTML would escape it (records, notebooks, the HTML page).
                forms.update({v, json.dumps(v)[1:-1], html.escape(v), html.escape(v, quote=False)})
        self._forms = sorted(forms, key=len, reverse=True)
        self._tail = ""

    def __bool__(self) -> bool:
        return bool(self._forms)

    def mask(self, text: str) -> str:
        """``text`` with every secret form replaced (for whole texts: records, files)."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def feed(self, chunk: str) -> str:
        """Mask a chunk of a stream; the end that may start a secret is held for the next chunk."""
        if not self._forms:
            return chunk
        text = self.mask(self._tail + chunk)
        hold = 0
        for form in self._forms:
            for n in range(min(len(form) - 1, len(text)), hold, -1):
                if text.endswith(form[:n]):
                    hold = n
                    break
        self._tail = text[len(text) - hold:] if hold else ""
        return text[: len(text) - hold] if hold else text

    def flush(self) -> str:
        """What is still held (the stream ended)."""
        tail, self._tail = self._tail, ""
        return tail

    def mask_file(self, path: str) -> None:
        """Rewrite a text file (output notebook, HTML) with the secrets masked."""
        if not self._forms or not path or not os.path.isfile(path):
            return
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            text = fh.read()
        masked = self.mask(text)
        if masked != text:
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(masked)
