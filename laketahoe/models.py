"""``laketahoe.save_model``: write a trained model as a saved model folder the service can register and serve.

The folder (docs/contracts.md, "Saved model folder") holds the artifact in the
format MLServer's runtime loads, its ``model-settings.json``, the manifest
``laketahoe-model.json`` (framework, task, signature) and the drift baseline
``baseline.json``. Inside a job it goes to the job's working directory and a
``model`` record tells the service, which registers it when the job succeeds.

XGBoost and LightGBM are imported only when such a model is saved, numpy and
the rest only when any is: ``import laketahoe`` imports this module.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile

from . import _metrics

OUTPUT_DIR_ENV = "LAKETAHOE_OUTPUT_DIR"
MANIFEST = "laketahoe-model.json"
SETTINGS = "model-settings.json"
BASELINE = "baseline.json"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
TASKS = ("classification", "regression")
# Predictions for the baseline: enough rows for stable bins without predicting a whole large training set.
PREDICTION_ROWS = 10_000

_FRAMEWORKS = {
    "sklearn": ("model.joblib", "mlserver_sklearn.SKLearnModel"),
    "xgboost": ("model.json", "mlserver_xgboost.XGBoostModel"),
    "lightgbm": ("model.txt", "mlserver_lightgbm.LightGBMModel"),
}


def check_name(name) -> str:
    """``name`` when it is a valid model name, else a ``ValueError`` that says what is allowed."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(f"save_model: name {name!r} is invalid: use 1 to 63 lowercase letters, digits and '-', "
                         "starting with a letter (it becomes a URL segment), e.g. 'iris' or 'churn-v2'")
    return name


def framework_of(model) -> str:
    """``sklearn``, ``xgboost`` or ``lightgbm``, from the model's classes (without importing the frameworks)."""
    modules = [cls.__module__ or "" for cls in type(model).__mro__]
    # XGBoost's and LightGBM's estimators also subclass scikit-learn's: look for them first.
    for framework in ("xgboost", "lightgbm", "sklearn"):
        if any(m == framework or m.startswith(framework + ".") for m in modules):
            return framework
    raise TypeError(f"save_model: cannot save a {type(model).__module__}.{type(model).__name__}; "
                    "give a scikit-learn estimator or pipeline, an XGBoost model or a LightGBM model")


# --------------------------------------------------------------------------
# Artifacts and how the model server loads them


def _write_artifact(model, framework: str, path: str) -> None:
    if framework == "sklearn":
        import joblib

        joblib.dump(model, path)
    elif framework == "xgboost":
        # The JSON format, which MLServer's XGBoost runtime loads through the scikit-learn interface.
        model.save_model(path)
    else:
        booster = model if type(model).__name__ == "Booster" else model.booster_
        booster.save_model(path)


def load_served(framework: str, path: str):
    """Load an artifact the way the model server's runtime does, so that predictions match the served ones."""
    if framework == "sklearn":
        import joblib

        return joblib.load(path)
    if framework == "xgboost":
        import xgboost as xgb

        # MLServer's XGBoost runtime tries a regressor first and falls back to a classifier.
        try:
            model = xgb.XGBRegressor()
            model.load_model(path)
        except TypeError:
            model = xgb.XGBClassifier()
            model.load_model(path)
        return model
    import lightgbm as lgb

    return lgb.Booster(model_file=path)


def framework_version(framework: str) -> str:
    """The installed version of the framework."""
    from importlib.metadata import PackageNotFoundError, version

    names = {"sklearn": ["scikit-learn"], "xgboost": ["xgboost", "xgboost-cpu"], "lightgbm": ["lightgbm"]}[framework]
    for dist in names:
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return ""


# --------------------------------------------------------------------------
# Task and signature


def _objective(served, framework: str) -> str:
    if framework == "xgboost":
        return json.loads(served.get_booster().save_config())["learner"]["objective"]["name"]
    if framework == "lightgbm":
        return str(served.params.get("objective", ""))
    return ""


