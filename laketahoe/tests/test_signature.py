"""Open Inference Protocol v2 requests from signatures, and answers back to arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from laketahoe.signature import (SignatureError, decode_request, decode_response, encode_request, infer_inputs,
                                 output_of)

COLUMNS = {"inputs": [
    {"name": "color", "datatype": "BYTES", "shape": [-1], "features": [{"name": "color", "kind": "categorical"}]},
    {"name": "size", "datatype": "INT64", "shape": [-1], "features": [{"name": "size", "kind": "categorical"}]},
    {"name": "weight", "datatype": "FP64", "shape": [-1], "features": [{"name": "weight", "kind": "numeric"}]},
], "outputs": [{"name": "predict", "datatype": "INT64", "shape": [-1]}]}

MATRIX = {"inputs": [{"name": "input-0", "datatype": "FP32", "shape": [-1, 3],
                      "features": [{"name": "a", "kind": "numeric"}, {"name": "b", "kind": "numeric"},
                                   {"name": "c", "kind": "numeric"}]}],
          "outputs": [{"name": "predict", "datatype": "FP64", "shape": [-1]}]}


def test_infer_inputs_from_dataframe_dtypes():
    frame = pd.DataFrame({"f64": [1.5, 2.0], "f32": np.array([1, 2], dtype=np.float32), "i": [1, 2],
                          "u8": np.array([1, 2], dtype=np.uint8), "b": [True, False], "s": ["x", "y"],
                          "cat": pd.Categorical(["p", "q"])})
    inputs = infer_inputs(frame, categorical=["i"])
    assert [(i["name"], i["datatype"], i["features"][0]["kind"]) for i in inputs] == [
        ("f64", "FP64", "numeric"), ("f32", "FP32", "numeric"), ("i", "INT64", "categorical"),
        ("u8", "INT64", "numeric"), ("b", "INT64", "numeric"), ("s", "BYTES", "categorical"),
        ("cat", "BYTES", "categorical")]
    assert all(i["shape"] == [-1] for i in inputs)


def test_infer_inputs_from_arrays():
    (spec,) = infer_inputs(np.zeros((5, 3), dtype=np.int32), categorical=[1])
    assert spec["name"] == "input-0" and spec["datatype"] == "INT64" and spec["shape"] == [-1, 3]
    assert [(f["name"], f["kind"]) for f in spec["features"]] == [("x0", "numeric"), ("x1", "categorical"),
                                                                  ("x2", "numeric")]
    (spec,) = infer_inputs(np.arange(4.0))
    assert spec["shape"] == [-1, 1]
    with pytest.raises(SignatureError, match="3 dimensions"):
        infer_inputs(np.zeros((2, 2, 2)))
    with pytest.raises(SignatureError, match="column 5 does not exist"):
        infer_inputs(np.zeros((2, 2)), categorical=[5])


def test_output_of_predictions():
    assert output_of(np.array([0, 1])) == {"name": "predict", "datatype": "INT64", "shape": [-1]}
    assert output_of(np.array(["setosa"])) == {"name": "predict", "datatype": "BYTES", "shape": [-1]}
    assert output_of(np.zeros((4, 3))) == {"name": "predict", "datatype": "FP64", "shape": [-1, 3]}


def test_columns_request_from_dataframe_reorders_and_converts():
    frame = pd.DataFrame({"weight": [1, 2.5], "extra": [9, 9], "size": [3.0, 4.0], "color": ["red", "blue"]},
                         index=[10, 11])
    body = encode_request(frame, COLUMNS)
    assert body["parameters"] == {"content_type": "pd"}
    assert body["inputs"] == [
        {"name": "color", "datatype": "BYTES", "shape": [2], "data": ["red", "blue"],
         "parameters": {"content_type": "str"}},
        {"name": "size", "datatype": "INT64", "shape": [2], "data": [3, 4]},
        {"name": "weight", "datatype": "FP64", "shape": [2], "data": [1.0, 2.5]},
    ]
    assert all(type(v) is int for v in body["inputs"][1]["data"])
    decoded = decode_request(body)
    assert list(decoded.columns) == ["color", "size", "weight"]
    assert decoded["size"].dtype == np.int64 and decoded["weight"].dtype == np.float64
    assert decoded["color"].tolist() == ["red", "blue"]


def test_columns_request_from_rows_and_dicts():
    rows = [["red", 1, 0.5], ["green", 2, 1.5]]
    by_position = encode_request(rows, COLUMNS)
    by_name = encode_request([{"weight": 0.5, "size": 1, "color": "red"},
                              {"color": "green", "size": 2, "weight": 1.5}], COLUMNS)
    assert by_position == by_name
    assert by_position["inputs"][0]["data"] == ["red", "green"]
    one_row = encode_request(np.array(["red", 1, 0.5], dtype=object), COLUMNS)
    assert [i["shape"] for i in one_row["inputs"]] == [[1], [1], [1]]


def test_matrix_request_from_arrays():
    body = encode_request(np.array([[1, 2, 3], [4, 5, 6]]), MATRIX)
    assert "parameters" not in body
    assert body["inputs"] == [{"name": "input-0", "datatype": "FP32", "shape": [2, 3],
                               "data": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}]
    # A 1-D array is one row.
    assert encode_request(np.array([0.1, 0.2, 0.3]), MATRIX)["inputs"][0]["shape"] == [1, 3]
    # FP32 values go as the float32 the model sees.
    assert encode_request([[0.1, 0.2, 0.3]], MATRIX)["inputs"][0]["data"][0] == float(np.float32(0.1))
    # A DataFrame is taken by feature name.
    frame = pd.DataFrame({"c": [3.0], "a": [1.0], "b": [2.0]})
    assert encode_request(frame, MATRIX)["inputs"][0]["data"] == [1.0, 2.0, 3.0]
    decoded = decode_request(encode_request(np.eye(3), MATRIX))
    assert decoded.dtype == np.float32 and decoded.shape == (3, 3)


def test_one_feature_1d_array_is_one_value_per_row():
    signature = {"inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, 1],
                             "features": [{"name": "x0", "kind": "numeric"}]}]}
    assert encode_request(np.array([1.0, 2.0, 3.0]), signature)["inputs"][0]["shape"] == [3, 1]


@pytest.mark.parametrize("data, message", [
    (pd.DataFrame({"color": ["r"], "size": [1]}), "no column 'weight'"),
    ([["red", 1]], "has 2 columns; the model takes 3"),
    ([{"color": "red", "size": 1}], "row 0 has no value for 'weight'"),
    ([["red", 1.5, 0.5]], "column 'size' must be whole numbers"),
    ([["red", 1, float("nan")]], "column 'weight' has missing or infinite values"),
    ([["red", 1, "heavy"]], "column 'weight' must be numbers"),
    ([[None, 1, 0.5]], "column 'color' has a missing value"),
    (np.zeros((2, 2, 2)), "3 dimensions"),
])
def test_bad_data_names_the_column(data, message):
    with pytest.raises(SignatureError, match=message):
        encode_request(data, COLUMNS)


def test_decode_response_shapes_and_types():
    answer = {"outputs": [{"name": "predict", "datatype": "INT64", "shape": [3, 1], "data": [0, 2, 1]}]}
    result = decode_response(answer, {"name": "predict", "shape": [-1]})
    assert result.shape == (3,) and result.dtype == np.int64 and result.tolist() == [0, 2, 1]
    probs = {"outputs": [{"name": "predict", "datatype": "FP64", "shape": [2, 2], "data": [0.1, 0.9, 0.8, 0.2]}]}
    assert decode_response(probs).shape == (2, 2)
    labels = {"outputs": [{"name": "other", "datatype": "FP32", "shape": [1], "data": [1.0]},
                          {"name": "predict", "datatype": "BYTES", "shape": [2], "data": ["setosa", "virginica"]}]}
    assert decode_response(labels).tolist() == ["setosa", "virginica"]
    with pytest.raises(SignatureError, match="without outputs"):
        decode_response({"outputs": []})
