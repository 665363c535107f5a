"""The drift baseline of a saved model (``baseline.json``): what its training features looked like.

Numeric features get 10 quantile bins (edges and counts) and a sample of up to
1,000 values (for the KS test); categorical features get category counts. The
monitor bins live values with the same edges and compares.

Bins follow ``numpy.histogram``: ``[edges[i], edges[i+1])``, the last one
closed. Quantiles that coincide (many equal values) are merged, so a feature
may have fewer than 10 bins; a constant one has ``edges [v, v]`` and one bin, one
without any value ``edges [0, 0]`` and one empty bin.
Missing values (NaN, None) are left out of bins and counted in ``missing``.
Category keys are the values' text (``str(value)``), as requests send them.
"""

from __future__ import annotations

import math

import numpy as np

from .signature import _is_dataframe, as_matrix, category_key

BINS = 10
SAMPLE_SIZE = 1000


def _missing_mask(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return np.isnan(values)
    return np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in values.tolist()], dtype=bool)


def numeric_summary(name: str, values, rng: np.random.Generator) -> dict:
    """Quantile bins, a sample and the missing count of one numeric feature."""
    raw = np.asarray(values)
    missing = _missing_mask(raw) if raw.dtype.kind in "fO" else np.zeros(len(raw), dtype=bool)
    present = raw[~missing].astype(np.float64)
    summary: dict = {"name": name, "kind": "numeric"}
    if present.size == 0:
        # Readers need k + 1 edges for k counts: one empty bin at 0 keeps the baseline usable.
        summary.update(edges=[0.0, 0.0], counts=[0], sample=[], missing=int(missing.sum()))
        return summary
    # Quantiles taken from the data (no interpolation): a feature of few distinct values gets them as edges.
    edges = np.unique(np.quantile(present, np.linspace(0.0, 1.0, BINS + 1), method="inverted_cdf"))
    if edges.size == 1:
        edges = np.array([edges[0], edges[0]])
    # Inner edges only: values on an edge go to the bin it opens; the maximum stays in the last bin.
    index = np.searchsorted(edges[1:-1], present, side="right")
    counts = np.bincount(index, minlength=edges.size - 1)
    sample = present if present.size <= SAMPLE_SIZE else rng.choice(present, SAMPLE_SIZE, replace=False)
    summary.update(edges=edges.tolist(), counts=counts.tolist(), sample=sample.tolist(), missing=int(missing.sum()))
    return summary


def categorical_summary(name: str, values) -> dict:
    """Category counts (most frequent first) and the missing count of one categorical feature."""
    raw = np.asarray(values, dtype=object)
    missing = _missing_mask(raw)
    counts: dict[str, int] = {}
    for value in raw[~missing].tolist():
        key = category_key(value)
        counts[key] = counts.get(key, 0) + 1
    ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"name": name, "kind": "categorical", "categories": ordered, "missing": int(missing.sum())}


def feature_columns(X, signature: dict) -> list[tuple[dict, np.ndarray]]:
    """Each signature feature with its column of ``X``."""
    out = []
    if _is_dataframe(X):
        by_name = {str(c): c for c in X.columns}
        for spec in signature["inputs"]:
            for feature in spec["features"]:
                out.append((feature, X[by_name[feature["name"]]].to_numpy()))
        return out
    arr = as_matrix(X)
    features = [f for spec in signature["inputs"] for f in spec["features"]]
    return [(feature, arr[:, j]) for j, feature in enumerate(features)]


def _whole_numbers(values) -> bool:
    """Whether numeric values are all whole (labels such as 0, 1, 2), missing values aside."""
    if values.dtype.kind in "iu":
        return True
    finite = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    return bool(np.all(finite == np.round(finite)))


def build_baseline(X, signature: dict, predictions=None, task: str | None = None, seed: int = 0) -> dict:
    """``baseline.json`` for training features ``X`` and, when given, the model's predictions on them.

    Predictions of a classifier are categorical (class counts), of a regressor
    numeric. Predictions with several values per row (class probabilities) get
    no baseline: the monitor compares one value per row.
    """
    rng = np.random.default_rng(seed)
    features = []
    rows = 0
    for feature, values in feature_columns(X, signature):
        rows = len(values)
        if feature["kind"] == "categorical":
            features.append(categorical_summary(feature["name"], values))
        else:
            features.append(numeric_summary(feature["name"], values, rng))
    baseline: dict = {"rows": rows, "features": features}
    if predictions is not None:
        pred = np.asarray(predictions)
        if pred.ndim == 2 and pred.shape[1] == 1:
            pred = pred[:, 0]
        if pred.ndim == 1:
            # Class labels are categories; a classifier that answers probabilities (boosters, LightGBM's
            # runtime) gives fractions, whose drift is numeric: as categories each value would be its own.
            categorical = pred.dtype.kind in "OUSb" or (task == "classification" and _whole_numbers(pred))
            baseline["prediction"] = (categorical_summary("prediction", pred) if categorical
                                      else numeric_summary("prediction", pred, rng))
    return baseline
