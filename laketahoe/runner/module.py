"""The module form: run ``python -m MODULE ARGS`` with the job's packages importable."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

from .channels import Output
from .events import EventsTailer
from .processes import JobState, child_pythonpath
from .protocol import EXIT_BAD_ARGS, EXIT_INPUT, EXIT_OK, EXIT_RAISED, MODRUN_ERROR_ENV, RunnerError

_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _local_package_path(uri: str) -> str:
    """Map a package URI to a local path; only local paths work without a cluster."""
    if uri.startswith("file://"):
        return uri[len("file://"):]
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", uri):
        raise RunnerError(EXIT_BAD_ARGS, f"package {uri}: this scheme is not supported by the local backend")
    return uri


def _unpack(archive: str, dest: str) -> list[str]:
    """Unpack an sdist or wheel and return the directories to put on sys.path."""
    name = os.path.basename(archive)
    try:
        if name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():
                    target = os.path.realpath(os.path.join(dest, member))
                    if not target.startswith(os.path.realpath(dest) + os.sep):
                        raise RunnerError(EXIT_INPUT, f"package {archive}: unsafe path {member}")
                zf.extractall(dest)
        else:
            with tarfile.open(archive) as tf:
                # The "data" filter refuses absolute paths, links out of dest and devices.
                tf.extractall(dest, filter="data")
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise RunnerError(EXIT_INPUT, f"cannot unpack package {archive}: {exc}") from None
    entries = [e for e in os.listdir(dest) if not e.startswith(".")]
    # An sdist holds one folder `name-version/`; its code is there or in src/.
    root = os.path.join(dest, entries[0]) if len(entries) == 1 and os.path.isdir(os.path.join(dest, entries[0])) else dest
    roots = [root]
    if os.path.isdir(os.path.join(root, "src")):
        roots.insert(0, os.path.join(root, "src"))
    return roots


def _has_top_level(roots: list[str], module: str) -> bool:
    top = module.split(".")[0]
    return any(os.path.isdir(os.path.join(r, top)) or os.path.isfile(os.path.join(r, top + ".py")) for r in roots)


def _pip_install(archive: str, target: str) -> None:
    """Fallback for packages whose layout unpacking cannot resolve (custom setup.py)."""
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--no-build-isolation",
           "--disable-pip-version-check", "--quiet", "--target", target, archive]
    result = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if result.returncode != 0:
        raise RunnerError(EXIT_INPUT, f"cannot install package {archive} (pip exit {result.returncode})")


def run_module(args, out: Output, tailer: EventsTailer) -> tuple[int, str]:
    """Run ``python -m MODULE ARGS`` with the job's packages importable."""
    if not _MODULE_NAME.match(args.module or ""):
        raise RunnerError(EXIT_BAD_ARGS, f"invalid module name: {args.module!r}")
    archives = []
    for uri in args.package or []:
        path = os.path.abspath(_local_package_path(uri))
        if not os.path.isfile(path):
            raise RunnerError(EXIT_INPUT, f"package not found: {uri}")
        archives.append(path)
    cwd = os.path.abspath(args.cwd) if args.cwd else os.getcwd()
    if not os.path.isdir(cwd):
        raise RunnerError(EXIT_INPUT, f"working directory not found: {args.cwd}")

    scratch = tempfile.mkdtemp(prefix="laketahoe-packages-")
    try:
        roots: list[str] = []
        for i, archive in enumerate(archives):
            dest = os.path.join(scratch, str(i))
            os.makedirs(dest)
            roots.extend(_unpack(archive, dest))
        if archives and not _has_top_level(roots, args.module):
            site = os.path.join(scratch, "site")
            for archive in archives:
                _pip_install(archive, site)
            roots.insert(0, site)

        error_file = os.path.join(scratch, "error.json")
        env = dict(os.environ)
        env["PYTHONPATH"] = child_pythonpath(roots)
        env["PYTHONUNBUFFERED"] = "1"
        env[MODRUN_ERROR_ENV] = error_file
        cmd = [sys.executable, "-m", "laketahoe._modrun", args.module, *args.args]
        out.record({"type": "started", "totalCells": 0})
        # stdout goes through us so records never land inside a partial line.
        child = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=None, stdin=subprocess.DEVNULL)
        JobState.child = child
        fd = child.stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out.text(chunk.decode("utf-8", errors="replace"))
        rc = child.wait()
        tailer.poll()

        if rc == 0:
            return EXIT_OK, ""
        error = None
        try:
            with open(error_file, encoding="utf-8") as fh:
                error = json.load(fh)
        except (OSError, ValueError):
            pass
        if error and error.get("notFound"):
            return EXIT_INPUT, f"module not found: {args.module}"
        if error:
            out.record({"type": "error", "cell": None, "ename": error.get("ename", ""),
                        "evalue": error.get("evalue", ""), "traceback": error.get("traceback", "")})
            reason = f"Module {args.module} raised {error.get('ename')}: {error.get('evalue')}"
            if error.get("traceback"):
                reason += "\n" + error["traceback"]
            return EXIT_RAISED, reason
        if rc < 0:
            return EXIT_RAISED, f"Module {args.module} was killed by signal {-rc}"
        return EXIT_RAISED, f"Module {args.module} exited with code {rc}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
