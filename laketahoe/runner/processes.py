"""The runner's child processes (kernel or module) and stopping them on SIGTERM/SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import threading

from laketahoe import _secrets

from .protocol import EXIT_TERMINATED, Terminated, write_status


def package_parent() -> str:
    """Directory that makes ``import laketahoe`` work, for child processes."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def child_pythonpath(extra: list[str]) -> str:
    """PYTHONPATH for the kernel or module: extra dirs, this package, the old value."""
    parts = list(extra)
    parts.append(package_parent())
    old = os.environ.get("PYTHONPATH")
    if old:
        parts.extend(p for p in old.split(os.pathsep) if p)
    seen: list[str] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    return os.pathsep.join(seen)


class JobState:
    """What the signal handler needs to stop: the kernel or the module process."""

    kernel_manager = None
    child: subprocess.Popen | None = None
    status_file: str | None = None
    terminating = False
    # Masks the job's secret values in the output notebook, the HTML and the status reason.
    masker = _secrets.Masker([])


def stop_children() -> None:
    """Kill the kernel (its own session, so a group kill of ours misses it) and the module child."""
    km = JobState.kernel_manager
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
    child = JobState.child
    if child is not None and child.poll() is None:
        try:
            child.terminate()
        except OSError:
            pass


def on_terminate(signum, frame):  # noqa: ARG001 - signal handler signature
    if JobState.terminating:
        return
    JobState.terminating = True
    stop_children()

    # If cleanup below hangs (a wedged kernel client), still go promptly.
    def _force_exit():
        write_status(JobState.status_file, EXIT_TERMINATED, f"terminated by signal {signum}")
        os._exit(EXIT_TERMINATED)

    timer = threading.Timer(10.0, _force_exit)
    timer.daemon = True
    timer.start()
    raise Terminated()
