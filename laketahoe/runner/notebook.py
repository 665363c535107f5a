"""The notebook form: execute a notebook with papermill, reporting progress, errors and outputs."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys

from .channels import Output, strip_ansi
from .events import EventsTailer
from .kernel import choose_kernel, shutdown_kernel, start_kernel, this_interpreter_specs
from .processes import JobState, child_pythonpath
from .protocol import EXIT_BAD_ARGS, EXIT_INPUT, EXIT_KERNEL_DIED, EXIT_OK, EXIT_RAISED, RunnerError

log = logging.getLogger("laketahoe.runner")


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
                kernel_name="python3", kernel_spec_manager=this_interpreter_specs(), config=self.config
            )
            JobState.kernel_manager = self.km
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
    kernel_name = choose_kernel(nb, args.kernel, args.kernel_fallback, out)
    cwd = os.path.abspath(args.cwd) if args.cwd else os.path.dirname(input_path)
    if not os.path.isdir(cwd):
        raise RunnerError(EXIT_INPUT, f"working directory not found: {args.cwd}")
    # Absolute, because papermill saves the notebook while chdir'ed into cwd.
    output_path = os.path.abspath(args.output)
    html_path = os.path.abspath(args.html) if args.html else None

    # The kernel inherits our environment: make `import laketahoe` work there.
    os.environ["PYTHONPATH"] = child_pythonpath([])

    kernel_manager = start_kernel(cwd, kernel_name)

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
        shutdown_kernel(kernel_manager)

    tailer.poll()
    if os.path.isfile(output_path):
        JobState.masker.mask_file(output_path)
        wrote_html = bool(html_path) and _render_html(output_path, html_path)
        if wrote_html:
            JobState.masker.mask_file(html_path)
        record = {"type": "output", "notebook": args.output}
        if wrote_html:
            record["html"] = args.html
        out.record(record)
    return code, reason
