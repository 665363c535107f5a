"""The notebook form's kernel: which kernelspec, started early over Unix sockets, stopped at the end."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile

from .channels import Output
from .processes import JobState
from .protocol import EXIT_INPUT, RunnerError

log = logging.getLogger("laketahoe.runner")


def this_interpreter_specs():
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
    from traitlets import Type

    from laketahoe import _warm

    class QuietKernelManager(AsyncKernelManager):
        client_class = "laketahoe._kernelclient.QuickReadyClient"
        # client() builds from client_factory, which follows client_class only when that is set on an instance.
        client_factory = Type(klass="laketahoe._kernelclient.QuickReadyClient")

        async def _async_interrupt_kernel(self):
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_finish_shutdown(self, waittime=None, pollinterval=0.1, restart=False):
            # A kernel exits within milliseconds of its shutdown reply: polling every 0.1 s made each run
            # wait most of a poll for nothing after its last cell.
            await super()._async_finish_shutdown(waittime=waittime, pollinterval=0.005, restart=restart)

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


def choose_kernel(nb, asked: str | None, fallback: str | None, out: Output) -> str:
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


def start_kernel(cwd: str, kernel_name: str = "python3"):
    """Start the job's kernel now, so that it boots while this process imports papermill.

    Both take about a second; one after the other they were most of the time from
    submit to the first executed cell. ``python3`` always means ipykernel in this interpreter;
    another name is looked up on the Jupyter path.
    """
    from jupyter_core.utils import run_sync

    specs = {"kernel_spec_manager": this_interpreter_specs()} if kernel_name == "python3" else {}
    km = _kernel_manager_class()(kernel_name=kernel_name, transport="ipc", ip=_kernel_socket_prefix(), **specs)
    JobState.kernel_manager = km
    run_sync(km.start_kernel)(cwd=cwd)
    return km


def shutdown_kernel(km) -> None:
    """Stop the kernel started by ``start_kernel``; a kernel already gone is fine."""
    from jupyter_core.utils import run_sync

    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
    except Exception as exc:  # noqa: BLE001 - shutting down must not mask the job's result
        log.warning("could not shut down the kernel: %s", exc)
