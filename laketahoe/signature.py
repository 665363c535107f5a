"""Model signatures and their Open Inference Protocol (v2) requests and answers.

A signature (``laketahoe-model.json``'s ``signature``) says what a saved model
takes and gives. It comes in two layouts, told apart by the rank of the inputs:

- **columns**: one rank-1 input (``shape [-1]``) per column of the training
  DataFrame, each with its own datatype. Requests carry ``content_type: "pd"``
  and the model server hands the model a DataFrame with those column names.
- **matrix**: one rank-2 input ``input-0`` (``shape [-1, n]``) for a numpy
  array; its ``features`` name the columns in order.

Both :func:`laketahoe.save_model` (to predict on exactly what the server will
hand the model) and :func:`laketahoe.predict` (to build requests) use this
module, so the two cannot drift apart. Only numpy and, when given DataFrames,
pandas are needed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

DATATYPES = ("FP64", "FP32", "INT64", "BYTES")
MATRIX_INPUT = "input-0"
PREDICT_OUTPUT = "predict"

_NUMPY_DTYPE = {"FP64": np.float64, "FP32": np.float32, "INT64": np.int64}


class SignatureError(ValueError):
    """Data that does not fit a signature, or cannot have one; the message names the column."""


def _is_dataframe(data) -> bool:
    return type(data).__module__.startswith("pandas") and type(data).__name__ == "DataFrame"


def datatype_of(dtype, what: str) -> str:
    """The OIP v2 datatype for a numpy or pandas dtype."""
    if getattr(dtype, "name", "") == "category" or dtype == object:
        return "BYTES"
    kind = getattr(dtype, "kind", "O")
    if kind == "f":
        return "FP32" if np.dtype(dtype).itemsize <= 4 else "FP64"
    if kind in "iub":
        return "INT64"
    if kind in "OUS":
        return "BYTES"
    raise SignatureError(f"{what} has dtype {dtype}, which a model server cannot take; "
                         "convert it to numbers or strings first")


def _categorical_set(categorical, names: list[str]) -> set[str]:
    """``categorical`` (names, or column positions for arrays) as a set of names."""
    chosen: set[str] = set()
    for item in categorical or ():
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not 0 <= item < len(names):
                raise SignatureError(f"categorical: column {item} does not exist (there are {len(names)})")
            chosen.add(names[item])
        elif str(item) in names:
            chosen.add(str(item))
        else:
            raise SignatureError(f"categorical: no column named {item!r}")
    return chosen


def as_matrix(X) -> np.ndarray:
    """A 2-D array of ``X`` (a 1-D array is one feature)."""
    arr = np.asarray(X)
    if arr.ndim == 1:
        return arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise SignatureError(f"X must be a DataFrame or a 1-D or 2-D array, got {arr.ndim} dimensions")
    return arr


def infer_inputs(X, feature_names=None, categorical=None) -> list[dict]:
    """The signature's ``inputs`` for training features ``X`` (a DataFrame or an array)."""
    if _is_dataframe(X):
        names = [str(c) for c in X.columns]
        if len(set(names)) != len(names):
            raise SignatureError("X has duplicate column names")
        if feature_names is not None and list(map(str, feature_names)) != names:
            raise SignatureError("feature_names: X is a DataFrame; its column names are the feature names")
        chosen = _categorical_set(categorical, names)
        inputs = []
        for column, name in zip(X.columns, names):
            datatype = datatype_of(X[column].dtype, f"column {name!r}")
            kind = "categorical" if datatype == "BYTES" or name in chosen else "numeric"
            inputs.append({"name": name, "datatype": datatype, "shape": [-1],
                           "features": [{"name": name, "kind": kind}]})
        return inputs

    arr = as_matrix(X)
    n = arr.shape[1]
    names = [str(f) for f in feature_names] if feature_names is not None else [f"x{i}" for i in range(n)]
    if len(names) != n:
        raise SignatureError(f"feature_names: {len(names)} names for {n} columns of X")
    datatype = datatype_of(arr.dtype, "X")
    chosen = _categorical_set(categorical, names)
    features = [{"name": name, "kind": "categorical" if datatype == "BYTES" or name in chosen else "numeric"}
                for name in names]
    return [{"name": MATRIX_INPUT, "datatype": datatype, "shape": [-1, n], "features": features}]


