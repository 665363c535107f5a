"""Writes saved model folders (the format of laketahoe.save_model) for the serving tests.

usage: make_models.py OUT_DIR [--boosters]
  OUT_DIR/iris      LogisticRegression on iris (version A)
  OUT_DIR/iris-b    a second, differently regularised iris model (to switch versions)
  OUT_DIR/corrupt   a valid manifest whose model.joblib is not a pickle
  --boosters: OUT_DIR/iris-xgb and OUT_DIR/iris-lgb instead (XGBoost JSON booster, LightGBM text booster);
  run it with an interpreter that has xgboost and lightgbm (the serving environment has both).
"""
import json
import os
import sys

import joblib
import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


RUNTIMES = {"sklearn": "mlserver_sklearn.SKLearnModel", "xgboost": "mlserver_xgboost.XGBoostModel",
            "lightgbm": "mlserver_lightgbm.LightGBMModel"}


def write_folder(folder, name, model=None, X=None, framework="sklearn", artifact="model.joblib", version=None):
    os.makedirs(folder, exist_ok=True)
    if framework != "sklearn":
        model.save_model(os.path.join(folder, artifact))
    elif model is not None:
        joblib.dump(model, os.path.join(folder, artifact))
    else:
        with open(os.path.join(folder, artifact), "wb") as f:
            f.write(b"this is not a pickle")
    settings = {"name": name, "implementation": RUNTIMES[framework],
                "parameters": {"uri": "./" + artifact, "version": "1"}}
    manifest = {
        "name": name, "framework": framework, "frameworkVersion": version or sklearn.__version__,
        "artifact": artifact, "task": "classification",
        "signature": {"inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, 4],
                                  "features": [{"name": f, "kind": "numeric"} for f in FEATURES]}],
                      "outputs": [{"name": "predict", "datatype": "INT64", "shape": [-1]}]},
        "createTime": "2026-11-29T00:00:00Z",
    }
    with open(os.path.join(folder, "model-settings.json"), "w") as f:
        json.dump(settings, f)
    with open(os.path.join(folder, "laketahoe-model.json"), "w") as f:
        json.dump(manifest, f)
    if X is not None:
        features = []
        for i, fname in enumerate(FEATURES):
            edges = np.quantile(X[:, i], np.linspace(0, 1, 11))
            counts, _ = np.histogram(X[:, i], bins=edges)
            features.append({"name": fname, "kind": "numeric", "edges": edges.tolist(),
                             "counts": counts.tolist(), "sample": X[:100, i].tolist()})
        with open(os.path.join(folder, "baseline.json"), "w") as f:
            json.dump({"rows": int(len(X)), "features": features}, f)


def boosters(out):
    import lightgbm
    import xgboost

    X, y = load_iris(return_X_y=True)
    xgb = xgboost.XGBClassifier(n_estimators=20, max_depth=3).fit(X, y)
    write_folder(os.path.join(out, "iris-xgb"), "iris-xgb", xgb, X, "xgboost", "model.json", xgboost.__version__)
    lgb = lightgbm.train({"objective": "multiclass", "num_class": 3, "verbose": -1, "min_data_in_leaf": 5},
                         lightgbm.Dataset(X, y), num_boost_round=20)
    write_folder(os.path.join(out, "iris-lgb"), "iris-lgb", lgb, X, "lightgbm", "model.txt", lightgbm.__version__)


def shop(out):
    """A pipeline over a DataFrame with a text column, saved by laketahoe.save_model (the columns layout)."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    import laketahoe

    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({"price": rng.uniform(0, 10, n), "weight": rng.uniform(100, 200, n),
                      "color": rng.choice(["red", "green", "blue"], n)})
    y = ((X["price"] > 5) ^ (X["color"] == "red")).astype(int)
    encode = ColumnTransformer([("color", OneHotEncoder(), ["color"])], remainder="passthrough")
    model = Pipeline([("encode", encode), ("classify", LogisticRegression(max_iter=500))]).fit(X, y)
    # save_model writes <cwd>/models/shop; out is <root>/models.
    os.chdir(os.path.dirname(os.path.abspath(out)))
    laketahoe.save_model(model, "shop", X, y)


def main(out):
    shop(out)
    X, y = load_iris(return_X_y=True)
    write_folder(os.path.join(out, "iris"), "iris", LogisticRegression(max_iter=500).fit(X, y), X)
    write_folder(os.path.join(out, "iris-b"), "iris", LogisticRegression(C=0.01, max_iter=500).fit(X, y), X)
    write_folder(os.path.join(out, "corrupt"), "broken")


if __name__ == "__main__":
    (boosters if "--boosters" in sys.argv[2:] else main)(sys.argv[1])