def infer_task(model, served, framework: str, y=None, prediction=None) -> str:
    """``classification`` or ``regression``: from the model itself, else from ``y`` or its predictions."""
    if framework == "sklearn":
        from sklearn.base import is_classifier, is_regressor

        if is_classifier(model):
            return "classification"
        if is_regressor(model):
            return "regression"
    else:
        objective = _objective(served, framework)
        if objective:
            return "classification" if objective.startswith(("binary", "multi")) else "regression"
    import numpy as np

    for values in (y, prediction):
        if values is not None:
            kind = np.asarray(values).dtype.kind
            return "regression" if kind == "f" else "classification"
    raise ValueError("save_model: cannot tell whether this model classifies or regresses; "
                     "pass task='classification' or task='regression'")


def _known_features(model, served, framework: str) -> tuple[int | None, list[str] | None]:
    """How many features the model takes and, when it was fitted on a DataFrame, their names."""
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        return len(names), [str(n) for n in names]
    count = getattr(model, "n_features_in_", None)
    if framework == "lightgbm":
        names = served.feature_name()
        count = served.num_feature()
        # LightGBM names unnamed columns Column_0, Column_1, ...: those are positions, not names.
        if all(n == f"Column_{i}" for i, n in enumerate(names)):
            names = None
        return count, names
    if framework == "xgboost":
        booster = served.get_booster()
        count = booster.num_features()
        names = booster.feature_names
        return count, list(names) if names else None
    return count, None


def _sample_rows(X, rows: int):
    from .signature import _is_dataframe, as_matrix

    if _is_dataframe(X):
        return X.iloc[:rows]
    return as_matrix(X)[:rows]


def _check_rows(X, y) -> None:
    from .signature import _is_dataframe, as_matrix

    if y is not None and X is not None:
        n_x = len(X) if _is_dataframe(X) else as_matrix(X).shape[0]
        if len(y) != n_x:
            raise ValueError(f"save_model: X has {n_x} rows but y has {len(y)}")


# --------------------------------------------------------------------------
# The folder


def output_dir() -> str:
    """Where ``models/<name>/`` goes: the job's working directory inside a job, else the current directory."""
    return os.environ.get(OUTPUT_DIR_ENV) or os.getcwd()


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _write_json(path: str, obj, indent: int | None = 2) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=indent, allow_nan=False)
        fh.write("\n")


def model_settings(name: str, framework: str, signature: dict) -> dict:
    """MLServer's ``model-settings.json``.

    Input metadata and, for the columns layout, the ``pd`` content type make
    the server decode requests as :mod:`laketahoe.signature` builds them even
    when a client leaves the content types out. The version is the registry's,
    unknown here: the service sets it when it deploys.
    """
    artifact, implementation = _FRAMEWORKS[framework]
    parameters: dict = {"uri": f"./{artifact}"}
    inputs = []
    for spec in signature["inputs"]:
        tensor = {"name": spec["name"], "datatype": spec["datatype"], "shape": spec["shape"]}
        if spec["datatype"] == "BYTES":
            tensor["parameters"] = {"content_type": "str"}
        inputs.append(tensor)
    if all(len(spec["shape"]) == 1 for spec in signature["inputs"]):
        parameters["content_type"] = "pd"
    return {"name": name, "implementation": implementation, "parameters": parameters,
            "inputs": inputs, "outputs": [dict(o) for o in signature["outputs"]]}


