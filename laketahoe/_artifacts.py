"""Moving a run's inputs and outputs through the artifact store, from inside the run.

The service hands a run a grant file (JSON, ``--artifacts FILE``) of presigned URLs, one per object
and method: a GET for the input snapshot and PUTs for the outputs. They grant nothing beyond those
keys, so the run never holds the store's own credentials. Standard library only: this runs in every
training image. See docs/contracts.md, "Artifact store".
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

#: Objects a run uploads; manifest.json is written last and commits them.
OUTPUT_NOTEBOOK = "output.ipynb"
OUTPUT_HTML = "output.html"
OUTPUTS_TAR = "outputs.tar"
MANIFEST = "manifest.json"

#: Files of the working folder that never go into outputs.tar: the runner's own status file and
#: the notebook and HTML, which travel as objects of their own.
_NOT_ARCHIVED = {"exit.json", OUTPUT_NOTEBOOK, OUTPUT_HTML}

_ATTEMPTS = 3


class TransferError(Exception):
    """An object could not be moved; the message names it and never holds a URL (they are secrets)."""


def load_grant(path: str) -> dict:
    """Read and check a grant file."""
    try:
        with open(path, encoding="utf-8") as fh:
            grant = json.load(fh)
    except (OSError, ValueError) as exc:
        raise TransferError(f"cannot read the artifact grant {path}: {exc}") from None
    if not isinstance(grant, dict) or grant.get("version") != 1 or not isinstance(grant.get("outputs"), dict):
        raise TransferError(f"{path} is not a version 1 artifact grant")
    return grant


def _request(method: str, url: str, what: str, body_path: str | None = None, body: bytes | None = None,
             sink=None, timeout: float = 300.0) -> None:
    """One HTTP call with retries on network errors and 5xx; 4xx (expired, refused) fail at once."""
    delay = 1.0
    for attempt in range(1, _ATTEMPTS + 1):
        fh = None
        try:
            headers = {}
            data = body
            if body_path is not None:
                fh = open(body_path, "rb")  # noqa: SIM115 - closed in finally
                data = fh
                headers["Content-Length"] = str(os.path.getsize(body_path))
            elif body is not None:
                headers["Content-Length"] = str(len(body))
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            with urllib.request.urlopen(req, timeout=timeout) as res:  # noqa: S310 - presigned http(s) URL
                if sink is not None:
                    while True:
                        chunk = res.read(1024 * 1024)
                        if not chunk:
                            break
                        sink.write(chunk)
                else:
                    res.read()
            return
        except urllib.error.HTTPError as exc:
            reason = f"{what}: HTTP {exc.code} {exc.reason}"
            if exc.code < 500 or attempt == _ATTEMPTS:
                raise TransferError(reason) from None
        except (urllib.error.URLError, OSError) as exc:
            why = getattr(exc, "reason", exc)
            reason = f"{what}: {why}"
            if attempt == _ATTEMPTS:
                raise TransferError(f"{reason} (after {_ATTEMPTS} attempts)") from None
        finally:
            if fh is not None:
                fh.close()
        if sink is not None:
            sink.seek(0)
            sink.truncate()
        time.sleep(delay)
        delay *= 2


def fetch_inputs(grant: dict, dest: str) -> dict[str, tuple[int, int]]:
    """Download the input snapshot and unpack it into ``dest``.

    Returns the unpacked files (relative path -> (size, mtime_ns)), so that files left unchanged are
    not uploaded back. Unpacked with tarfile's ``data`` filter: no links out, no absolute paths.
    """
    url = grant.get("inputs")
    if not url:
        return {}
    with tempfile.TemporaryFile() as tmp:
        _request("GET", url, "input snapshot", sink=tmp)
        tmp.seek(0)
        try:
            with tarfile.open(fileobj=tmp, mode="r:") as tar:
                names = [m.name for m in tar.getmembers() if m.isfile()]
                _extract(tar, dest)
        except (tarfile.TarError, OSError) as exc:
            raise TransferError(f"input snapshot: cannot unpack: {exc}") from None
    unpacked = {}
    for name in names:
        st = os.stat(os.path.join(dest, name))
        unpacked[os.path.normpath(name)] = (st.st_size, st.st_mtime_ns)
    return unpacked


def _extract(tar: tarfile.TarFile, dest: str) -> None:
    """Unpack files and folders only, inside ``dest``.

    tarfile's ``data`` filter where the interpreter has it (3.11.4 and later); Debian 12's 3.11.2 does
    not, so the same rules are checked here before anything is written.
    """
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
        return
    members = []
    for m in tar.getmembers():
        parts = m.name.replace("\\", "/").split("/")
        if not (m.isfile() or m.isdir()):
            raise tarfile.TarError(f"entry {m.name!r} is not a file or folder")
        if m.name.startswith("/") or ".." in parts:
            raise tarfile.TarError(f"entry {m.name!r} leaves the folder")
        m.mode = 0o755 if m.isdir() or m.mode & 0o111 else 0o644
        m.uid = m.gid = os.getuid()
        members.append(m)
    tar.extractall(dest, members=members)  # noqa: S202 - members checked above


def _archive(folder: str, target: str, unchanged: dict[str, tuple[int, int]]) -> None:
    """Write the working folder's files (no links, nothing the run did not write) to a tar."""
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(root, d)) and d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, folder)
                if rel in _NOT_ARCHIVED or os.path.islink(path) or not os.path.isfile(path):
                    continue
                st = os.stat(path)
                if unchanged.get(rel) == (st.st_size, st.st_mtime_ns):
                    continue
                info = tar.gettarinfo(path, arcname=rel.replace(os.sep, "/"))
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with open(path, "rb") as fh:
                    tar.addfile(info, fh)


