"""Run one training job: ``python -m laketahoe.runner notebook|module ...``.

The service's local backend (and a training container) starts this process and
reads everything it needs from its stdout/stderr: plain log text, plus
structured ``##laketahoe {json}`` records (started, progress, metric, error,
output). Just before exiting it writes ``--status-file`` so that a service that
did not start it (after a restart) still learns the outcome. See
docs/contracts.md, "Runner protocol", for the fixed interface.
"""

from __future__ import annotations

import argparse
import codecs
import functools
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import zipfile

from laketahoe import _artifacts, _secrets

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

EVENTS_FILE_ENV = "LAKETAHOE_EVENTS_FILE"
# Where laketahoe.save_model writes models/<name>/ inside a job: the job's working directory.
OUTPUT_DIR_ENV = "LAKETAHOE_OUTPUT_DIR"
MODRUN_ERROR_ENV = "LAKETAHOE_MODRUN_ERROR"
# Kubernetes shows this file's text as the container's termination message.
TERMINATION_LOG_ENV = "LAKETAHOE_TERMINATION_LOG"

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
MODEL_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

log = logging.getLogger("laketahoe.runner")


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
    from ._metrics import split_finite

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


def _package_parent() -> str:
    """Directory that makes ``import laketahoe`` work, for child processes."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _child_pythonpath(extra: list[str]) -> str:
    """PYTHONPATH for the kernel or module: extra dirs, this package, the old value."""
    parts = list(extra)
    parts.append(_package_parent())
    old = os.environ.get("PYTHONPATH")
    if old:
        parts.extend(p for p in old.split(os.pathsep) if p)
    seen: list[str] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    return os.pathsep.join(seen)


class _State:
    """What the signal handler needs to stop: the kernel or the module process."""

    kernel_manager = None
    child: subprocess.Popen | None = None
    status_file: str | None = None
    terminating = False
    # Masks the job's secret values in the output notebook, the HTML and the status reason.
    masker = _secrets.Masker([])


def _stop_children() -> None:
    """Kill the kernel (its own session, so a group kill of ours misses it) and the module child."""
    km = _State.kernel_manager
    proc = getattr(getattr(km, "provisioner", None), "process", None) if km is not None else None
    if proc is not None and proc.poll() is None:
        try:
            # jupyter_client starts kernels with start_new_session, so the
            # kernel leads its own group: kill it and anything it spawned.
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            try:
                proc.kill()
            except OSError:
                pass
    child = _State.child
    if child is not None and child.poll() is None:
        try:
            child.terminate()
        except OSError:
            pass


def _on_terminate(signum, frame):  # noqa: ARG001 - signal handler signature
    if _State.terminating:
        return
    _State.terminating = True
    _stop_children()

    # If cleanup below hangs (a wedged kernel client), still go promptly.
    def _force_exit():
        write_status(_State.status_file, EXIT_TERMINATED, f"terminated by signal {signum}")
        os._exit(EXIT_TERMINATED)

    timer = threading.Timer(10.0, _force_exit)
    timer.daemon = True
    timer.start()
    raise Terminated()


# --------------------------------------------------------------------------
# Notebook form


def _this_interpreter_specs():
    """A kernelspec manager that always resolves to ipykernel on ``sys.executable``.

    A ``python3`` kernelspec elsewhere on the Jupyter path may point at another
    interpreter; jobs must run where laketahoe and the user's packages are installed.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    class ThisInterpreterSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            from ipykernel.kernelspec import RESOURCES, get_kernel_dict

            spec = get_kernel_dict()
            keep = {k: spec[k] for k in ("argv", "display_name", "language", "metadata") if k in spec}
            return self.kernel_spec_class(resource_dir=RESOURCES, **keep)

    return ThisInterpreterSpecs()