def inputs_without_data(n_features: int, feature_names=None, categorical=None) -> list[dict]:
    """Inputs of a model saved without ``X``: FP64 columns, by name when the model knows them."""
    if feature_names is not None:
        names = [str(f) for f in feature_names]
        chosen = _categorical_set(categorical, names)
        return [{"name": name, "datatype": "FP64", "shape": [-1],
                 "features": [{"name": name, "kind": "categorical" if name in chosen else "numeric"}]}
                for name in names]
    features = [{"name": f"x{i}", "kind": "numeric"} for i in range(n_features)]
    for name in _categorical_set(categorical, [f["name"] for f in features]):
        features[int(name[1:])]["kind"] = "categorical"
    return [{"name": MATRIX_INPUT, "datatype": "FP64", "shape": [-1, n_features], "features": features}]


def output_of(prediction) -> dict:
    """The signature's output for what the served model's ``predict`` returns."""
    arr = np.asarray(prediction)
    shape = [-1, *arr.shape[1:]]
    return {"name": PREDICT_OUTPUT, "datatype": datatype_of(arr.dtype, "the prediction"), "shape": shape}


def is_columns(signature: dict) -> bool:
    """True for the columns layout (one rank-1 input per column)."""
    return all(len(i.get("shape") or []) == 1 for i in signature["inputs"])


def feature_names_of(signature: dict) -> list[str]:
    """Every feature name in input order."""
    return [f["name"] for i in signature["inputs"] for f in i.get("features") or [{"name": i["name"]}]]


# --------------------------------------------------------------------------
# Requests


