"""%lt models/deploy/deployments/undeploy and `laketahoe models|deployments` against the real service.

Argument mistakes are caught before any request; what reaches the service
needs its model registry and deployments routes (a build without them fails).
Serving a model for real is in test_serving_e2e.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from IPython.core.error import UsageError
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import laketahoe
from laketahoe.client import NotFound
from laketahoe.display import DeploymentList, ModelList

from .conftest import child_env, lt_shell, write_notebook

pytestmark = pytest.mark.e2e


@pytest.fixture
def shell(use_service, monkeypatch):
    """An IPython shell with the extension loaded, its cwd inside the service root."""
    return lt_shell(use_service.root / "serving", monkeypatch)


def cli(service, *args, cwd, stdin=None):
    env = child_env(LAKETAHOE_RUNTIME_FILE=str(service.runtime_file))
    env.pop("LAKETAHOE_URL", None)
    return subprocess.run([sys.executable, "-m", "laketahoe.cli", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("line, message", [
    ("deploy", "give MODEL[:VERSION]"),
    ("deploy iris --job train_1", "not both"),
    ("deploy --trial 2 --name x iris", "--trial needs --job"),
    ("deploy --job train_1", "give the deployment a --name"),
    ("deploy iris --replicas 0", "--replicas must be at least 1"),
    ("deploy iris --bogus", "unrecognized arguments: --bogus"),
    ("models extra", "unrecognized arguments: extra"),
    ("deployments --all", "unrecognized arguments: --all"),
    ("undeploy", "the following arguments are required: name"),
    ("deploy iris:two --name x", "NAME or NAME:VERSION"),
    ("serve iris", "deploy, deployments, compare, promote, scale or undeploy"),
])
def test_magic_argument_mistakes(shell, line, message):
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("]", r"\]")):
        shell.run_line_magic("lt", line)


def test_cli_argument_mistakes(use_service, tmp_path):
    neither = cli(use_service, "deployments", "create", "iris", cwd=tmp_path)
    assert neither.returncode == 1 and "give --model MODEL[:VERSION] or --job JOB_ID" in neither.stderr
    both = cli(use_service, "deployments", "create", "iris", "--model", "iris", "--job", "j", cwd=tmp_path)
    assert both.returncode == 1 and "give --model" in both.stderr
    trial = cli(use_service, "deployments", "create", "iris", "--model", "iris", "--trial", "1", cwd=tmp_path)
    assert trial.returncode == 1 and "--trial needs --job" in trial.stderr
    no_file = cli(use_service, "deployments", "predict", "iris", cwd=tmp_path)
    assert no_file.returncode == 2 and "--json-request" in no_file.stderr
    missing = cli(use_service, "deployments", "predict", "iris", "--json-request", "nope.json", cwd=tmp_path)
    assert missing.returncode == 1 and "cannot read nope.json" in missing.stderr
    (tmp_path / "bad.json").write_text("{not json")
    bad = cli(use_service, "deployments", "predict", "iris", "--json-request", "bad.json", cwd=tmp_path)
    assert bad.returncode == 1 and "bad.json is not JSON" in bad.stderr
    no_inputs = cli(use_service, "deployments", "predict", "iris", "--json-request", "-", cwd=tmp_path,
                    stdin='{"instances": [[1, 2]]}')
    assert no_inputs.returncode == 1 and 'with an "inputs" list' in no_inputs.stderr
    unknown = cli(use_service, "models", "remove", "iris", cwd=tmp_path)
    assert unknown.returncode == 2 and "invalid choice: 'remove'" in unknown.stderr


# --------------------------------------------------------------------------
# Against the registry and deployments routes


def test_register_list_describe_and_unknown_names(serving_service, shell, tmp_path, monkeypatch):
    X, y = load_iris(return_X_y=True, as_frame=True)
    folder = laketahoe.save_model(LogisticRegression(max_iter=300).fit(X, y), "magic-iris", X, y)
    assert folder.startswith(str(serving_service.root))
    first = laketahoe.register_model(folder)
    second = laketahoe.register_model("models/magic-iris")
    assert first["name"] == "magic-iris" and second["version"] == first["version"] + 1
    assert first["framework"] == "sklearn" and first["hasBaseline"] is True
    assert first["artifactDir"] == "serving/models/magic-iris"

    listed = shell.run_line_magic("lt", "models")
    assert isinstance(listed, ModelList)
    assert "magic-iris" in [m["name"] for m in listed]
    assert "<table" in listed._repr_html_() and "magic-iris" in repr(listed)
    assert laketahoe.models() == listed

    out = cli(serving_service, "models", "list", cwd=tmp_path)
    assert out.returncode == 0 and "magic-iris" in out.stdout and "LATEST_VERSION" in out.stdout
    out = cli(serving_service, "models", "describe", "magic-iris", cwd=tmp_path)
    assert out.returncode == 0 and "latestVersion: " + str(second["version"]) in out.stdout
    out = cli(serving_service, "models", "describe", "magic-iris", "--version", str(first["version"]), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "framework:" in out.stdout and "input sepal length (cm):" in out.stdout and "output predict:" in out.stdout

    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("lt", "deploy no-such-model --name nowhere")
    assert "no-such-model" in str(caught.value)
    with pytest.raises(UsageError, match=r"^deployment no-such-deployment not found$"):
        shell.run_line_magic("lt", "undeploy no-such-deployment")
    with pytest.raises(NotFound):
        laketahoe.predict("no-such-deployment", [[1, 2, 3, 4]])
    missing = cli(serving_service, "deployments", "describe", "no-such-deployment", cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.startswith("ERROR: (laketahoe)")
    assert isinstance(shell.run_line_magic("lt", "deployments"), DeploymentList)
    out = cli(serving_service, "deployments", "list", cwd=tmp_path)
    assert out.returncode == 0


def test_bad_folder_is_refused_with_the_field(serving_service, tmp_path):
    bad = serving_service.root / "serving" / "models" / "not-a-model"
    bad.mkdir(parents=True, exist_ok=True)
    (bad / "laketahoe-model.json").write_text(json.dumps({"name": "not-a-model"}))
    with pytest.raises(laketahoe.client.InvalidArgument) as caught:
        laketahoe.register_model(str(bad))
    assert caught.value.field == "path"


def test_job_that_saves_a_model_registers_it_with_lineage(serving_service):
    work = serving_service.root / "serving"
    work.mkdir(exist_ok=True)
    write_notebook(work / "train_iris.ipynb",
                   "import laketahoe\nfrom sklearn.datasets import load_iris\n"
                   "from sklearn.linear_model import LogisticRegression\n"
                   "X, y = load_iris(return_X_y=True, as_frame=True)\n"
                   "model = LogisticRegression(max_iter=C * 100).fit(X, y)\n"
                   "laketahoe.report(accuracy=model.score(X, y))\n"
                   "laketahoe.save_model(model, 'lineage-iris', X, y)",
                   parameters="C = 3")
    client = serving_service.client()
    client.submit_job("lineage_job", {"scaleTier": "BASIC", "notebook": {"path": "serving/train_iris.ipynb",
                                                                         "parameters": {"C": 4}}})
    job = serving_service.wait("lineage_job", timeout=180)
    assert job["state"] == "SUCCEEDED", job.get("errorMessage")
    model = client.get_model("lineage-iris")
    (version,) = model["versions"]
    assert version["source"]["jobId"] == "lineage_job"
    assert version["source"]["metrics"]["accuracy"] > 0.9
    assert version["artifactDir"] == "laketahoe-jobs/lineage_job/models/lineage-iris"
    assert version["signature"]["inputs"][0]["name"] == "sepal length (cm)"
    # Registering the job's model by hand again is the same version of the same model, not a new one.
    again = client.register_job_model("lineage_job")
    assert again == version
    assert [v["version"] for v in client.get_model("lineage-iris")["versions"]] == [version["version"]]
