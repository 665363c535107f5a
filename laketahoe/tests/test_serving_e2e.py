"""Notebook to monitored deployment, with the real service, a real notebook job and a real MLServer.

train in a notebook job with save_model -> the model is registered with its lineage -> %lt deploy ->
laketahoe.predict answers as the model does in-process -> shifted inputs -> drift and a firing alert ->
undeploy; then the CLI deploys the same model straight from the job.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import joblib
import numpy as np
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

import laketahoe
from laketahoe.display import DeploymentView
from laketahoe.signature import encode_request

from .conftest import child_env, mlserver_path, require_routes, write_notebook

pytestmark = pytest.mark.e2e

MODEL = "e2e-iris"
TRAIN = """
import laketahoe
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

X, y = load_iris(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
model = RandomForestClassifier(n_estimators=n_estimators, random_state=0).fit(X_train, y_train)
laketahoe.report(accuracy=model.score(X_test, y_test))
laketahoe.save_model(model, "%s", X_train, y_train)
""" % MODEL


@pytest.fixture
def served(use_service, monkeypatch):
    """The service, when it has the serving and monitoring routes and MLServer is installed."""
    require_routes(use_service, "/api/v1/models", "/api/v1/deployments", "/api/v1/deployments/{name}/monitoring")
    if not mlserver_path().is_file():
        pytest.fail(f"{mlserver_path()} is missing: build the serving environment (.venv-serving) "
                    "or point LAKETAHOE_MLSERVER at an mlserver")
    (use_service.root / "e2e").mkdir(exist_ok=True)
    monkeypatch.chdir(use_service.root / "e2e")
    return use_service


def poll(what: str, fetch, ok, timeout: float = 90):
    """Fetch until ``ok(value)``; the last value is in the failure message."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached after {timeout} s; last: {json.dumps(value)[:3000]}")
        time.sleep(0.5)


def test_notebook_to_monitored_deployment(served):
    client = served.client()
    write_notebook(served.root / "e2e" / "train.ipynb", TRAIN, parameters="n_estimators = 10")

    # 1. Train in a notebook job that saves the model.
    client.submit_job("e2e_train", {"scaleTier": "BASIC", "notebook": {"path": "e2e/train.ipynb",
                                                                       "parameters": {"n_estimators": 25}}})
    job = served.wait("e2e_train", timeout=240)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")

    # 2. Registered with its lineage when the job succeeded.
    model = client.get_model(MODEL)
    version = model["versions"][0]
    assert version["source"]["jobId"] == "e2e_train"
    assert version["source"]["metrics"]["accuracy"] > 0.9
    assert version["framework"] == "sklearn" and version["task"] == "classification"
    assert version["hasBaseline"] is True
    artifact = served.root / version["artifactDir"]
    in_process = joblib.load(artifact / "model.joblib")
    assert in_process.n_estimators == 25

    # 3. Deploy from the kernel.
    shell = InteractiveShell.instance()
    laketahoe.load_ipython_extension(shell)
    deployed = shell.run_line_magic("lt", f"deploy {MODEL} --name {MODEL} --wait")
    assert isinstance(deployed, DeploymentView)
    assert deployed["state"] == "READY", deployed.get("errorMessage")
    assert deployed["model"] == {"name": MODEL, "version": version["version"]}
    assert MODEL in [d["name"] for d in shell.run_line_magic("lt", "deployments")]

    try:
        # 4. Predictions through the service match the model in-process, whatever the input form.
        X, y = load_iris(return_X_y=True, as_frame=True)
        _, X_test, _, _ = train_test_split(X, y, test_size=0.3, random_state=0)
        expected = in_process.predict(X_test)
        served_frame = laketahoe.predict(MODEL, X_test)
        assert isinstance(served_frame, pd.Series) and (served_frame.index == X_test.index).all()
        assert served_frame.tolist() == expected.tolist()
        assert laketahoe.predict(MODEL, X_test.to_numpy()).tolist() == expected.tolist()
        assert laketahoe.predict(MODEL, X_test.to_numpy()[0]).tolist() == expected[:1].tolist()
        assert laketahoe.predict(MODEL, X_test.to_numpy().tolist()).tolist() == expected.tolist()
        # Columns are taken by name, whatever their order.
        assert laketahoe.predict(MODEL, X_test[X_test.columns[::-1]]).tolist() == expected.tolist()

        # The CLI sends a request file as is.
        request = served.root / "e2e" / "request.json"
        request.write_text(json.dumps(encode_request(X_test.iloc[:5], version["signature"])))
        env = child_env(LAKETAHOE_RUNTIME_FILE=str(served.runtime_file))
        out = subprocess.run([sys.executable, "-m", "laketahoe.cli", "deployments", "predict", MODEL,
                              "--json-request", str(request)], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        answer = json.loads(out.stdout)
        assert np.asarray(answer["outputs"][0]["data"]).ravel().tolist() == expected[:5].tolist()

        # The server's reason comes back for a request it cannot take.
        with pytest.raises(laketahoe.client.InvalidArgument, match="inputs"):
            client.infer(MODEL, MODEL, {"outputs": [{"name": "predict"}]})

        # 5. Shifted inputs: every feature far from anything seen in training.
        shifted = X_test + X.std() * 4
        for _ in range(10):
            laketahoe.predict(MODEL, shifted)

        monitoring = poll("drift", lambda: client.monitoring(MODEL),
                          lambda m: bool((m.get("drift") or {}).get("drifted")))
        drift = monitoring["drift"]
        assert drift["score"] > 0.2 and drift["rows"] >= len(shifted)
        by_name = {f["name"]: f for f in drift["features"]}
        assert set(by_name) == set(X.columns)
        assert all(f["drifted"] for f in by_name.values())
        assert sum(point["requests"] for point in monitoring["series"]) >= 15

        alerts = poll("drift alert", lambda: client.alerts(MODEL),
                      lambda a: any(x["rule"] == "drift" and x["state"] == "firing" for x in a))
        alert = next(x for x in alerts if x["rule"] == "drift" and x["state"] == "firing")
        assert alert["deployment"] == MODEL and alert["value"] > alert["threshold"]
    finally:
        # 6. Undeploy: the server stops and the deployment is gone.
        shell.run_line_magic("lt", f"undeploy {MODEL}")
    assert MODEL not in [d["name"] for d in laketahoe.deployments()]
    with pytest.raises(laketahoe.client.NotFound):
        client.get_deployment(MODEL)

    # 7. The same model straight from its job, from a terminal.
    env = child_env(LAKETAHOE_RUNTIME_FILE=str(served.runtime_file))

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "laketahoe.cli", *args], env=env, capture_output=True, text=True,
                              timeout=240)

    created = cli("deployments", "create", "e2e-from-job", "--job", "e2e_train", "--wait")
    assert created.returncode == 0, created.stderr
    assert "Deployment [e2e-from-job] is READY." in created.stdout
    try:
        assert client.get_deployment("e2e-from-job")["model"]["name"] == MODEL
        assert laketahoe.predict("e2e-from-job", X_test).tolist() == expected.tolist()
        listed = cli("deployments", "list")
        assert "e2e-from-job" in listed.stdout and "READY" in listed.stdout
    finally:
        deleted = cli("deployments", "delete", "e2e-from-job")
    assert deleted.returncode == 0 and "Deleted deployment [e2e-from-job]." in deleted.stdout


