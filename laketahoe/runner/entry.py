"""The runner's entry point: parse the arguments, set up channels and signals, run the job, report."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import tempfile

from laketahoe import _artifacts, _secrets

from .channels import close_channels, private_channels
from .events import EventsTailer
from .module import run_module
from .notebook import run_notebook
from .processes import JobState, on_terminate, stop_children
from .protocol import (EVENTS_FILE_ENV, EXIT_ARTIFACTS, EXIT_CRASH, EXIT_INPUT, EXIT_OK, EXIT_TERMINATED,
                       OUTPUT_DIR_ENV, TERMINATION_LOG_ENV, RunnerError, Terminated, write_status)

DESCRIPTION = "Run one training job: ``python -m laketahoe.runner notebook|module ...``."


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for both forms."""
    parser = argparse.ArgumentParser(prog="python -m laketahoe.runner", description=DESCRIPTION)
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
            fh.write(JobState.masker.mask(message)[:4000])
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
    JobState.status_file = args.status_file

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

    signal.signal(signal.SIGTERM, on_terminate)
    signal.signal(signal.SIGINT, on_terminate)
    tailer.start()
    code, reason = EXIT_CRASH, "runner crashed"
    grant, unpacked = None, {}
    try:
        try:
            secret_values = _secrets.load_secret_env()
        except _secrets.SecretError as exc:
            raise RunnerError(EXIT_INPUT, str(exc)) from None
        JobState.masker = _secrets.Masker(secret_values)
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
        stop_children()
        child = JobState.child
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
    write_status(args.status_file, code, JobState.masker.mask(reason))
    close_channels(relays)
    out.flush_held()
    return code
