"""The service against its own contract: a bounded schemathesis run over server-proxy/openapi.json.

Every operation is called with generated valid and invalid data, with the token, job submission
included; the run fails on any 5xx answer and on any answer whose body does not match the schema the
document gives for its status. Path parameters of half the operations point at real records (a job,
an HPO job and its trial, a model, a deployment) so that their success answers are checked too, not
only their 404s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO, SERVICE_ENTRY, child_env, stop_process_group, write_notebook

pytestmark = pytest.mark.e2e

TOKEN = "fuzz-token"
# Bounded: about 10 cases per operation and phase, one seed, so a run takes a few minutes and repeats.
MAX_EXAMPLES = 10
SEED = 1

# Per-operation settings for schemathesis: real ids for path parameters. The inference routes of a
# deployment whose model server is not ready answer 503 by contract (documented); here the server
# binary is /bin/false, so that 503 is the expected answer there, not a fault.
CONFIG = """
[[operations]]
include-path-regex = "^/api/v1/jobs/\\\\{jobId\\\\}/trials"
parameters = { "path.jobId" = "fuzz_hpo", "path.trialId" = "1" }

[[operations]]
include-path-regex = "^/api/v1/jobs/\\\\{jobId\\\\}(/(cancel|stop|logs|metrics|models|outputs|usage).*)?$"
parameters = { "path.jobId" = "fuzz_job" }

[[operations]]
include-path-regex = "^/api/v1/models/\\\\{name\\\\}"
parameters = { "path.name" = "fuzz-model", "path.version" = 1 }

[[operations]]
include-path-regex = "^/api/v1/deployments/\\\\{name\\\\}"
parameters = { "path.name" = "fuzz-dep", "path.model" = "fuzz-model" }

[[operations]]
include-path-regex = "^/api/v1/deployments/\\\\{name\\\\}/v2/"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", 503]
"""


def _call(url: str, method: str, path: str, body=None):
    import requests

    response = requests.request(method, url + "/api/v1" + path, json=body, timeout=30,
                                headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


@pytest.fixture
def fuzz_service(tmp_path):
    """A service of its own (the fuzzer creates many records) whose jobs and model servers fail at once."""
    node = shutil.which("node")
    if not SERVICE_ENTRY.is_file():
        pytest.fail(f"{SERVICE_ENTRY} is missing: build the service first")
    root = tmp_path / "root"
    root.mkdir()
    runtime = tmp_path / "rt.json"
    log_path = tmp_path / "service.log"
    env = child_env(LAKETAHOE_TOKEN=TOKEN)
    for name in ("LAKETAHOE_URL", "LAKETAHOE_RUNTIME_FILE", "LAKETAHOE_ROOT_DIR", "LAKETAHOE_PORT"):
        env.pop(name, None)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [node, str(SERVICE_ENTRY), "serve", "--port", "0", "--root-dir", str(root), "--runtime-file", str(runtime),
             "--python", "/bin/false", "--mlserver", "/bin/false", "--log-level", "warn"],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not runtime.exists():
                assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.1)
            time.sleep(0.1)
            yield json.loads(runtime.read_text())["url"], root, log_path
        finally:
            stop_process_group(proc)


def _seed_records(url: str, root: Path) -> None:
    """A training job, an HPO job with a trial, a registered model and a deployment of it."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    import laketahoe

    write_notebook(root / "nb.ipynb", "print(x)", parameters="x = 1")
    _call(url, "POST", "/jobs", {"jobId": "fuzz_job", "trainingInput": {"notebook": {"path": "nb.ipynb"}}})
    _call(url, "POST", "/jobs", {"jobId": "fuzz_hpo", "trainingInput": {
        "notebook": {"path": "nb.ipynb"},
        "hyperparameters": {"hyperparameterMetricTag": "m", "maxTrials": 2,
                            "params": [{"parameterName": "x", "type": "INTEGER", "minValue": 1, "maxValue": 3}]}}})
    rng = np.random.default_rng(0)
    X = rng.random((40, 3))
    model = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
    # Outside a job, save_model writes models/<name>/ under the current directory.
    cwd = os.getcwd()
    os.chdir(root)
    try:
        laketahoe.save_model(model, "fuzz-model", X)
    finally:
        os.chdir(cwd)
    _call(url, "POST", "/models", {"path": "models/fuzz-model"})
    _call(url, "POST", "/deployments", {"name": "fuzz-dep", "model": {"name": "fuzz-model", "version": 1}})
    deadline = time.monotonic() + 60
    while _call(url, "GET", "/jobs/fuzz_hpo/trials")["trials"] == [] and time.monotonic() < deadline:
        time.sleep(0.2)


def test_every_operation_answers_within_its_contract(fuzz_service, tmp_path):
    url, root, log_path = fuzz_service
    _seed_records(url, root)
    schema = REPO / "server-proxy" / "openapi.json"
    document = json.loads(schema.read_text())
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    # One worker: Python 3.11's ast.parse is not thread-safe ("AST constructor recursion depth mismatch"), and
    # hypothesis parses source while it describes its filters, so two worker threads failed now and then.
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(config), "run",
         str(schema), "--url", url, "-H", f"Authorization: Bearer {TOKEN}",
         "--checks", "not_a_server_error,response_schema_conformance",
         "--phases", "examples,coverage,fuzzing", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
         "--workers", "1", "--continue-on-failure"],
        cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=540,
    )
    (tmp_path / "schemathesis.txt").write_text(result.stdout + result.stderr)
    summary = result.stdout[-6000:]
    assert result.returncode == 0, f"{summary}\n--- service log ---\n{log_path.read_text()[-2000:]}"
    # Every operation of the document was exercised (none skipped as unreachable or broken).
    operations = sum(1 for item in document["paths"].values() for method in item if method != "parameters")
    assert f"Tested: {operations}" in result.stdout, summary
