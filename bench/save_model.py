"""What laketahoe.save_model costs beside saving the bare model, measured in the same run.

For each framework, on the same training set (ROWS x COLS, numeric), prints the median over N runs of:
  - bare:       the framework's own save (joblib.dump / save_model("model.json") / booster save_model)
  - save_model: laketahoe.save_model with X and y (artifact, signature, settings, baseline with predictions)
and the size of baseline.json.

Usage: .venv/bin/python bench/save_model.py [--rows 100000] [--cols 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import laketahoe  # noqa: E402


def models(X, y):
    """A fitted model per framework, with its bare save."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    out = [("sklearn HistGradientBoosting", HistGradientBoostingClassifier(max_iter=20).fit(X, y),
            lambda m, d: joblib.dump(m, os.path.join(d, "model.joblib")))]
    try:
        import xgboost as xgb

        out.append(("xgboost XGBClassifier", xgb.XGBClassifier(n_estimators=20, max_depth=4).fit(X, y),
                    lambda m, d: m.save_model(os.path.join(d, "model.json"))))
    except ImportError:
        pass
    try:
        import lightgbm as lgb

        out.append(("lightgbm LGBMClassifier", lgb.LGBMClassifier(n_estimators=20, verbose=-1).fit(X, y),
                    lambda m, d: m.booster_.save_model(os.path.join(d, "model.txt"))))
    except ImportError:
        pass
    return out


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(args.rows, args.cols)), columns=[f"f{i}" for i in range(args.cols)])
    y = (X["f0"] + X["f1"] * 0.5 + rng.normal(size=args.rows) > 0).astype(int)
    print(f"training set: {args.rows} rows x {args.cols} numeric columns; median of {args.runs} runs")
    print(f"{'model':32} {'bare save':>10} {'save_model':>11} {'baseline.json':>14}")
    for label, model, bare in models(X, y):
        with tempfile.TemporaryDirectory() as tmp:
            os.chdir(tmp)
            bare_s = median_seconds(lambda: bare(model, tmp), args.runs)
            ours_s = median_seconds(lambda: laketahoe.save_model(model, "bench", X, y), args.runs)
            size = os.path.getsize(os.path.join(tmp, "models", "bench", "baseline.json"))
            os.chdir("/")
        print(f"{label:32} {bare_s * 1000:8.1f} ms {ours_s * 1000:8.1f} ms {size / 1024:11.0f} KiB")


if __name__ == "__main__":
    main()