def _kernel_manager_class():
    """``AsyncKernelManager`` that talks to its kernel over Unix sockets and stops it without an interrupt.

    Over TCP every kernel logs that it runs "without encryption" (true: any local
    process could connect); Unix sockets in a private folder are both quiet and closed
    to other users. jupyter_client interrupts a kernel before shutting it down, which
    makes ipykernel log "KeyboardInterrupt caught in kernel" at the end of every job:
    once the notebook is over there is nothing to interrupt.
    """
    from jupyter_client.manager import AsyncKernelManager

    from laketahoe import _warm

    class QuietKernelManager(AsyncKernelManager):
        client_class = "laketahoe._kernelclient.QuickReadyClient"

        async def _async_interrupt_kernel(self):
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # Only this interpreter's own ipykernel is what the template imported; other kernelspecs start cold.
            if not (_warm.can_fork_kernel() and self.kernel_name == "python3" and "ipykernel_launcher" in kernel_cmd):
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            # A runner forked from the warm template forks its kernel too: ipykernel is imported already.
            provisioner = self.provisioner
            process = _warm.fork_kernel(kernel_cmd, kw.get("env") or dict(os.environ), kw.get("cwd") or os.getcwd())
            provisioner.process, provisioner.pid, provisioner.pgid = process, process.pid, process.pid
            provisioner.cwd = kw.get("cwd") or os.getcwd()
            self._reconcile_connection_info(provisioner.connection_info)

    return QuietKernelManager


def _kernel_socket_prefix() -> str:
    """A path prefix for the kernel's Unix sockets in a fresh 0700 folder (removed at exit)."""
    import atexit

    folder = tempfile.mkdtemp(prefix="lt-kernel-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return os.path.join(folder, "k")


def _note_kernelspec(nb) -> None:
    """Say in the log when the notebook asks for a kernel other than the one jobs run on.

    Jobs always run on ipykernel in the runner's own interpreter (where laketahoe and the
    job's packages are); a notebook saved with a conda env's kernelspec would otherwise
    run silently on another Python than its author chose.
    """
    spec = nb.metadata.get("kernelspec") or {}
    name = spec.get("name")
    if not name or name == "python3":
        return
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        installed = name in KernelSpecManager().find_kernel_specs()
    except Exception:  # noqa: BLE001 - only decides the wording of a log line
        installed = False
    what = f"kernel '{name}'" + (f" ({spec['display_name']})" if spec.get("display_name") else "")
    why = "is installed but not used by jobs" if installed else "is not installed here"
    version = ".".join(str(v) for v in sys.version_info[:3])
    log.warning("the notebook's %s %s; running it on Python %s (%s) instead", what, why, version, sys.executable)


def _choose_kernel(nb, asked: str | None, fallback: str | None, out: Output) -> str:
    """The kernelspec to run on: ``asked`` when installed, else ``fallback`` (recorded), else an input error.

    Without ``asked`` (a runner started by hand) jobs keep running on ``python3``: ipykernel in this
    interpreter, where laketahoe and the job's packages are.
    """
    if not asked:
        _note_kernelspec(nb)
        return "python3"
    from jupyter_client.kernelspec import KernelSpecManager

    installed = set(KernelSpecManager().find_kernel_specs()) | {"python3"}
    if asked in installed:
        out.record({"type": "kernel", "name": asked})
        return asked
    if fallback and fallback in installed:
        log.warning("kernel '%s' is not installed here; running on the fallback kernel '%s'", asked, fallback)
        out.record({"type": "kernel", "name": fallback, "requested": asked})
        return fallback
    also = f" (nor the fallback '{fallback}')" if fallback else ""
    raise RunnerError(EXIT_INPUT, f"kernel '{asked}' is not installed here{also}; installed: {', '.join(sorted(installed))}")


def _start_kernel(cwd: str, kernel_name: str = "python3"):
    """Start the job's kernel now, so that it boots while this process imports papermill.

    Both take about a second; one after the other they were most of the time from
    submit to the first executed cell. ``python3`` always means ipykernel in this interpreter;
    another name is looked up on the Jupyter path.
    """
    from jupyter_core.utils import run_sync

    specs = {"kernel_spec_manager": _this_interpreter_specs()} if kernel_name == "python3" else {}
    km = _kernel_manager_class()(kernel_name=kernel_name, transport="ipc", ip=_kernel_socket_prefix(), **specs)
    _State.kernel_manager = km
    run_sync(km.start_kernel)(cwd=cwd)
    return km


def _make_engine(out: Output):
    """Build a papermill engine that reports lifecycle records on ``out``.

    Built lazily because importing papermill/nbclient costs about a second,
    which module jobs should not pay.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager
    from papermill.log import logger as pm_logger
    from papermill.utils import merge_kwargs, remove_args

    class Manager(NotebookExecutionManager):
        """Adds progress records to papermill's per-cell bookkeeping."""

        current_cell: int | None = None
        current_where: dict | None = None
        succeeded_cell: int | None = None

        def cell_start(self, cell, cell_index=None, **kwargs):
            self.current_cell = cell_index
            # Named now: on an error papermill inserts a banner cell at the top, shifting every index.
            self.current_where = cell_label(self.nb, cell_index)
            return super().cell_start(cell, cell_index, **kwargs)

        def cell_complete(self, cell, cell_index=None, **kwargs):
            # papermill calls this in a `finally`, also for a cell that raised
            # or whose kernel died; only a cell that ran through is progress.
            result = super().cell_complete(cell, cell_index, **kwargs)
            if self.succeeded_cell == cell_index:
                out.record({"type": "progress", "cell": cell_index, "totalCells": len(self.nb.cells)})
            return result

    class Client(PapermillNotebookClient):
        """Streams cell output to the runner's stdout/stderr as it arrives."""

        def create_kernel_manager(self):
            self.km = self.kernel_manager_class(
                kernel_name="python3", kernel_spec_manager=_this_interpreter_specs(), config=self.config
            )
            _State.kernel_manager = self.km
            return self.km

        def execute_cell(self, cell, cell_index, *args, **kwargs):
            result = super().execute_cell(cell, cell_index, *args, **kwargs)
            self.nb_man.succeeded_cell = cell_index
            return result

        def papermill_execute_cells(self):
            # The kernel is up: this is when the job really starts running.
            out.record({"type": "started", "totalCells": len(self.nb.cells)})
            return super().papermill_execute_cells()

        def log_output_message(self, output):
            kind = output.output_type
            if kind == "stream":
                text = "".join(output.text)
                if output.name == "stderr":
                    sys.stderr.write(text)
                    sys.stderr.flush()
                else:
                    out.text(text)
            elif kind in ("execute_result", "display_data") and "text/plain" in output.get("data", {}):
                out.text("".join(output.data["text/plain"]) + "\n")
            elif kind == "error":
                sys.stderr.write(strip_ansi("\n".join(output.traceback)) + "\n")
                sys.stderr.flush()

    class Engine(NBClientEngine):
        """papermill's nbclient engine with our manager and client."""

        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=False, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = Manager(nb, output_path=output_path, progress_bar=False, log_output=log_output,
                             autosave_cell_every=autosave_cell_every)
            Engine.manager = nb_man
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=pm_logger,
                log_output=log_output,
            )
            client = Client(nb_man, **final_kwargs)
            # The kernel was started early by the runner and is handed over: owning it, nbclient shuts
            # it down and closes its channels (otherwise a "could not destroy zmq context" warning).
            client.owns_km = True
            return client.execute()

    Engine.manager = None
    return Engine