HPO_MODEL = "e2e-hpo-iris"
HPO_TRAIN = """
import laketahoe
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

X, y = load_iris(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
model = RandomForestClassifier(n_estimators=n_estimators, random_state=0).fit(X_train, y_train)
laketahoe.report(accuracy=model.score(X_test, y_test))
laketahoe.save_model(model, "%s", X_train, y_train)
""" % HPO_MODEL


def test_hpo_best_trial_to_deployment(served):
    client = served.client()
    write_notebook(served.root / "e2e" / "tune.ipynb", HPO_TRAIN, parameters="n_estimators = 10")

    # 1. Every trial saves a model; a single tree does clearly worse on this split than 25 (0.91 vs 0.98).
    client.submit_job("e2e_hpo_train", {
        "scaleTier": "BASIC", "notebook": {"path": "e2e/tune.ipynb"},
        "hyperparameters": {
            "goal": "MAXIMIZE", "hyperparameterMetricTag": "accuracy", "algorithm": "GRID_SEARCH",
            "maxTrials": 2, "maxParallelTrials": 2,
            "params": [{"parameterName": "n_estimators", "type": "DISCRETE", "discreteValues": [1, 25]}],
        },
    })
    job = served.wait("e2e_hpo_train", timeout=240)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")
    trials = client.trials("e2e_hpo_train")
    assert [t["state"] for t in trials] == ["SUCCEEDED", "SUCCEEDED"]
    best = laketahoe.best_trial("e2e_hpo_train", client=client)
    assert best["hyperparameters"]["n_estimators"] == 25
    assert best["finalMetric"]["objectiveValue"] > min(t["finalMetric"]["objectiveValue"] for t in trials)

    # 2. Once the experiment ended, the best trial's model (only that one) is registered with its lineage.
    model = client.get_model(HPO_MODEL)
    assert len(model["versions"]) == 1
    version = model["versions"][0]
    assert version["source"]["jobId"] == "e2e_hpo_train"
    assert str(version["source"]["trialId"]) == str(best["trialId"])
    assert version["source"]["hyperparameters"] == best["hyperparameters"]
    assert version["source"]["metrics"]["accuracy"] == pytest.approx(best["finalMetric"]["objectiveValue"])
    in_process = joblib.load(served.root / version["artifactDir"] / "model.joblib")
    assert in_process.n_estimators == 25

    # 3. Deployed from the job: the same registered version, not a new one.
    name = "e2e-hpo-best"
    created = client.create_deployment(name, source={"jobId": "e2e_hpo_train"})
    assert created["model"]["name"] == HPO_MODEL
    try:
        ready = poll("deployment", lambda: client.get_deployment(name), lambda d: d["state"] in ("READY", "FAILED"),
                     timeout=180)
        assert ready["state"] == "READY", ready.get("errorMessage")
        assert ready["model"] == {"name": HPO_MODEL, "version": version["version"]}
        assert len(client.get_model(HPO_MODEL)["versions"]) == 1

        # 4. A prediction through the service matches the best trial's model in-process.
        X, y = load_iris(return_X_y=True, as_frame=True)
        _, X_test, _, _ = train_test_split(X, y, test_size=0.3, random_state=0)
        assert laketahoe.predict(name, X_test).tolist() == in_process.predict(X_test).tolist()
    finally:
        client.delete_deployment(name)
    with pytest.raises(laketahoe.client.NotFound):
        client.get_deployment(name)
