"""Submit -> first cell executed on the local backend, beside its peers measured in the same run.

Prints, over N runs (median and spread):
  - ours:      POST /api/v1/jobs -> the job's first code cell reported done (service, runner, kernel)
  - papermill: papermill.execute_notebook of the same notebook, start -> first cell done (no service)
  - kernel:    jupyter_client starting a python3 kernel until it answers (the floor both pay)

Usage: .venv/bin/python bench/submit_latency.py [--runs 10]
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
from pathlib import Path

import nbformat
import requests

REPO = Path(__file__).resolve().parent.parent
SERVICE = REPO / "server-proxy" / "dist" / "main.js"


def write_notebook(path: Path) -> None:
    """A notebook whose first code cell is trivial, so the time measured is the path to it."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("import time; time.sleep(0.2)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def start_service(root: Path, token: str) -> tuple[subprocess.Popen, str]:
    """Start the service on a free loopback port and wait for its runtime file."""
    runtime = root / "runtime.json"
    env = dict(os.environ, LAKETAHOE_TOKEN=token, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        ["node", str(SERVICE), "serve", "--port", "0", "--root-dir", str(root), "--runtime-file", str(runtime),
         "--python", sys.executable],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not runtime.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("the service did not start")
        time.sleep(0.05)
    time.sleep(0.05)
    return proc, json.loads(runtime.read_text())["url"]


def ours(url: str, token: str, runs: int) -> list[float]:
    """Seconds from submit to completedCells >= 1, read from the service's event stream."""
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for i in range(runs):
        events = requests.get(f"{url}/api/v1/events", headers=headers, stream=True, timeout=120)
        job_id = f"bench_{i}_{secrets.token_hex(3)}"
        start = time.perf_counter()
        answer = requests.post(
            f"{url}/api/v1/jobs",
            headers=headers,
            json={"jobId": job_id, "trainingInput": {"scaleTier": "BASIC", "notebook": {"path": "bench.ipynb"}}},
            timeout=30,
        )
        answer.raise_for_status()
        for line in events.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data:"):
                continue
            job = json.loads(line[5:])
            if job.get("jobId") != job_id:
                continue
            if (job.get("trainingOutput") or {}).get("completedCells", 0) >= 1:
                times.append(time.perf_counter() - start)
                break
            if job.get("state") in ("FAILED", "CANCELLED"):
                raise SystemExit(f"{job_id} ended {job['state']}: {job.get('errorMessage')}")
        events.close()
        # Let the job finish so runs do not overlap.
        while requests.get(f"{url}/api/v1/jobs/{job_id}", headers=headers, timeout=30).json()["state"] not in (
            "SUCCEEDED", "FAILED", "CANCELLED"):
            time.sleep(0.1)
    return times


def papermill_peer(notebook: Path, runs: int) -> list[float]:
    """Seconds from papermill.execute_notebook's start to its first cell done, in this process."""
    import papermill
    from papermill.engines import NBClientEngine, papermill_engines

    marks: list[float] = []

    class FirstCellEngine(NBClientEngine):
        """Records when the first cell completes."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            original = nb_man.cell_complete

            def cell_complete(cell, cell_index=None, **kw):
                if cell_index == 0:
                    marks.append(time.perf_counter())
                return original(cell, cell_index=cell_index, **kw)

            nb_man.cell_complete = cell_complete
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("bench-first-cell", FirstCellEngine)
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            papermill.execute_notebook(str(notebook), str(Path(out) / "out.ipynb"), engine_name="bench-first-cell",
                                       progress_bar=False)
            times.append(marks[-1] - start)
    return times


def kernel_start(runs: int) -> list[float]:
    """Seconds for jupyter_client to start a python3 kernel and get its first reply."""
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3")
        times.append(time.perf_counter() - start)
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return times


def summary(name: str, values: list[float]) -> str:
    """One table row: median, min and max in seconds."""
    return f"{name:<34} {statistics.median(values):8.3f} {min(values):8.3f} {max(values):8.3f}"


def main() -> None:
    """Run the three measurements and print them side by side."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not SERVICE.exists():
        raise SystemExit("build the service first: make setup")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_notebook(root / "bench.ipynb")
        token = secrets.token_urlsafe(24)
        proc, url = start_service(root, token)
        try:
            ours_times = ours(url, token, args.runs)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        pm_times = papermill_peer(root / "bench.ipynb", args.runs)
        kernel_times = kernel_start(args.runs)
    print(f"submit -> first cell executed, {args.runs} runs, seconds (target: ours under 2 s at the median)")
    print(f"{'':<34} {'median':>8} {'min':>8} {'max':>8}")
    print(summary("ours (service + runner + kernel)", ours_times))
    print(summary("papermill alone (peer)", pm_times))
    print(summary("kernel start alone", kernel_times))
    overhead = statistics.median(ours_times) - statistics.median(pm_times)
    print(f"our overhead over papermill at the median: {overhead:.3f} s")


if __name__ == "__main__":
    main()