def save_model(model, name: str, X=None, y=None, *, task: str | None = None, feature_names=None,
               categorical=None) -> str:
    """Save a trained model as ``models/<name>/`` for LakeTahoe to register, serve and monitor.

    ``model``: a scikit-learn estimator or pipeline, an XGBoost
    ``XGBClassifier``/``XGBRegressor``/``Booster`` or a LightGBM
    ``LGBMClassifier``/``LGBMRegressor``/``Booster``.

    ``X`` (training features: a pandas DataFrame or a numpy array) gives the
    signature (column names and datatypes; ``feature_names`` names an array's
    columns) and the drift baseline; ``categorical`` lists columns (names, or
    positions of an array) to treat as categories even though they hold
    numbers; text columns always are. ``y`` helps tell the ``task`` when the
    model does not say. Without ``X`` the signature comes from the model alone
    and there is no baseline.

    Inside a LakeTahoe job the folder goes to the job's working directory and the
    service registers it as a new model version when the job succeeds; outside
    one it goes under the current directory (register it with
    ``laketahoe.register_model``). Saving a name again replaces the folder.
    Returns the folder's path.
    """
    import numpy as np

    from .baseline import build_baseline
    from .signature import SignatureError, decode_request, encode_request, infer_inputs, inputs_without_data, output_of

    check_name(name)
    framework = framework_of(model)
    if task is not None and task not in TASKS:
        raise ValueError(f"save_model: task must be 'classification' or 'regression', not {task!r}")
    _check_rows(X, y)
    artifact, _ = _FRAMEWORKS[framework]

    if X is not None:
        try:
            inputs = infer_inputs(X, feature_names, categorical)
        except SignatureError as exc:
            raise ValueError(f"save_model: {exc}") from None
        if framework != "sklearn" and any(i["datatype"] == "BYTES" for i in inputs):
            raise ValueError(f"save_model: {framework} models are served from their booster, which takes numbers "
                             "only; encode text columns as numbers, or wrap the encoder and the model in a "
                             "scikit-learn Pipeline")

    models_dir = os.path.join(output_dir(), "models")
    os.makedirs(models_dir, exist_ok=True)
    # Build the folder aside and swap it in, so that a failure never leaves half a model behind.
    staging = tempfile.mkdtemp(prefix=f".{name}-", dir=models_dir)
    try:
        artifact_path = os.path.join(staging, artifact)
        _write_artifact(model, framework, artifact_path)
        served = load_served(framework, artifact_path) if framework != "sklearn" else model

        if X is None:
            count, names = _known_features(model, served, framework)
            if count is None and feature_names is None:
                raise ValueError("save_model: cannot tell what this model takes; pass X (training features)")
            names = [str(f) for f in feature_names] if feature_names is not None else names
            inputs = inputs_without_data(count or len(names), names, categorical)

        signature: dict = {"inputs": inputs, "outputs": []}
        predictions = None
        if X is not None:
            # Predict on what the model server will hand the model, so that a model which cannot take
            # its requests fails here, at training time, not on its first request.
            request = encode_request(_sample_rows(X, PREDICTION_ROWS), signature)
            try:
                predictions = np.asarray(served.predict(decode_request(request)))
            except Exception as exc:  # noqa: BLE001 - any failure means the served model would fail too
                raise ValueError(f"save_model: the model cannot predict on its inputs as the model server "
                                 f"will pass them: {type(exc).__name__}: {exc}") from exc
            signature["outputs"] = [output_of(predictions)]
        task = task or infer_task(model, served, framework, y, predictions)
        if not signature["outputs"]:
            signature["outputs"] = [_output_without_data(model, served, framework, task)]

        manifest = {"name": name, "framework": framework, "frameworkVersion": framework_version(framework),
                    "artifact": artifact, "task": task, "signature": signature, "createTime": _now()}
        _write_json(os.path.join(staging, MANIFEST), manifest)
        _write_json(os.path.join(staging, SETTINGS), model_settings(name, framework, signature))
        if X is not None:
            # Compact: a thousand sampled values per feature, one per line, would be mostly whitespace.
            _write_json(os.path.join(staging, BASELINE), build_baseline(X, signature, predictions, task), indent=None)

        # mkdtemp made it private; the service and the model server may read it as another user.
        os.chmod(staging, 0o755)
        final = os.path.join(models_dir, name)
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    if _metrics.in_job():
        _metrics.append_event({"type": "model", "name": name, "path": f"models/{name}"})
    return final


def _output_without_data(model, served, framework: str, task: str) -> dict:
    """The output when there was no ``X`` to predict on: labels for classifiers, numbers for regressors."""
    if task == "regression":
        return {"name": "predict", "datatype": "FP32" if framework == "xgboost" else "FP64", "shape": [-1]}
    if framework == "lightgbm":
        # The LightGBM runtime serves the booster: class probabilities, one column per class
        # except for binary models (the positive class's probability).
        classes = int(served.params.get("num_class", 1) or 1)
        return {"name": "predict", "datatype": "FP64", "shape": [-1] if classes <= 2 else [-1, classes]}
    import numpy as np

    from .signature import output_of

    classes = getattr(model, "classes_", None)
    datatype = "INT64"
    if classes is not None:
        datatype = output_of(np.asarray(classes))["datatype"]
    return {"name": "predict", "datatype": datatype, "shape": [-1]}
