"""Checks an installed laketahoe wheel end to end; run by tools/wheel/test.sh with the fresh environment's Python.

usage: python check_installed.py CHECKOUT SERVER_URL TOKEN ROOT_DIR SERVING_DONE_FILE

The Jupyter server at SERVER_URL (root ROOT_DIR) runs from the same environment. Checks, in order: the package
comes from site-packages, not CHECKOUT; /laketahoe/api/v1/info answers through the proxy with the package's
version; a notebook job submitted with the CLI and one submitted with ``%lt submit`` from a real kernel both
SUCCEED with an output notebook; once the serving environment is ready (SERVING_DONE_FILE holds its exit
status), the model the CLI job saved deploys and answers like the model in-process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import joblib
import nbformat
from jupyter_client.manager import start_new_kernel
from nbformat.v4 import new_code_cell, new_notebook
from sklearn.datasets import load_iris

import laketahoe
from laketahoe.client import Client

CHECKOUT, URL, TOKEN, ROOT, SERVING_DONE = sys.argv[1:6]
ROOT_DIR = Path(ROOT)
MODEL = "wheel-iris"
passed: list[str] = []


def check(name: str, ok: bool, detail: object = "") -> None:
    if not ok:
        raise SystemExit(f"FAIL: {name}: {detail}")
    passed.append(name)
    print(f"ok: {name}", flush=True)


def write_notebook(path: Path, source: str, parameters: str) -> None:
    nb = new_notebook(cells=[new_code_cell(parameters, metadata={"tags": ["parameters"]}), new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def wait_job(client: Client, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get_job(job_id)
        if job["state"] in ("SUCCEEDED", "FAILED", "CANCELLED") or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


def output_notebook_ran(job: dict, marker: str) -> bool:
    rel = (job.get("trainingOutput") or {}).get("outputNotebook")
    if not rel or not (ROOT_DIR / rel).is_file():
        return False
    nb = nbformat.read(str(ROOT_DIR / rel), as_version=4)
    return any(marker in json.dumps(cell.get("outputs", [])) for cell in nb.cells)


# 1. The installed package, not the checkout.
pkg = Path(laketahoe.__file__).resolve()
site = Path(sysconfig.get_paths()["purelib"]).resolve()
check("laketahoe imports from the environment's site-packages", site in pkg.parents and Path(CHECKOUT) not in pkg.parents, pkg)
check("the bundled service is installed", (pkg.parent / "service" / "main.mjs").is_file())

# 2. The service through Jupyter Server's proxy path; one version everywhere.
with urllib.request.urlopen(f"{URL}laketahoe/api/v1/info?token={TOKEN}", timeout=60) as response:
    info = json.load(response)
labext = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "laketahoe" / "package.json"
ext_version = json.loads(labext.read_text())["version"]
cli_version = subprocess.run(["laketahoe", "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]
check("/laketahoe/api/v1/info answers through the proxy", info.get("rootDir") == str(ROOT_DIR.resolve()), info)
check("one version: laketahoe --version, /api/v1/info, the labextension",
      info["version"] == cli_version == ext_version == laketahoe.__version__,
      (info["version"], cli_version, ext_version, laketahoe.__version__))

client = Client.from_environment()

# 3. A notebook job from the CLI: trains and saves a model.
write_notebook(ROOT_DIR / "train.ipynb", f"""
import laketahoe
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
X, y = load_iris(return_X_y=True, as_frame=True)
model = RandomForestClassifier(n_estimators=n_estimators, random_state=0).fit(X, y)
laketahoe.report(accuracy=model.score(X, y))
laketahoe.save_model(model, "{MODEL}", X, y)
print("trained", n_estimators)
""", "n_estimators = 2")
(ROOT_DIR / "job.yaml").write_text("trainingInput:\n  scaleTier: BASIC\n  notebook:\n    path: train.ipynb\n"
                                   "    parameters: {n_estimators: 7}\n")
submitted = subprocess.run(["laketahoe", "jobs", "submit", "training", "wheel_cli", "--config", "job.yaml"],
                           cwd=ROOT_DIR, capture_output=True, text=True, timeout=120)
check("laketahoe jobs submit training", submitted.returncode == 0, submitted.stderr)

# 4. A notebook job from a real kernel with %lt submit.
write_notebook(ROOT_DIR / "hello.ipynb", "print('hello from', who)", "who = 'nobody'")
km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT_DIR))
try:
    reply = kc.execute_interactive("%load_ext laketahoe\n%lt submit hello.ipynb --job-id wheel_magic -p who=the_kernel",
                                   timeout=120, output_hook=lambda msg: None)
    check("%lt submit from a kernel", reply["content"]["status"] == "ok", reply["content"])
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)

cli_job = wait_job(client, "wheel_cli")
check("the CLI job SUCCEEDED", cli_job["state"] == "SUCCEEDED", cli_job.get("errorMessage"))
check("the CLI job's output notebook has its output", output_notebook_ran(cli_job, "trained 7"), cli_job.get("trainingOutput"))
magic_job = wait_job(client, "wheel_magic")
check("the %lt submit job SUCCEEDED", magic_job["state"] == "SUCCEEDED", magic_job.get("errorMessage"))
check("the %lt submit job's output notebook has its output", output_notebook_ran(magic_job, "hello from the_kernel"),
      magic_job.get("trainingOutput"))

# 5. The serving environment (built meanwhile by `laketahoe serving-env create`), then a deployment.
deadline = time.monotonic() + 900
while not Path(SERVING_DONE).is_file() and time.monotonic() < deadline:
    time.sleep(1)
status = Path(SERVING_DONE).read_text().strip() if Path(SERVING_DONE).is_file() else "timeout"
check("laketahoe serving-env create", status == "0", f"exit status {status}")
version = client.get_model(MODEL)["versions"][0]
check("the saved model is registered from the CLI job", version["source"]["jobId"] == "wheel_cli", version["source"])
created = subprocess.run(["laketahoe", "deployments", "create", MODEL, "--model", MODEL, "--wait"],
                         capture_output=True, text=True, timeout=300)
check("laketahoe deployments create --wait", created.returncode == 0 and "READY" in created.stdout,
      created.stdout + created.stderr)
try:
    X, _ = load_iris(return_X_y=True, as_frame=True)
    expected = joblib.load(ROOT_DIR / version["artifactDir"] / "model.joblib").predict(X)
    served = laketahoe.predict(MODEL, X)
    check("the deployment answers like the model in-process", served.tolist() == expected.tolist())
finally:
    client.delete_deployment(MODEL)

print(f"installed wheel: {len(passed)} passed, 0 failed")
