"""The peer of drift.mjs: the same drift computed with numpy and scipy, per feature
np.histogram over the baseline's quantile edges + PSI, and scipy.stats.ks_2samp against the
baseline sample. Reads the data drift.mjs wrote; prints one JSON line of timings and results.

Usage: python drift_peer.py <dir>   (dir holds live.f64, baseline.json, meta.json)
"""
import json
import sys
import time

import numpy as np
from scipy import stats

EPS = 1e-4


def psi(expected, actual):
    e = np.maximum(expected / expected.sum(), EPS)
    a = np.maximum(actual / actual.sum(), EPS)
    return float(np.sum((a - e) * np.log(a / e)))


def main(folder):
    meta = json.load(open(f"{folder}/meta.json"))
    rows, features = meta["rows"], meta["features"]
    # Column-major, as the monitor keeps its window.
    live = np.fromfile(f"{folder}/live.f64", dtype="<f8").reshape(features, rows)
    baseline = json.load(open(f"{folder}/baseline.json"))["features"]
    prepared = [(np.array(f["edges"]), np.array(f["counts"], dtype=float), np.array(f["sample"])) for f in baseline]
    timings = []
    for _ in range(meta["repeats"]):
        start = time.perf_counter()
        results = []
        for j, (edges, counts, sample) in enumerate(prepared):
            # Open-ended outer bins, as the monitor counts values outside the training range.
            inner = np.concatenate(([-np.inf], edges[1:-1], [np.inf]))
            live_counts, _ = np.histogram(live[j], inner)
            ks = stats.ks_2samp(sample, live[j])
            results.append((psi(counts, live_counts.astype(float)), float(ks.statistic), float(ks.pvalue)))
        timings.append(time.perf_counter() - start)
    print(json.dumps({"seconds": timings, "features": [{"psi": p, "ks": k, "ksPValue": pv} for p, k, pv in results]}))


if __name__ == "__main__":
    main(sys.argv[1])
