"""A warm template for runners: ``python -m laketahoe.runner warm``.

Starting a runner cold costs about a second of imports (papermill, nbclient, nbformat,
jupyter_client) and its kernel another second (ipykernel, IPython, zmq, tornado). For a
trial whose cells take milliseconds that is nearly all of its time. This process imports
all of that once and then, per request, forks a fresh runner; the runner in turn forks its
kernel from the same imported state (see :func:`fork_kernel`). Every trial still gets new
processes, so nothing a notebook does (variables, imports, monkeypatches, cwd, env) can
outlive it: only the pristine, never-executed template is shared.

Protocol on stdin/stdout, one JSON object a line:

- request ``{"id", "argv", "cwd", "env", "stdout", "stderr"}``: fork a runner with these
  runner arguments, working directory, environment and log files; reply ``{"id", "pid"}``
  or ``{"id", "error"}``.
- ``{"exit": pid, "code": int | null}`` when a runner it forked has ended (null: killed by
  a signal).

The template never imports libraries that read thread settings at import time (numpy,
BLAS): those must see each run's own ``OMP_NUM_THREADS`` and friends.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import logging
import os
import select
import signal
import sys
import tempfile
import warnings

# What a runner imports on its way to the first cell; ipykernel for the kernels it forks.
PRELOAD = (
    "nbformat",
    "papermill",
    "papermill.engines",
    "papermill.clientwrap",
    "nbclient",
    "jupyter_client.manager",
    "jupyter_client.kernelspec",
    "ipykernel.kernelapp",
    "ipykernel.kernelspec",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    # ipykernel imports its debugger (debugpy) while it initialises: the largest part of a kernel's start.
    "ipykernel.debugger",
    # What a kernel imports as it builds its shell and first runs (its debugger, history, inspector, usage).
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "pdb",
    "psutil",
    "sqlite3",
    "tornado.platform.asyncio",
    "nbconvert",
)

# Libraries that size thread pools from the environment when imported: never in the template.
THREAD_SIZED = ("numpy", "scipy", "torch", "tensorflow", "numexpr", "mkl")


class _Template:
    """What the template was like before any run: restored in each forked kernel."""

    path0: str = ""
    warning_filters: list = []


def _preload() -> None:
    """Import the runner's and kernel's dependencies and warm the HTML exporter once."""
    from laketahoe import runner

    # The optional IRI checker the runner blocks; set here only while importing, then undone.
    blocked = "rfc3987_syntax" not in sys.modules
    sys.modules.setdefault("rfc3987_syntax", None)
    try:
        for name in PRELOAD:
            __import__(name)
        import nbformat

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
        runner.html_exporter().from_notebook_node(nb)
        # Builds and caches the schema validator that every read and write of a notebook uses.
        nbformat.validate(nb)
        import laketahoe._kernelclient  # noqa: F401 - imported by each runner's kernel manager
        from jupyter_client.provisioning import KernelProvisionerFactory

        # Scans the installed entry points once, not in every runner.
        KernelProvisionerFactory.instance()
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]
    loaded = [name for name in THREAD_SIZED if name in sys.modules]
    if loaded:
        raise RuntimeError(f"the warm template must not import {', '.join(loaded)}")
    import threading

    # Only the forking thread survives a fork: a template with others could hand runners held locks.
    if threading.active_count() != 1:
        raise RuntimeError("the warm template must not start threads")


def _write(fd: int, obj: dict) -> None:
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def _exit(code: int) -> None:
    """End a forked process as an interpreter would: its own exit handlers (the kernel's socket folder,
    IPython's history) run, the template's and its parent's were dropped at the fork (:func:`_forked`)."""
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _forked() -> None:
    """First steps of every fork: its own session, and no exit handlers of the process it was forked from."""
    os.setsid()
    atexit._clear()


def _become(request: dict) -> None:
    """In the forked child: take the run's session, files, folder and environment."""
    _forked()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    # The template's wakeup pipe is closed below: a signal written to it would print an error in the run's log.
    signal.set_wakeup_fd(-1)
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(request["stdout"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    err = os.open(request["stderr"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    # The template's pipes to the service must not stay open in a run.
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # Found from TMPDIR once and cached: the run's own TMPDIR must count.
    tempfile.tempdir = None
    # As `python -m` would have it: the starting folder first on the path.
    if sys.path and sys.path[0] == _Template.path0:
        sys.path[0] = os.getcwd()


def _run_child(request: dict) -> None:
    """Body of a forked runner; never returns into the template's loop."""
    code = 5
    try:
        _become(request)
        from laketahoe import runner

        code = runner.main(list(request["argv"]))
    except SystemExit as exc:  # argparse errors exit 2
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - a crash must still end this process, not the template's loop
        import traceback

        traceback.print_exc()
    finally:
        _exit(code)


def _launch(request: dict, reply_fd: int) -> int | None:
    try:
        pid = os.fork()
    except OSError as exc:
        _write(reply_fd, {"id": request.get("id"), "error": str(exc)})
        return None
    if pid == 0:
        _run_child(request)
    _write(reply_fd, {"id": request.get("id"), "pid": pid})
    return pid


def _reap(reply_fd: int) -> None:
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = os.waitstatus_to_exitcode(status)
        # CPU seconds of the run, its kernel included (a benchmark's measure that load does not skew).
        cpu = round(usage.ru_utime + usage.ru_stime, 4)
        _write(reply_fd, {"exit": pid, "code": code if code >= 0 else None, "cpuSeconds": cpu})


def serve() -> int:
    """Preload, then fork runners on request until stdin closes (the service went away)."""
    _Template.path0 = sys.path[0] if sys.path else ""
    _Template.warning_filters = list(warnings.filters)
    request_fd, reply_fd = os.dup(0), os.dup(1)
    # Runners must not inherit the service's pipes as their standard streams.
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _preload()
    # Everything imported so far lives as long as the template: kept out of the collector's reach, a full
    # collection in a runner or kernel (IPython runs one as each kernel exits) need not walk it, nor touch
    # (and so copy) the pages it shares with the template.
    gc.collect()
    gc.freeze()
    _write(reply_fd, {"ready": os.getpid()})
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    buffer = b""
    while True:
        try:
            ready, _, _ = select.select([request_fd, wake_read], [], [])
        except InterruptedError:
            ready = []
        if wake_read in ready:
            os.read(wake_read, 4096)
        _reap(reply_fd)
        if request_fd not in ready:
            continue
        chunk = os.read(request_fd, 65536)
        if not chunk:
            return 0
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
            except ValueError:
                continue
            _launch(request, reply_fd)


# --------------------------------------------------------------------------
# Kernels forked from a warm runner


class ForkedKernel:
    """The part of ``subprocess.Popen`` that jupyter_client's provisioner uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 0
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:  # noqa: ARG002 - Popen's signature
        while self.returncode is None:
            try:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                self.returncode = 0
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def can_fork_kernel() -> bool:
    """True in a runner forked from the template, where ipykernel is already imported."""
    return bool(_Template.path0) and "ipykernel.kernelapp" in sys.modules


def fork_kernel(cmd: list[str], env: dict, cwd: str) -> ForkedKernel:
    """Start the kernel ``cmd`` (``python -m ipykernel_launcher -f FILE``) as a fork of this runner.

    The child is made to look like a freshly started kernel: its own session, the kernel's
    environment and folder, default signal handling and warning filters, and only the
    standard streams open (the runner's record channel must stay the runner's alone).
    """
    args = cmd[cmd.index("ipykernel_launcher") + 1:] if "ipykernel_launcher" in cmd else cmd[1:]
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return ForkedKernel(pid)
    code = 1
    try:
        _forked()
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.set_wakeup_fd(-1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        os.environ["JPY_PARENT_PID"] = str(parent)
        sys.path[0] = os.getcwd()
        for entry in reversed([p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]):
            if entry not in sys.path:
                sys.path.insert(1, entry)
        if sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]
        warnings.filters[:] = _Template.warning_filters
        logging.root.handlers.clear()
        # The runner forked us from inside its event loop: this process starts with none.
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(asyncio.new_event_loop())
        import ipykernel.kernelapp

        # Read from the environment at import time in a cold kernel: here it must be passed.
        args = [*args, f"--IPKernelApp.parent_handle={parent}"]
        sys.argv = [ipykernel.kernelapp.__file__, *args]
        ipykernel.kernelapp.launch_new_instance(argv=args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - the fork must never run on as a runner
        import traceback

        traceback.print_exc()
    finally:
        _exit(code)
