"""save_model: the saved model folder for scikit-learn, XGBoost and LightGBM, loaded back with each framework."""

from __future__ import annotations

import json
import os
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import laketahoe
from laketahoe.signature import decode_request, encode_request

from .conftest import need_module, records, run_runner

# `laketahoe.models` is the function listing registered models; the module is reached through sys.modules.
models_module = sys.modules["laketahoe.models"]


def read(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture
def iris():
    X, y = load_iris(return_X_y=True, as_frame=True)
    return X, y


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Outside a job: the current directory is a fresh temp folder."""
    for name in ("LAKETAHOE_OUTPUT_DIR", "LAKETAHOE_EVENTS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sklearn_dataframe_folder_manifest_settings_and_baseline(workdir, iris):
    X, y = iris
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    folder = laketahoe.save_model(model, "iris", X, y)

    assert folder == str(workdir / "models" / "iris")
    assert os.stat(folder).st_mode & 0o755 == 0o755
    assert sorted(os.listdir(folder)) == ["baseline.json", "laketahoe-model.json", "model-settings.json", "model.joblib"]
    loaded = joblib.load(os.path.join(folder, "model.joblib"))
    assert (loaded.predict(X) == model.predict(X)).all()

    manifest = read(folder, "laketahoe-model.json")
    assert manifest["name"] == "iris" and manifest["framework"] == "sklearn"
    assert manifest["frameworkVersion"] == __import__("sklearn").__version__
    assert manifest["artifact"] == "model.joblib" and manifest["task"] == "classification"
    assert manifest["createTime"].endswith("Z")
    inputs = manifest["signature"]["inputs"]
    assert [i["name"] for i in inputs] == list(X.columns)
    assert all(i["datatype"] == "FP64" and i["shape"] == [-1] for i in inputs)
    assert inputs[0]["features"] == [{"name": "sepal length (cm)", "kind": "numeric"}]
    assert manifest["signature"]["outputs"] == [{"name": "predict", "datatype": "INT64", "shape": [-1]}]

    settings = read(folder, "model-settings.json")
    assert settings["name"] == "iris"
    assert settings["implementation"] == "mlserver_sklearn.SKLearnModel"
    assert settings["parameters"]["uri"] == "./model.joblib"
    assert settings["parameters"]["content_type"] == "pd"
    assert [i["name"] for i in settings["inputs"]] == list(X.columns)

    baseline = read(folder, "baseline.json")
    assert baseline["rows"] == 150
    first = baseline["features"][0]
    assert first["name"] == "sepal length (cm)" and first["kind"] == "numeric"
    assert len(first["edges"]) == 11 and len(first["counts"]) == 10 and sum(first["counts"]) == 150
    assert first["edges"][0] == X.iloc[:, 0].min() and first["edges"][-1] == X.iloc[:, 0].max()
    assert first["edges"] == sorted(first["edges"])
    assert sorted(first["sample"]) == sorted(X.iloc[:, 0].tolist())  # under 1,000 rows: every value
    assert first["missing"] == 0
    prediction = baseline["prediction"]
    assert prediction["name"] == "prediction" and prediction["kind"] == "categorical"
    assert sum(prediction["categories"].values()) == 150
    assert set(prediction["categories"]) <= {"0", "1", "2"}


def test_numpy_regressor_with_feature_names_and_fp32(workdir):
    X, y = load_diabetes(return_X_y=True)
    X32 = X.astype(np.float32)
    model = LinearRegression().fit(X32, y)
    names = [f"f{i}" for i in range(X.shape[1])]
    folder = laketahoe.save_model(model, "diabetes", X32, y, feature_names=names)

    manifest = read(folder, "laketahoe-model.json")
    assert manifest["task"] == "regression"
    (spec,) = manifest["signature"]["inputs"]
    assert spec["name"] == "input-0" and spec["datatype"] == "FP32" and spec["shape"] == [-1, 10]
    assert [f["name"] for f in spec["features"]] == names
    assert manifest["signature"]["outputs"][0]["datatype"] in ("FP32", "FP64")
    assert "content_type" not in read(folder, "model-settings.json")["parameters"]
    baseline = read(folder, "baseline.json")
    assert [f["name"] for f in baseline["features"]] == names
    assert baseline["prediction"]["kind"] == "numeric" and sum(baseline["prediction"]["counts"]) == len(X)


def test_large_training_set_samples_1000_values(workdir):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5000, 2))
    y = X[:, 0] * 2 + rng.normal(size=5000)
    folder = laketahoe.save_model(LinearRegression().fit(X, y), "big", X, y)
    feature = read(folder, "baseline.json")["features"][0]
    assert feature["name"] == "x0"
    assert len(feature["sample"]) == 1000 and len(set(feature["sample"])) == 1000
    assert set(feature["sample"]) <= set(X[:, 0].tolist())
    # Quantile bins hold about a tenth of the rows each.
    assert all(450 <= c <= 550 for c in feature["counts"])


def test_categorical_columns_pipeline(workdir):
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame({
        "color": rng.choice(["red", "green", "blue"], size=n),
        "size": rng.integers(1, 4, size=n),
        "weight": rng.normal(10, 2, size=n),
    })
    y = (X["color"] == "red") & (X["weight"] > 10)
    pipe = make_pipeline(
        ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), ["color", "size"])], remainder="passthrough"),
        LogisticRegression(max_iter=500),
    ).fit(X, y)
    folder = laketahoe.save_model(pipe, "shapes", X, y, categorical=["size"])

    manifest = read(folder, "laketahoe-model.json")
    by_name = {i["name"]: i for i in manifest["signature"]["inputs"]}
    assert by_name["color"]["datatype"] == "BYTES" and by_name["color"]["features"][0]["kind"] == "categorical"
    assert by_name["size"]["datatype"] == "INT64" and by_name["size"]["features"][0]["kind"] == "categorical"
    assert by_name["weight"]["datatype"] == "FP64" and by_name["weight"]["features"][0]["kind"] == "numeric"
    # A boolean target: the labels are booleans, which the wire carries as whole numbers.
    assert manifest["signature"]["outputs"][0]["datatype"] == "INT64"
    settings = read(folder, "model-settings.json")
    color = next(i for i in settings["inputs"] if i["name"] == "color")
    assert color["parameters"] == {"content_type": "str"}

    baseline = {f["name"]: f for f in read(folder, "baseline.json")["features"]}
    assert baseline["color"]["kind"] == "categorical"
    assert baseline["color"]["categories"] == X["color"].value_counts().to_dict()
    assert baseline["size"]["categories"] == {str(k): v for k, v in X["size"].value_counts().to_dict().items()}
    assert baseline["weight"]["kind"] == "numeric"


def test_model_that_cannot_take_served_inputs_fails_at_save(workdir, iris):
    X, y = iris
    # Fitted on a numpy array but saved with a DataFrame whose columns it cannot select: fine.
    # Fitted with a column selector but saved with an array: the server would fail, so does save_model.
    pipe = make_pipeline(ColumnTransformer([("keep", "passthrough", ["petal length (cm)"])]),
                         LogisticRegression(max_iter=300)).fit(X, y)
    with pytest.raises(ValueError, match="cannot predict on its inputs"):
        laketahoe.save_model(pipe, "broken", X.to_numpy(), y)
    assert not os.path.exists(workdir / "models" / "broken")
    assert os.listdir(workdir / "models") == []  # no staging folder left behind


@pytest.mark.parametrize("name", ["Iris", "1iris", "iris_v2", "", "a" * 64, "iris.v2", None])
def test_bad_names(workdir, iris, name):
    X, y = iris
    with pytest.raises(ValueError, match="name .* is invalid"):
        laketahoe.save_model(LogisticRegression(max_iter=300).fit(X, y), name, X, y)


def test_bad_arguments_name_the_argument(workdir, iris):
    X, y = iris
    model = LogisticRegression(max_iter=300).fit(X, y)
    with pytest.raises(ValueError, match="task must be"):
        laketahoe.save_model(model, "iris", X, y, task="clustering")
    with pytest.raises(ValueError, match="X has 150 rows but y has 10"):
        laketahoe.save_model(model, "iris", X, y[:10])
    with pytest.raises(ValueError, match="categorical: no column named 'nope'"):
        laketahoe.save_model(model, "iris", X, y, categorical=["nope"])
    with pytest.raises(ValueError, match="feature_names: 2 names for 4 columns"):
        laketahoe.save_model(model, "iris", X.to_numpy(), y, feature_names=["a", "b"])
    with pytest.raises(TypeError, match="cannot save a builtins.dict"):
        laketahoe.save_model({"not": "a model"}, "iris", X, y)
    dated = X.assign(when=pd.Timestamp("2026-01-01"))
    with pytest.raises(ValueError, match="column 'when' has dtype datetime64"):
        laketahoe.save_model(model, "iris", dated, y)


def test_saving_again_replaces_the_folder(workdir, iris):
    X, y = iris
    laketahoe.save_model(LogisticRegression(max_iter=300).fit(X, y), "iris", X, y)
    first = read(workdir / "models" / "iris", "laketahoe-model.json")["createTime"]
    folder = laketahoe.save_model(RandomForestClassifier(n_estimators=3).fit(X, y), "iris", X, y)
    assert type(joblib.load(os.path.join(folder, "model.joblib"))).__name__ == "RandomForestClassifier"
    assert read(folder, "laketahoe-model.json")["createTime"] >= first
    assert sorted(os.listdir(workdir / "models")) == ["iris"]


def test_without_X_signature_from_the_model_and_no_baseline(workdir, iris):
    X, y = iris
    folder = laketahoe.save_model(LogisticRegression(max_iter=300).fit(X, y), "iris")
    manifest = read(folder, "laketahoe-model.json")
    assert [i["name"] for i in manifest["signature"]["inputs"]] == list(X.columns)
    assert manifest["task"] == "classification"
    assert manifest["signature"]["outputs"] == [{"name": "predict", "datatype": "INT64", "shape": [-1]}]
    assert not os.path.exists(os.path.join(folder, "baseline.json"))

    folder = laketahoe.save_model(LinearRegression().fit(X.to_numpy(), y), "plain")
    (spec,) = read(folder, "laketahoe-model.json")["signature"]["inputs"]
    assert spec["shape"] == [-1, 4] and [f["name"] for f in spec["features"]] == ["x0", "x1", "x2", "x3"]


# --------------------------------------------------------------------------
# XGBoost and LightGBM


def test_xgboost_classifier_json_booster(workdir, iris):
    xgb = need_module("xgboost")
    X, y = iris
    model = xgb.XGBClassifier(n_estimators=8, max_depth=3).fit(X, y)
    folder = laketahoe.save_model(model, "iris-xgb", X, y)

    assert sorted(os.listdir(folder)) == ["baseline.json", "laketahoe-model.json", "model-settings.json", "model.json"]
    # Loaded back as MLServer's XGBoost runtime does: through the scikit-learn interface.
    loaded = xgb.XGBClassifier()
    loaded.load_model(os.path.join(folder, "model.json"))
    assert (loaded.predict(X) == model.predict(X)).all()
    booster = xgb.Booster(model_file=os.path.join(folder, "model.json"))
    assert booster.num_features() == 4

    manifest = read(folder, "laketahoe-model.json")
    assert manifest["framework"] == "xgboost" and manifest["artifact"] == "model.json"
    assert manifest["frameworkVersion"] == xgb.__version__
    assert manifest["task"] == "classification"
    assert manifest["signature"]["outputs"] == [{"name": "predict", "datatype": "INT64", "shape": [-1]}]
    settings = read(folder, "model-settings.json")
    assert settings["implementation"] == "mlserver_xgboost.XGBoostModel"
    assert settings["parameters"]["uri"] == "./model.json"
    assert read(folder, "baseline.json")["prediction"]["kind"] == "categorical"


def test_xgboost_regressor_and_raw_booster(workdir):
    xgb = need_module("xgboost")
    X, y = load_diabetes(return_X_y=True)
    reg = xgb.XGBRegressor(n_estimators=5).fit(X, y)
    folder = laketahoe.save_model(reg, "diabetes-xgb", X, y)
    manifest = read(folder, "laketahoe-model.json")
    assert manifest["task"] == "regression"
    assert manifest["signature"]["outputs"] == [{"name": "predict", "datatype": "FP32", "shape": [-1]}]
    assert read(folder, "baseline.json")["prediction"]["kind"] == "numeric"

    booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, label=(y > 140).astype(int)), 4)
    folder = laketahoe.save_model(booster, "booster-xgb", X)
    manifest = read(folder, "laketahoe-model.json")
    assert manifest["task"] == "classification"
    loaded = xgb.Booster(model_file=os.path.join(folder, "model.json"))
    assert np.allclose(loaded.predict(xgb.DMatrix(X)), booster.predict(xgb.DMatrix(X)))


def test_lightgbm_classifier_text_booster(workdir, iris):
    lgb = need_module("lightgbm")
    X, y = iris
    model = lgb.LGBMClassifier(n_estimators=8, verbose=-1).fit(X.to_numpy(), y)
    folder = laketahoe.save_model(model, "iris-lgb", X.to_numpy(), y)

    assert "model.txt" in os.listdir(folder)
    booster = lgb.Booster(model_file=os.path.join(folder, "model.txt"))
    assert np.allclose(booster.predict(X.to_numpy()), model.predict_proba(X.to_numpy()))
    manifest = read(folder, "laketahoe-model.json")
    assert manifest["framework"] == "lightgbm" and manifest["artifact"] == "model.txt"
    assert manifest["task"] == "classification"
    # The LightGBM runtime serves the booster, whose predict gives class probabilities.
    assert manifest["signature"]["outputs"] == [{"name": "predict", "datatype": "FP64", "shape": [-1, 3]}]
    settings = read(folder, "model-settings.json")
    assert settings["implementation"] == "mlserver_lightgbm.LightGBMModel"
    assert settings["parameters"]["uri"] == "./model.txt"
    baseline = read(folder, "baseline.json")
    assert len(baseline["features"]) == 4 and "prediction" not in baseline


def test_lightgbm_regressor_and_booster(workdir):
    lgb = need_module("lightgbm")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    folder = laketahoe.save_model(lgb.LGBMRegressor(n_estimators=5, verbose=-1).fit(X, y), "diabetes-lgb", X, y)
    manifest = read(folder, "laketahoe-model.json")
    assert manifest["task"] == "regression"
    assert [i["name"] for i in manifest["signature"]["inputs"]] == list(X.columns)
    assert read(folder, "baseline.json")["prediction"]["kind"] == "numeric"

    booster = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(X, label=(y > 140).astype(int)), 4)
    folder = laketahoe.save_model(booster, "booster-lgb", X)
    assert read(folder, "laketahoe-model.json")["task"] == "classification"
    assert read(folder, "laketahoe-model.json")["signature"]["outputs"][0]["shape"] == [-1]


def test_boosters_refuse_text_columns(workdir):
    xgb = need_module("xgboost")
    X = pd.DataFrame({"color": pd.Categorical(["a", "b"] * 20), "v": np.arange(40.0)})
    model = xgb.XGBClassifier(n_estimators=2, enable_categorical=True, tree_method="hist").fit(X, [0, 1] * 20)
    with pytest.raises(ValueError, match="encode text columns as numbers"):
        laketahoe.save_model(model, "cats", X)


def test_frameworks_are_imported_only_when_used():
    code = ("import sys, laketahoe; assert 'xgboost' not in sys.modules and 'lightgbm' not in sys.modules "
            "and 'numpy' not in sys.modules and 'requests' not in sys.modules, sorted(sys.modules)")
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


# --------------------------------------------------------------------------
# Inside a job


def test_inside_a_job_writes_to_the_output_dir_and_records_the_model(tmp_path, monkeypatch, iris):
    X, y = iris
    out = tmp_path / "job"
    out.mkdir()
    events = out / "events.jsonl"
    monkeypatch.setenv("LAKETAHOE_OUTPUT_DIR", str(out))
    monkeypatch.setenv("LAKETAHOE_EVENTS_FILE", str(events))
    monkeypatch.chdir(tmp_path)
    folder = laketahoe.save_model(LogisticRegression(max_iter=300).fit(X, y), "iris", X, y)
    assert folder == str(out / "models" / "iris")
    assert [json.loads(line) for line in events.read_text().splitlines()] == [
        {"type": "model", "name": "iris", "path": "models/iris"}]


def test_runner_forwards_the_model_record_of_a_notebook(tmp_path, notebook):
    workdir = tmp_path / "work"
    (workdir / "snapshot").mkdir(parents=True)
    nb = notebook("train.ipynb",
                  "import laketahoe\nfrom sklearn.datasets import load_iris\n"
                  "from sklearn.linear_model import LogisticRegression\n"
                  "X, y = load_iris(return_X_y=True, as_frame=True)\n"
                  "path = laketahoe.save_model(LogisticRegression(max_iter=300).fit(X, y), 'iris', X, y)\n"
                  "print('saved to', path)")
    # A spoofed record (another path) is dropped; the real one goes through.
    events = workdir / "events.jsonl"
    events.write_text(json.dumps({"type": "model", "name": "x", "path": "../../etc"}) + "\n")
    result = run_runner(["notebook", "--input", str(nb), "--output", "output.ipynb", "--cwd", "snapshot"],
                        cwd=workdir, LAKETAHOE_EVENTS_FILE=str(events), LAKETAHOE_OUTPUT_DIR="/elsewhere")
    assert result.returncode == 0, result.stderr
    models = [r for r in records(result.stdout) if r["type"] == "model"]
    assert models == [{"type": "model", "name": "iris", "path": "models/iris"}]
    # Relative to the runner's working directory, not the kernel's (snapshot) nor an inherited value.
    assert (workdir / "models" / "iris" / "laketahoe-model.json").is_file()
    assert f"saved to {workdir / 'models' / 'iris'}" in result.stdout


def test_model_input_mirrors_the_served_decoding(workdir, iris):
    X, y = iris
    model = LogisticRegression(max_iter=300).fit(X, y)
    folder = laketahoe.save_model(model, "iris", X, y)
    signature = read(folder, "laketahoe-model.json")["signature"]
    decoded = decode_request(encode_request(X, signature))
    assert list(decoded.columns) == list(X.columns)
    assert (model.predict(decoded) == model.predict(X)).all()
    assert models_module.framework_of(model) == "sklearn"


def test_serving_example_notebook_saves_its_model_in_a_job(tmp_path):
    import shutil

    from .conftest import REPO

    workdir = tmp_path / "job"
    (workdir / "snapshot").mkdir(parents=True)
    shutil.copy(REPO / "examples" / "serving.ipynb", workdir / "snapshot" / "serving.ipynb")
    result = run_runner(["notebook", "--input", "snapshot/serving.ipynb", "--output", "output.ipynb",
                         "--cwd", "snapshot", "--parameters-json", '{"n_estimators": 5}'],
                        cwd=workdir, LAKETAHOE_EVENTS_FILE=str(workdir / "events.jsonl"))
    assert result.returncode == 0, result.stderr
    found = records(result.stdout)
    assert {"type": "model", "name": "iris", "path": "models/iris"} in found
    assert any(r["type"] == "metric" and "accuracy" in r["values"] for r in found)
    manifest = read(workdir / "models" / "iris", "laketahoe-model.json")
    assert manifest["framework"] == "sklearn" and manifest["task"] == "classification"
    assert len(manifest["signature"]["inputs"]) == 4


def test_baseline_edge_cases_keep_k_plus_one_edges(workdir):
    from laketahoe.baseline import build_baseline
    from laketahoe.signature import infer_inputs

    X = pd.DataFrame({"constant": [2.0] * 50, "empty": [np.nan] * 50, "ties": [0.0] * 45 + [1.0] * 5,
                      "flag": [True, False] * 25})
    signature = {"inputs": infer_inputs(X, categorical=["flag"])}
    by_name = {f["name"]: f for f in build_baseline(X, signature)["features"]}
    assert by_name["constant"]["edges"] == [2.0, 2.0] and by_name["constant"]["counts"] == [50]
    assert by_name["empty"]["edges"] == [0.0, 0.0] and by_name["empty"]["counts"] == [0]
    assert by_name["empty"]["missing"] == 50
    # Coinciding quantiles merge: one bin [0, 1], closed as numpy.histogram closes its last bin.
    assert by_name["ties"]["edges"] == [0.0, 1.0] and by_name["ties"]["counts"] == [50]
    assert by_name["flag"]["categories"] == {"false": 25, "true": 25}
    for feature in by_name.values():
        if feature["kind"] == "numeric":
            assert len(feature["edges"]) == len(feature["counts"]) + 1


def test_prediction_baseline_is_categorical_for_labels_and_numeric_for_probabilities():
    from laketahoe.baseline import build_baseline
    from laketahoe.signature import infer_inputs

    X = pd.DataFrame({"x": np.linspace(0, 1, 100)})
    signature = {"inputs": infer_inputs(X)}
    labels = build_baseline(X, signature, np.array([0, 1] * 50), task="classification")["prediction"]
    assert labels["kind"] == "categorical" and labels["categories"] == {"0": 50, "1": 50}
    float_labels = build_baseline(X, signature, np.array([0.0, 2.0] * 50), task="classification")["prediction"]
    assert float_labels["kind"] == "categorical" and float_labels["categories"] == {"0": 50, "2": 50}
    # A binary booster's answer: the probability of the positive class, one value per row.
    probabilities = build_baseline(X, signature, np.linspace(0.01, 0.99, 100), task="classification")["prediction"]
    assert probabilities["kind"] == "numeric" and len(probabilities["counts"]) == 10
    strings = build_baseline(X, signature, np.array(["a", "b"] * 50), task="regression")["prediction"]
    assert strings["kind"] == "categorical"