@functools.lru_cache(maxsize=1)
def html_exporter():
    """One HTML exporter per process: loading its templates costs more than rendering a small notebook.

    The warm template builds it once so that forked runners render without loading anything.
    """
    from nbconvert import HTMLExporter

    return HTMLExporter()


def _render_html(output_path: str, html_path: str) -> bool:
    """Render the executed notebook to HTML; a failure here must not fail the job."""
    try:
        import nbformat

        nb = nbformat.read(output_path, as_version=4)
        body, _ = html_exporter().from_notebook_node(nb)
        with open(html_path, "w", encoding="utf-8") as fh:
            fh.write(body)
        return True
    except Exception as exc:  # noqa: BLE001 - any renderer problem is only a warning
        log.warning("could not render %s: %s", html_path, exc)
        return False


def _shutdown_kernel(km) -> None:
    """Stop the kernel started by ``_start_kernel``; a kernel already gone is fine."""
    from jupyter_core.utils import run_sync

    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
    except Exception as exc:  # noqa: BLE001 - shutting down must not mask the job's result
        log.warning("could not shut down the kernel: %s", exc)


def cell_label(nb, index: int | None) -> dict:
    """How a user names cell ``index`` of the executed notebook ``nb``.

    papermill inserts its ``injected-parameters`` cell into the notebook it runs, so
    the executed index is one past the user's own count after that cell, and 0-based
    besides. Returns ``{"cellNumber": n}`` (1-based among the cells of the notebook
    as the user wrote it) or ``{"injectedParameters": True}`` for papermill's cell,
    plus ``label``, the phrase used in messages ("Cell 3", "The injected parameters cell").
    """
    if index is None or nb is None or not 0 <= index < len(nb.cells):
        return {"label": "A cell"}

    def injected(cell) -> bool:
        return "injected-parameters" in cell.get("metadata", {}).get("tags", [])

    if injected(nb.cells[index]):
        return {"injectedParameters": True, "label": "The injected parameters cell"}
    number = sum(1 for cell in nb.cells[: index + 1] if not injected(cell))
    return {"cellNumber": number, "label": f"Cell {number}"}