def _saved_models(folder: str) -> list[str]:
    """Names of the saved model folders (``models/<name>/`` with a manifest), committed with the outputs.

    The service also learns of models from ``model`` records in the log; listing them here means a
    log it could not read in full loses none.
    """
    models_dir = os.path.join(folder, "models")
    if not os.path.isdir(models_dir) or os.path.islink(models_dir):
        return []
    return sorted(
        name for name in os.listdir(models_dir)
        if not os.path.islink(os.path.join(models_dir, name))
        and os.path.isfile(os.path.join(models_dir, name, "laketahoe-model.json"))
    )


def _digest(path: str) -> dict:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1024 * 1024)
            if not chunk:
                break
            size += len(chunk)
            h.update(chunk)
    return {"size": size, "sha256": h.hexdigest()}


def upload_outputs(grant: dict, folder: str, notebook: str | None, html: str | None,
                   unchanged: dict[str, tuple[int, int]] | None = None, exit_code: int | None = None) -> dict:
    """Upload the outputs, then the manifest that commits them; return the manifest.

    The notebook and HTML (when they exist) go up as objects of their own, everything else the run
    wrote into ``folder`` (saved models included) as outputs.tar. Each upload replaces the same key,
    so a retried run overwrites instead of adding; until the new manifest is written, the service
    sees either the previous complete set or a mismatch it refuses, never a mix it accepts.
    """
    urls = grant["outputs"]
    files: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="laketahoe-upload-") as scratch:
        tar_path = os.path.join(scratch, OUTPUTS_TAR)
        _archive(folder, tar_path, unchanged or {})
        uploads = [(OUTPUT_NOTEBOOK, notebook), (OUTPUT_HTML, html), (OUTPUTS_TAR, tar_path)]
        for name, path in uploads:
            if not path or not os.path.isfile(path):
                continue
            if name not in urls:
                raise TransferError(f"the grant has no URL for {name}")
            files[name] = _digest(path)
            _request("PUT", urls[name], name, body_path=path)
    manifest = {"version": 1, "files": files, "exitCode": exit_code, "models": _saved_models(folder)}
    if MANIFEST not in urls:
        raise TransferError(f"the grant has no URL for {MANIFEST}")
    _request("PUT", urls[MANIFEST], MANIFEST, body=json.dumps(manifest, sort_keys=True).encode())
    return manifest
