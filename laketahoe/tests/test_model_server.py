"""Saved model folders served by a real MLServer, asked with the requests laketahoe.predict builds.

No LakeTahoe service here: one ``mlserver start`` over a folder of saved
models, as the service's local backend starts it per deployment. Needs the
serving environment (``.venv-serving``, or ``LAKETAHOE_MLSERVER``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time

import numpy as np
import pandas as pd
import pytest
import requests
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import laketahoe
from laketahoe.signature import decode_response, encode_request

from .conftest import missing_prerequisite, mlserver_path, need_module, stop_process_group


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Saved models of each framework and layout, with the data to ask them and what they answer in-process."""
    root = tmp_path_factory.mktemp("served")
    cwd = os.getcwd()
    os.chdir(root)
    cases = {}
    try:
        X, y = load_iris(return_X_y=True, as_frame=True)
        forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
        laketahoe.save_model(forest, "sk-frame", X, y)
        cases["sk-frame"] = (X, forest.predict(X))

        rng = np.random.default_rng(0)
        shapes = pd.DataFrame({"color": rng.choice(["red", "green", "blue"], 200), "size": rng.integers(1, 4, 200),
                               "weight": rng.normal(10, 2, 200)})
        target = np.where(shapes["color"] == "red", "heavy", "light")
        pipe = make_pipeline(ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), ["color", "size"])],
                                               remainder="passthrough"), LogisticRegression(max_iter=500))
        pipe.fit(shapes, target)
        laketahoe.save_model(pipe, "sk-categorical", shapes, target, categorical=["size"])
        cases["sk-categorical"] = (shapes, pipe.predict(shapes))

        xgb = need_module("xgboost")
        booster = xgb.XGBClassifier(n_estimators=5, max_depth=3).fit(X, y)
        laketahoe.save_model(booster, "xgb-frame", X, y)
        cases["xgb-frame"] = (X, booster.predict(X))

        lgb = need_module("lightgbm")
        Xd, yd = load_diabetes(return_X_y=True)
        reg = lgb.LGBMRegressor(n_estimators=5, verbose=-1).fit(Xd, yd)
        laketahoe.save_model(reg, "lgb-matrix", Xd, yd)
        cases["lgb-matrix"] = (Xd, reg.predict(Xd))
    finally:
        os.chdir(cwd)
    return root / "models", cases


@pytest.fixture(scope="module")
def mlserver(saved):
    """One MLServer over every saved folder; its HTTP base URL."""
    if not mlserver_path().is_file():
        missing_prerequisite(f"no MLServer at {mlserver_path()} (build .venv-serving or set LAKETAHOE_MLSERVER)")
    folder, _ = saved
    port = free_port()
    env = {**os.environ, "MLSERVER_HOST": "127.0.0.1", "MLSERVER_HTTP_PORT": str(port),
           "MLSERVER_GRPC_PORT": str(free_port()), "MLSERVER_METRICS_PORT": str(free_port()),
           "MLSERVER_PARALLEL_WORKERS": "0"}
    log = open(folder.parent / "mlserver.log", "w")
    proc = subprocess.Popen([str(mlserver_path()), "start", str(folder)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                if all(requests.get(f"{base}/v2/models/{name}/ready", timeout=2).status_code == 200
                       for name in saved[1]):
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"MLServer did not get ready: {(folder.parent / 'mlserver.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        stop_process_group(proc)
        log.close()


@pytest.mark.parametrize("name", ["sk-frame", "sk-categorical", "xgb-frame", "lgb-matrix"])
def test_served_predictions_match_in_process(saved, mlserver, name):
    import json

    folder, cases = saved
    data, expected = cases[name]
    signature = json.loads((folder / name / "laketahoe-model.json").read_text())["signature"]
    answer = requests.post(f"{mlserver}/v2/models/{name}/infer", json=encode_request(data, signature), timeout=30)
    assert answer.status_code == 200, answer.text
    result = decode_response(answer.json(), signature["outputs"][0])
    if result.dtype.kind == "f":
        assert np.allclose(result, expected, rtol=1e-5)
    else:
        assert result.tolist() == expected.tolist()
    assert answer.json()["outputs"][0]["datatype"] == signature["outputs"][0]["datatype"]


def test_requests_without_content_types_decode_from_the_settings(saved, mlserver):
    """model-settings.json carries the content types: a bare OIP v2 request works too."""
    _, cases = saved
    shapes, expected = cases["sk-categorical"]
    bare = {"inputs": [{"name": c, "datatype": dt, "shape": [3], "data": shapes[c].iloc[:3].tolist()}
                       for c, dt in (("color", "BYTES"), ("size", "INT64"), ("weight", "FP64"))]}
    answer = requests.post(f"{mlserver}/v2/models/sk-categorical/infer", json=bare, timeout=30)
    assert answer.status_code == 200, answer.text
    assert decode_response(answer.json(), {"shape": [-1]}).tolist() == expected[:3].tolist()