def category_key(value) -> str:
    """The text a categorical value is sent as (BYTES) and counted by in the drift baseline."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (bool, np.bool_)):
        # As JSON writes them: a model server answering booleans sends true/false.
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        # 3.0 and 3 are one category: requests send whole numbers without a fraction.
        return str(int(value))
    return str(value)


def _convert(values: np.ndarray, datatype: str, what: str) -> list:
    """``values`` as JSON-ready Python values of ``datatype``; a clear error names ``what`` otherwise."""
    if datatype == "BYTES":
        out = []
        for v in values.tolist():
            if v is None or (isinstance(v, float) and math.isnan(v)):
                raise SignatureError(f"{what} has a missing value; the model server cannot take it")
            # The same text the baseline counts categories by, so live and training values compare.
            out.append(category_key(v))
        return out
    try:
        numbers = values.astype(np.float64)
    except (TypeError, ValueError):
        raise SignatureError(f"{what} must be numbers ({datatype})") from None
    if np.isnan(numbers).any() or np.isinf(numbers).any():
        raise SignatureError(f"{what} has missing or infinite values; JSON cannot carry them to the model server")
    if datatype == "INT64":
        if not np.array_equal(numbers, np.round(numbers)):
            raise SignatureError(f"{what} must be whole numbers (INT64)")
        return numbers.astype(np.int64).tolist()
    # FP32 goes as the float32 value, so the server sees what the model was trained on.
    return numbers.astype(_NUMPY_DTYPE[datatype]).astype(np.float64).tolist()


def _rows_to_columns(data, names: list[str]) -> tuple[list[np.ndarray], int]:
    """Split ``data`` (DataFrame, 1-D/2-D array, list of rows or of dicts) into one array per feature."""
    n = len(names)
    if _is_dataframe(data):
        missing = [name for name in names if name not in {str(c) for c in data.columns}]
        if missing:
            raise SignatureError(f"data has no column {missing[0]!r}; the model takes {', '.join(names)}")
        by_name = {str(c): c for c in data.columns}
        return [data[by_name[name]].to_numpy() for name in names], len(data)
    if isinstance(data, (list, tuple)) and data and all(isinstance(r, dict) for r in data):
        for i, row in enumerate(data):
            absent = [name for name in names if name not in row]
            if absent:
                raise SignatureError(f"row {i} has no value for {absent[0]!r}")
        return [np.array([row[name] for row in data], dtype=object) for name in names], len(data)
    arr = np.asarray(data, dtype=object) if isinstance(data, (list, tuple)) else np.asarray(data)
    if arr.ndim == 1:
        # A 1-D array is one row, except for a one-feature model where it is one value per row.
        arr = arr.reshape(-1, 1) if n == 1 else arr.reshape(1, -1)
    if arr.ndim != 2:
        raise SignatureError(f"data must be a DataFrame, a 1-D or 2-D array or a list of rows; got {arr.ndim} dimensions")
    if arr.shape[1] != n:
        raise SignatureError(f"data has {arr.shape[1]} columns; the model takes {n} ({', '.join(names)})")
    return [arr[:, j] for j in range(n)], arr.shape[0]


def encode_request(data, signature: dict) -> dict:
    """The OIP v2 inference request body for ``data`` under ``signature``.

    Columns are taken by name from a DataFrame (in the signature's order) and
    by position from arrays and lists; values are converted to each input's
    datatype, categorical columns go as strings.
    """
    inputs = signature["inputs"]
    if is_columns(signature):
        names = [i["name"] for i in inputs]
        columns, rows = _rows_to_columns(data, names)
        body_inputs = []
        for spec, values in zip(inputs, columns):
            tensor = {"name": spec["name"], "datatype": spec["datatype"], "shape": [rows],
                      "data": _convert(values, spec["datatype"], f"column {spec['name']!r}")}
            if spec["datatype"] == "BYTES":
                tensor["parameters"] = {"content_type": "str"}
            body_inputs.append(tensor)
        return {"inputs": body_inputs, "parameters": {"content_type": "pd"}}

    if len(inputs) != 1:
        raise SignatureError("this signature has several matrix inputs; laketahoe.predict cannot build its request")
    spec = inputs[0]
    names = [f["name"] for f in spec.get("features") or []] or [f"x{i}" for i in range(spec["shape"][1])]
    columns, rows = _rows_to_columns(data, names)
    converted = [_convert(values, spec["datatype"], f"feature {name!r}") for name, values in zip(names, columns)]
    flat = [v for row in zip(*converted) for v in row]
    tensor = {"name": spec["name"], "datatype": spec["datatype"], "shape": [rows, len(names)], "data": flat}
    if spec["datatype"] == "BYTES":
        tensor["parameters"] = {"content_type": "str"}
    return {"inputs": [tensor]}


def decode_request(body: dict) -> Any:
    """What MLServer hands the model for ``body``: a DataFrame (``content_type: "pd"``) or an array.

    Mirrors its Pandas and NumPy codecs for the requests :func:`encode_request` builds.
    """
    if (body.get("parameters") or {}).get("content_type") == "pd":
        import pandas as pd

        columns = {}
        for tensor in body["inputs"]:
            if tensor["datatype"] == "BYTES":
                columns[tensor["name"]] = pd.Series(list(tensor["data"]), dtype=object)
            else:
                columns[tensor["name"]] = pd.Series(np.asarray(tensor["data"], dtype=_NUMPY_DTYPE[tensor["datatype"]]))
        return pd.DataFrame(columns)
    tensor = body["inputs"][0]
    dtype = object if tensor["datatype"] == "BYTES" else _NUMPY_DTYPE[tensor["datatype"]]
    return np.asarray(tensor["data"], dtype=dtype).reshape(tensor["shape"])


# --------------------------------------------------------------------------
# Answers


def decode_response(body: dict, output: dict | None = None) -> np.ndarray:
    """The ``predict`` output (else the first) of an OIP v2 answer as a numpy array.

    ``output`` (the signature's) decides the shape: a model with one value per
    row gives a 1-D array even when the server answers ``[n, 1]``.
    """
    outputs = body.get("outputs") or []
    if not outputs:
        raise SignatureError("the model server answered without outputs")
    tensor = next((o for o in outputs if o.get("name") == PREDICT_OUTPUT), outputs[0])
    datatype = tensor.get("datatype")
    dtype = _NUMPY_DTYPE.get(datatype, object)
    if datatype == "BOOL":
        dtype = bool
    elif datatype in ("INT8", "INT16", "INT32", "UINT8", "UINT16", "UINT32", "UINT64"):
        dtype = np.int64
    elif datatype == "FP16":
        dtype = np.float32
    arr = np.asarray(tensor.get("data") or [], dtype=dtype)
    shape = tensor.get("shape") or [arr.size]
    arr = arr.reshape(shape)
    if output is not None and len(output.get("shape") or []) == 1 and arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    return arr
