"""Every example the README shows, run as written against the real service.

The examples folder is copied into the service's root (as a checkout would sit in a user's
JupyterLab root) and the README's commands run from there: the CLI with each job file, the
magics on the demo notebook, and the serving notebook from job to deployment to prediction.
Where a file is long to run in full (the 8-trial Bayesian search), the README's own `stop`
ends it after its first trials.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import laketahoe
from laketahoe.display import DeploymentList, DeploymentView

from .conftest import REPO, child_env, lt_shell
from .test_hpo_e2e import build_example_trainer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def readme(service) -> Path:
    """A copy of examples/ under the service root, with the trainer package built where the job files expect it."""
    top = service.root / "readme"
    shutil.copytree(REPO / "examples", top / "examples",
                    ignore=shutil.ignore_patterns("dist", ".ipynb_checkpoints", ".laketahoe", "laketahoe-jobs",
                                                  "models", "*.egg-info", "__pycache__"))
    dist = top / "examples" / "trainer_pkg" / "dist"
    dist.mkdir()
    # The name the job files give: a renamed package would break them, so this checks it too.
    assert build_example_trainer(dist) == "trainer-0.1.0.tar.gz"
    return top


def cli(service, *args, cwd) -> subprocess.CompletedProcess:
    """`laketahoe ARGS` in ``cwd``, finding the service through its runtime file as a terminal in JupyterLab does."""
    env = child_env(LAKETAHOE_RUNTIME_FILE=str(service.runtime_file))
    for name in ("LAKETAHOE_URL", "LAKETAHOE_TOKEN"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "laketahoe.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}: {result.stderr[-3000:]}"
    return result.stdout


def summary(text: str) -> dict:
    return {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in text.splitlines() if ":" in line)}


def test_job_yaml_from_the_cli(service, readme):
    """README: laketahoe jobs submit training demo_cli --config examples/job.yaml; describe; stream-logs."""
    out = ok(cli(service, "jobs", "submit", "training", "demo_cli", "--config", "examples/job.yaml", cwd=readme))
    assert "Job [demo_cli] submitted successfully." in out
    ti = service.client().get_job("demo_cli")["trainingInput"]
    assert ti["notebook"] == {"path": "readme/examples/demo.ipynb", "parameters": {"n_estimators": 60, "max_depth": 8}}
    assert ti["scheduling"] == {"maxRunningTime": "900s"}
    logs = ok(cli(service, "jobs", "stream-logs", "demo_cli", cwd=readme))
    assert "60 trees: accuracy" in logs and "final accuracy:" in logs
    described = summary(ok(cli(service, "jobs", "describe", "demo_cli", "--summarize", cwd=readme)))
    assert described["state"] == "SUCCEEDED"
    job = service.client().get_job("demo_cli")
    assert job["trainingOutput"]["latestMetrics"]["accuracy"] > 0.9


def test_module_job_yaml_from_the_cli(service, readme):
    """README: the module form, examples/module-job.yaml."""
    ok(cli(service, "jobs", "submit", "training", "demo_module", "--config", "examples/module-job.yaml", cwd=readme))
    job = service.wait("demo_module", timeout=180)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")
    lines = [line["text"] for line in service.client().all_logs("demo_module")]
    assert any(text.startswith("cross-validated accuracy: ") for text in lines), lines[-20:]
    assert 0.8 < job["trainingOutput"]["latestMetrics"]["accuracy"] <= 1


def test_hpo_yaml_from_the_cli_then_stopped(service, readme):
    """README: submit examples/hpo.yaml, describe --summarize, list-trials --sort-by objective --format csv, stop."""
    ok(cli(service, "jobs", "submit", "training", "demo_hpo", "--config", "examples/hpo.yaml", cwd=readme))
    client = service.client()
    sent = client.get_job("demo_hpo")["trainingInput"]
    assert sent["priority"] == "low" and sent["hyperparameters"]["maxTrials"] == 8
    assert sent["hyperparameters"]["earlyStopping"]["kind"] == "median"
    # The whole 8-trial search is not needed to show the file works: stop once a trial has ended.
    deadline = time.monotonic() + 300
    while not any(t["state"] == "SUCCEEDED" for t in client.trials("demo_hpo")):
        assert time.monotonic() < deadline, client.trials("demo_hpo")
        assert client.get_job("demo_hpo")["state"] not in ("FAILED", "CANCELLED"), client.get_job("demo_hpo")
        time.sleep(0.5)
    ok(cli(service, "jobs", "stop", "demo_hpo", cwd=readme))
    job = service.wait("demo_hpo", timeout=300)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")
    trials = client.trials("demo_hpo")
    assert 1 <= len(trials) < 8 and all(t["state"] == "SUCCEEDED" for t in trials)

    rows = list(csv.DictReader(io.StringIO(ok(cli(service, "jobs", "list-trials", "demo_hpo", "--sort-by", "objective",
                                                  "--format", "csv", cwd=readme)))))
    objectives = [float(r["objective"]) for r in rows]
    assert len(rows) == len(trials) and objectives == sorted(objectives, reverse=True)
    assert all(10 <= int(r["n_estimators"]) <= 200 and 2 <= int(r["max_depth"]) <= 16 for r in rows)
    described = summary(ok(cli(service, "jobs", "describe", "demo_hpo", "--summarize", cwd=readme)))
    assert described["trials"] == f"SUCCEEDED {len(trials)}"
    assert described["bestTrial"] == rows[0]["trialId"]


def test_hpo_module_yaml_from_the_cli(service, readme):
    """README: module-form tuning, examples/hpo-module.yaml (stopped after its first trial, as above)."""
    ok(cli(service, "jobs", "submit", "training", "demo_hpo_module", "--config", "examples/hpo-module.yaml", cwd=readme))
    client = service.client()
    deadline = time.monotonic() + 300
    while not any(t["state"] == "SUCCEEDED" for t in client.trials("demo_hpo_module")):
        assert time.monotonic() < deadline, client.trials("demo_hpo_module")
        assert client.get_job("demo_hpo_module")["state"] not in ("FAILED", "CANCELLED"), client.get_job("demo_hpo_module")
        time.sleep(0.5)
    ok(cli(service, "jobs", "stop", "demo_hpo_module", cwd=readme))
    job = service.wait("demo_hpo_module", timeout=300)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")
    trials = client.trials("demo_hpo_module")
    assert 1 <= len(trials) < 6 and all(t["state"] == "SUCCEEDED" for t in trials)
    # Each trial ran `python -m trainer.task` with the file's args and its own value after them.
    for trial in trials:
        n = int(trial["hyperparameters"]["n_estimators"])
        assert 5 <= n <= 100
        assert trial["finalMetric"]["trainingStep"] == n
    assert job["trainingOutput"]["trialCounts"] == {"SUCCEEDED": len(trials)}


def test_demo_notebook_with_the_magics(service, readme, use_service, monkeypatch, capsys):
    """README: %lt submit demo.ipynb --param n_estimators=60; %lt jobs; %lt logs JOB --follow."""
    shell = lt_shell(readme / "examples", monkeypatch)
    view = shell.run_line_magic("lt", "submit demo.ipynb --param n_estimators=60")
    job_id = view["jobId"]
    assert job_id.startswith("demo_")
    assert view["trainingInput"]["notebook"]["parameters"] == {"n_estimators": 60}
    assert job_id in repr(shell.run_line_magic("lt", "jobs"))
    capsys.readouterr()
    shell.run_line_magic("lt", f"logs {job_id} --follow")
    followed = capsys.readouterr().out
    assert "60 trees: accuracy" in followed and f"Job {job_id} ended: SUCCEEDED" in followed


def test_serving_notebook_from_job_to_prediction(service, readme, use_service, monkeypatch):
    """README: the serving notebook as a job registers `iris`; deploy --wait, predict, deployments, undeploy."""
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split

    shell = lt_shell(readme / "examples", monkeypatch)
    job_id = shell.run_line_magic("lt", "submit serving.ipynb --job-id demo_serving")["jobId"]
    job = service.wait(job_id, timeout=180)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")
    (version,) = [v for v in service.client().get_model("iris")["versions"] if v["source"]["jobId"] == job_id]

    described = ok(cli(service, "models", "describe", "iris", cwd=readme))
    assert f"latestVersion: {version['version']}" in described
    deployment = shell.run_line_magic("lt", "deploy iris --name iris --wait")
    try:
        assert isinstance(deployment, DeploymentView) and deployment["state"] == "READY"
        # What the notebook trained, trained again here: the deployment answers what it would.
        X, y = load_iris(return_X_y=True, as_frame=True)
        X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0)
        expected = RandomForestClassifier(n_estimators=50, random_state=0).fit(X_train, y_train).predict(X_test)
        predicted = laketahoe.predict("iris", X_test)
        assert list(predicted.index) == list(X_test.index)
        assert predicted.tolist() == expected.tolist()
        listed = shell.run_line_magic("lt", "deployments")
        assert isinstance(listed, DeploymentList) and "iris" in [d["name"] for d in listed]
    finally:
        shell.run_line_magic("lt", "undeploy iris")
    assert "iris" not in [d["name"] for d in service.client().list_deployments()]