def _failing_cell(manager, index: int | None) -> dict:
    """``cell_label`` of the cell that was running when execution stopped (a copy: callers pop from it)."""
    if manager is not None and manager.current_where is not None and manager.current_cell == index:
        return dict(manager.current_where)
    return {"label": "A cell"}


def run_notebook(args, out: Output, tailer: EventsTailer) -> tuple[int, str]:
    """Execute a notebook with papermill; return (exit code, reason)."""
    if args.parameters_json:
        try:
            parameters = json.loads(args.parameters_json)
        except ValueError as exc:
            raise RunnerError(EXIT_BAD_ARGS, f"--parameters-json is not valid JSON: {exc}") from None
        if not isinstance(parameters, dict):
            raise RunnerError(EXIT_BAD_ARGS, "--parameters-json must be a JSON object")
    else:
        parameters = {}

    input_path = os.path.abspath(args.input)
    if not os.path.isfile(input_path):
        raise RunnerError(EXIT_INPUT, f"notebook not found: {args.input}")
    # jsonschema (under nbformat) loads this optional IRI-format checker whenever it is installed
    # (jupyter-events pulls it in); compiling its grammar costs over a second per job, and notebook
    # validation never checks IRIs. A None entry makes that optional import fail fast.
    sys.modules.setdefault("rfc3987_syntax", None)
    import warnings

    import nbformat
    from nbformat.warnings import MissingIDFieldWarning

    # Notebooks written before nbformat 4.5 have no cell ids; nbformat adds them in memory and
    # warns at each of the runner's reads and writes, which is noise in every such job's log.
    warnings.filterwarnings("ignore", category=MissingIDFieldWarning)
    try:
        nb = nbformat.read(input_path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure means unreadable input
        raise RunnerError(EXIT_INPUT, f"cannot read notebook {args.input}: {exc}") from None
    kernel_name = _choose_kernel(nb, args.kernel, args.kernel_fallback, out)
    cwd = os.path.abspath(args.cwd) if args.cwd else os.path.dirname(input_path)
    if not os.path.isdir(cwd):
        raise RunnerError(EXIT_INPUT, f"working directory not found: {args.cwd}")
    # Absolute, because papermill saves the notebook while chdir'ed into cwd.
    output_path = os.path.abspath(args.output)
    html_path = os.path.abspath(args.html) if args.html else None

    # The kernel inherits our environment: make `import laketahoe` work there.
    os.environ["PYTHONPATH"] = _child_pythonpath([])

    kernel_manager = _start_kernel(cwd, kernel_name)

    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError

    engine = _make_engine(out)
    papermill_engines.register("laketahoe", engine)

    code, reason = EXIT_OK, ""
    try:
        papermill.execute_notebook(
            input_path,
            output_path,
            parameters=parameters or None,
            engine_name="laketahoe",
            kernel_name=kernel_name,
            language="python",
            progress_bar=False,
            log_output=True,
            cwd=cwd,
            start_timeout=120,
            km=kernel_manager,
        )
    except PapermillExecutionError as exc:
        traceback_text = strip_ansi("\n".join(exc.traceback or []))
        tailer.poll()
        where = _failing_cell(engine.manager, exc.cell_index)
        label = where.pop("label")
        out.record({"type": "error", "cell": exc.cell_index, **where, "ename": exc.ename,
                    "evalue": strip_ansi(str(exc.evalue)), "traceback": traceback_text})
        summary = f"{label} raised {exc.ename}: {strip_ansi(str(exc.evalue))}"
        code, reason = EXIT_RAISED, summary + ("\n" + traceback_text if traceback_text else "")
    except DeadKernelError as exc:
        cell = getattr(engine.manager, "current_cell", None)
        tailer.poll()
        where = _failing_cell(engine.manager, cell)
        label = where.pop("label")
        out.record({"type": "error", "cell": cell, **where, "ename": "DeadKernelError",
                    "evalue": str(exc) or "Kernel died", "traceback": ""})
        code, reason = EXIT_KERNEL_DIED, f"The kernel died while running {label[0].lower()}{label[1:]}"
    except RuntimeError as exc:
        # nbclient raises plain RuntimeError when the kernel never comes up.
        if engine.manager is None or engine.manager.current_cell is None:
            code, reason = EXIT_KERNEL_DIED, f"The kernel failed to start: {exc}"
        else:
            raise
    finally:
        # nbclient shuts down only kernels it started itself.
        _shutdown_kernel(kernel_manager)

    tailer.poll()
    if os.path.isfile(output_path):
        _State.masker.mask_file(output_path)
        wrote_html = bool(html_path) and _render_html(output_path, html_path)
        if wrote_html:
            _State.masker.mask_file(html_path)
        record = {"type": "output", "notebook": args.output}
        if wrote_html:
            record["html"] = args.html
        out.record(record)
    return code, reason


# --------------------------------------------------------------------------
# Module form


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
        env["PYTHONPATH"] = _child_pythonpath(roots)
        env["PYTHONUNBUFFERED"] = "1"
        env[MODRUN_ERROR_ENV] = error_file
        cmd = [sys.executable, "-m", "laketahoe._modrun", args.module, *args.args]
        out.record({"type": "started", "totalCells": 0})
        # stdout goes through us so records never land inside a partial line.
        child = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=None, stdin=subprocess.DEVNULL)
        _State.child = child
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


