"""Per-trial overhead of an HPO job on the local backend, beside its peers measured in the same run.

A trivial notebook (read a parameter, report it) is run as the trials of one HPO job, one trial at a
time, so each trial's time is nearly all overhead: process and kernel start, executing, writing the
output notebook and its HTML, the service noticing the end. Prints, in seconds per trial:

  - ours, warm:   the service as shipped (runners and kernels forked from a warm template)
  - ours, cold:   the same service with LAKETAHOE_WARM_RUNNERS=0 (a new runner and kernel per trial)
  - papermill:    papermill.execute_notebook of the same notebook, N times in a loop, in this process
  - kernel:       jupyter_client starting a python3 kernel until it answers, then stopping it

For ours, "per trial" is the job's wall time (first trial queued -> last trial ended) divided by the
trials, and "run" is a trial's own start -> end as the service recorded it. "CPU/trial" counts every
process involved (for ours: the service, the template, runners and kernels over the service's whole
life) divided by the trials: on a machine shared with other work it is the figure that load does not
skew, while the wall times grow with the load average printed last.

Usage: .venv/bin/python bench/hpo_overhead.py [--trials 50]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
import requests

REPO = Path(__file__).resolve().parent.parent
SERVICE = REPO / "server-proxy" / "dist" / "main.js"
ENDED = ("SUCCEEDED", "FAILED", "CANCELLED")


def write_notebook(path: Path) -> None:
    """A trial that does no work: take `x`, report it."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 0.5", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import laketahoe\nlaketahoe.report(objective=x)"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def start_service(root: Path, token: str, warm: bool) -> tuple[subprocess.Popen, str]:
    """Start the service on a free loopback port and wait for its runtime file."""
    runtime = root / "runtime.json"
    env = dict(os.environ, LAKETAHOE_TOKEN=token, PYTHONPATH=str(REPO), LAKETAHOE_WARM_RUNNERS="1" if warm else "0")
    proc = subprocess.Popen(
        ["node", str(SERVICE), "serve", "--port", "0", "--root-dir", str(root), "--runtime-file", str(runtime),
         "--python", sys.executable, "--log-level", "warn"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not runtime.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("the service did not start")
        time.sleep(0.05)
    time.sleep(0.05)
    return proc, json.loads(runtime.read_text())["url"]


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def children_cpu() -> float:
    """CPU seconds of this process's ended children and everything they waited for."""
    t = os.times()
    return t.children_user + t.children_system


def adopt_orphans() -> None:
    """Become the subreaper of what the service leaves: the warm template outlives the service by a moment,
    and its CPU (with its runners' and kernels') counts only once this process has reaped it."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans(timeout: float = 30) -> None:
    """Wait for every process left to this one (the template ends once the service's pipe closes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def ours(warm: bool, notebook: Path, trials: int) -> tuple[float, list[float], float]:
    """(wall seconds per trial, each trial's start -> end, CPU seconds per trial) for one HPO job.

    The CPU is the whole service's over its life (runners, kernels, the template and the one-trial
    warm-up job included) divided by the trials: the measure that other work on the machine does not skew.
    """
    cpu_before = children_cpu()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "bench.ipynb").write_bytes(notebook.read_bytes())
        token = secrets.token_urlsafe(24)
        proc, url = start_service(root, token, warm)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            # A warm-up job, so that the template's one-time imports are not counted as a trial's.
            for job_id, count in (("warmup", 1), ("bench", trials)):
                answer = requests.post(f"{url}/api/v1/jobs", headers=headers, timeout=30, json={
                    "jobId": job_id,
                    "trainingInput": {"scaleTier": "BASIC", "notebook": {"path": "bench.ipynb"}, "hyperparameters": {
                        "goal": "MAXIMIZE", "hyperparameterMetricTag": "objective", "maxTrials": count,
                        "maxParallelTrials": 1, "algorithm": "RANDOM_SEARCH",
                        "params": [{"parameterName": "x", "type": "DOUBLE", "minValue": 0, "maxValue": 1}]}}})
                answer.raise_for_status()
                while (job := requests.get(f"{url}/api/v1/jobs/{job_id}", headers=headers, timeout=30).json())["state"] not in ENDED:
                    time.sleep(0.2)
                if job["state"] != "SUCCEEDED":
                    raise SystemExit(f"{job_id} ended {job['state']}: {job.get('errorMessage')}")
            listed = requests.get(f"{url}/api/v1/jobs/bench/trials", headers=headers, timeout=30).json()["trials"]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            reap_orphans()
    failed = [t["trialId"] for t in listed if t["state"] != "SUCCEEDED"]
    if failed or len(listed) != trials:
        raise SystemExit(f"trials did not all succeed: {failed}")
    runs = [_seconds(t["startTime"], t["endTime"]) for t in listed]
    wall = _seconds(min(t["createTime"] for t in listed), max(t["endTime"] for t in listed))
    return wall / trials, runs, (children_cpu() - cpu_before) / trials


def cpu_now() -> float:
    """CPU seconds of this process and its ended children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def papermill_loop(notebook: Path, runs: int) -> list[float]:
    """Seconds per papermill.execute_notebook of the same notebook, in a loop in this process."""
    import papermill

    times = []
    for i in range(runs):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            papermill.execute_notebook(str(notebook), str(Path(out) / "out.ipynb"), parameters={"x": i / runs},
                                       progress_bar=False, cwd=str(notebook.parent))
            times.append(time.perf_counter() - start)
    return times


def kernel_start(runs: int) -> list[float]:
    """Seconds for jupyter_client to start a python3 kernel, get its first reply and stop it."""
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3")
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        times.append(time.perf_counter() - start)
    return times


def row(name: str, per_trial: float, values: list[float], cpu: float) -> str:
    """One table row."""
    return (f"{name:<34} {per_trial:10.3f} {statistics.median(values):8.3f} {min(values):8.3f} {max(values):8.3f}"
            f" {cpu:10.3f}")


def main() -> None:
    """Measure ours warm and cold, papermill and a bare kernel start, and print them side by side."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args()
    if not SERVICE.exists():
        raise SystemExit("build the service first: make setup")
    adopt_orphans()
    with tempfile.TemporaryDirectory() as tmp:
        notebook = Path(tmp) / "bench.ipynb"
        write_notebook(notebook)
        warm_per, warm_runs, warm_cpu = ours(True, notebook, args.trials)
        cold_per, cold_runs, cold_cpu = ours(False, notebook, args.trials)
        before = cpu_now()
        pm = papermill_loop(notebook, args.trials)
        pm_cpu = (cpu_now() - before) / args.trials
        before = cpu_now()
        kernels = kernel_start(args.trials)
        kernel_cpu = (cpu_now() - before) / args.trials
    print(f"HPO job of {args.trials} trivial trials, one at a time; seconds (target: ours, warm <= 0.5 per trial)")
    print(f"{'':<34} {'per trial':>10} {'median':>8} {'min':>8} {'max':>8} {'CPU/trial':>10}")
    print(row("ours, warm runners", warm_per, warm_runs, warm_cpu))
    print(row("ours, cold runners (before)", cold_per, cold_runs, cold_cpu))
    print(row("papermill in a loop (peer)", statistics.mean(pm), pm, pm_cpu))
    print(row("bare kernel start + stop", statistics.mean(kernels), kernels, kernel_cpu))
    print("per trial: wall time, first trial queued -> last trial ended, / N (ours) or mean of the loop (peers);")
    print("median..max: each trial's own start -> end, or each run; CPU/trial: CPU seconds of every process involved / N")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