# --------------------------------------------------------------------------
# Entry point


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for both forms."""
    parser = argparse.ArgumentParser(prog="python -m laketahoe.runner", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="form", required=True)

    nb = sub.add_parser("notebook", help="execute a notebook with papermill")
    nb.add_argument("--input", required=True, help="notebook to execute")
    nb.add_argument("--output", required=True, help="executed notebook to write")
    nb.add_argument("--html", help="HTML rendering of the executed notebook to write")
    nb.add_argument("--parameters-json", help="JSON object of parameters injected after the `parameters` cell")
    nb.add_argument("--cwd", help="working directory of the kernel (default: the notebook's folder)")
    nb.add_argument("--status-file", help="file that receives {exitCode, reason} before exit")
    nb.add_argument("--artifacts", help="artifact grant (JSON of presigned URLs): fetch inputs, upload outputs")
    nb.add_argument("--kernel", help="kernelspec to run on (default: python3 in this interpreter)")
    nb.add_argument("--kernel-fallback", help="kernelspec to run on when --kernel is not installed")

    mod = sub.add_parser("module", help="run a Python module (python -m) with packages")
    mod.add_argument("--module", required=True, help="module to run, e.g. trainer.task")
    mod.add_argument("--package", action="append", default=[], help="local .tar.gz/.whl package (repeatable)")
    mod.add_argument("--cwd", help="working directory of the module (default: current)")
    mod.add_argument("--status-file", help="file that receives {exitCode, reason} before exit")
    mod.add_argument("--artifacts", help="artifact grant (JSON of presigned URLs): fetch inputs, upload outputs")
    return parser


def parse_args(argv: list[str]):
    """Parse ``argv``; everything after ``--`` is passed to the module untouched."""
    argv = list(argv)
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    args = build_parser().parse_args(argv)
    if args.form == "notebook" and extra:
        build_parser().error("notebook form takes no arguments after --")
    args.args = extra
    return args


def _upload(grant: dict, args, workdir: str, unpacked: dict, code: int, reason: str) -> tuple[int, str]:
    """Upload the outputs after the run, success or failure; a failed upload fails a succeeded run."""
    if not grant.get("outputs"):
        return code, reason  # a role that only fetches inputs (a distributed job's workers)
    notebook = getattr(args, "output", None)
    html = getattr(args, "html", None)
    try:
        manifest = _artifacts.upload_outputs(
            grant, workdir,
            os.path.abspath(notebook) if notebook else None,
            os.path.abspath(html) if html else None,
            unpacked, code)
    except _artifacts.TransferError as exc:
        message = f"could not upload outputs: {exc}"
        print(f"laketahoe.runner: {message}", file=sys.stderr, flush=True)
        _termination_message(message)
        if code == EXIT_OK:
            return EXIT_ARTIFACTS, message
        return code, f"{reason}\n{message}"
    total = sum(f["size"] for f in manifest["files"].values())
    print(f"laketahoe.runner: uploaded outputs ({', '.join(manifest['files'])}; {total} bytes)", file=sys.stderr, flush=True)
    return code, reason


def _termination_message(message: str) -> None:
    """Leave the reason where Kubernetes shows it (the container's termination message)."""
    path = os.environ.get(TERMINATION_LOG_ENV)
    if not path:
        return
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(_State.masker.mask(message)[:4000])
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the job and return the exit code (see contracts.md)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["warm"]:
        from laketahoe import _warm

        return _warm.serve()
    args = parse_args(argv)  # argparse exits 2 itself
    try:
        sys.stdout.reconfigure(errors="backslashreplace")
    except AttributeError:
        pass
    # What the job writes (outputs, saved models, logs) is its owner's alone, whatever umask we got.
    os.umask(0o077)
    out, _errors, relays = private_channels()
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except AttributeError:
        pass
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="[%(name)s] %(message)s")
    _State.status_file = args.status_file

    # Outside the service (by hand, tests) there may be no events file yet.
    if not os.environ.get(EVENTS_FILE_ENV):
        fd, path = tempfile.mkstemp(prefix="laketahoe-events-", suffix=".jsonl")
        os.close(fd)
        os.environ[EVENTS_FILE_ENV] = path
    tailer = EventsTailer(os.environ[EVENTS_FILE_ENV], out)
    # The runner starts in the job's working directory; saved models go there, beside the outputs,
    # so that the record's relative path means the same to the service. Always set, never inherited:
    # a value left in the service's environment would send every job's models to one place.
    workdir = os.getcwd()
    os.environ[OUTPUT_DIR_ENV] = workdir

    signal.signal(signal.SIGTERM, _on_terminate)
    signal.signal(signal.SIGINT, _on_terminate)
    tailer.start()
    code, reason = EXIT_CRASH, "runner crashed"
    grant, unpacked = None, {}
    try:
        try:
            secret_values = _secrets.load_secret_env()
        except _secrets.SecretError as exc:
            raise RunnerError(EXIT_INPUT, str(exc)) from None
        _State.masker = _secrets.Masker(secret_values)
        out.mask_secrets(secret_values)
        _errors.mask_secrets(secret_values)
        if args.artifacts:
            if not os.path.isfile(args.artifacts):
                raise RunnerError(EXIT_ARTIFACTS, f"could not fetch inputs: no artifact grant at {args.artifacts}")
            try:
                grant = _artifacts.load_grant(args.artifacts)
                unpacked = _artifacts.fetch_inputs(grant, workdir)
            except _artifacts.TransferError as exc:
                raise RunnerError(EXIT_ARTIFACTS, f"could not fetch inputs: {exc}") from None
        if args.form == "notebook":
            code, reason = run_notebook(args, out, tailer)
        else:
            code, reason = run_module(args, out, tailer)
    except RunnerError as exc:
        print(f"laketahoe.runner: {exc.reason}", file=sys.stderr, flush=True)
        code, reason = exc.code, exc.reason
    except Terminated:
        _stop_children()
        child = _State.child
        if child is not None:
            # Give the module its SIGTERM grace, then make sure it is gone.
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        code, reason = EXIT_TERMINATED, "terminated by signal"
    except Exception as exc:  # noqa: BLE001 - the status file must say the runner crashed
        import traceback

        traceback.print_exc()
        code, reason = EXIT_CRASH, f"runner crashed: {type(exc).__name__}: {exc}"
    finally:
        # Past this point another signal must not interrupt the status write.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        tailer.stop()
    if grant is not None:
        code, reason = _upload(grant, args, workdir, unpacked, code, reason)
    write_status(args.status_file, code, _State.masker.mask(reason))
    close_channels(relays)
    out.flush_held()
    return code


if __name__ == "__main__":
    sys.exit(main())
