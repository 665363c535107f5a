"""Prints the comparison table from ours.json and peers.json (written by run.sh)."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def pct(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))]


def main(ours_path: str, peers_path: str) -> None:
    ours = json.loads(Path(ours_path).read_text())
    peers = json.loads(Path(peers_path).read_text())
    methods = {"ours (GP-EI)": ours["runs"], "optuna-tpe": peers["runs"]["optuna-tpe"], "skopt-gp": peers["runs"]["skopt-gp"]}
    keys = list(ours["runs"].keys())
    n_seeds = len(ours["runs"][keys[0]])
    n_trials = len(ours["runs"][keys[0]][0])
    checkpoints = [c for c in (20, 40, 60) if c <= n_trials] or [n_trials]
    v = peers["versions"]
    print(f"Peers: optuna {v['optuna']} TPESampler (default sampler); scikit-optimize {v['scikit-optimize']} Optimizer(GP, gp_hedge)")
    print("       = gp_minimize's engine, batches via ask(n_points=4, strategy='cl_min'). Optuna GPSampler skipped: needs PyTorch.")
    print(f"Median simple regret over {n_seeds} seeds, {n_trials} trials; batch 4 = 4 suggestions before results come back.")
    print()
    header = f"{'function':<12} {'batch':>5} {'method':<13} " + " ".join(f"{'@' + str(c):>10}" for c in checkpoints) + f" {'ours/tpe':>9} {'ours/gp':>9}"
    print(header)
    print("-" * len(header))
    wins_tpe, wins_gp, total = {}, {}, {}
    for key in keys:
        fn, batch = key.split("/")
        final = {}
        for m, runs in methods.items():
            med = [statistics.median(r[c - 1] for r in runs[key]) for c in checkpoints]
            final[m] = med[-1]
            extra = ""
            if m.startswith("ours"):
                ot = final_ratio(med[-1], statistics.median(r[checkpoints[-1] - 1] for r in methods["optuna-tpe"][key]))
                og = final_ratio(med[-1], statistics.median(r[checkpoints[-1] - 1] for r in methods["skopt-gp"][key]))
                extra = f" {ot:>9} {og:>9}"
            print(f"{fn:<12} {batch:>5} {m:<13} " + " ".join(f"{x:>10.3g}" for x in med) + extra)
        o, t, g = final["ours (GP-EI)"], final["optuna-tpe"], final["skopt-gp"]
        wins_tpe.setdefault(batch, 0)
        wins_gp.setdefault(batch, 0)
        total[batch] = total.get(batch, 0) + 1
        wins_tpe[batch] += o <= t
        wins_gp[batch] += o <= g
    print()
    for batch in total:
        print(
            f"batch {batch}: ours <= TPE on {wins_tpe[batch]}/{total[batch]} functions (target {total[batch]}/{total[batch]}); "
            f"ours <= GP peer on {wins_gp[batch]}/{total[batch]} (target >= 3/{total[batch]})"
        )
    print()
    print("Suggestion latency (ms), 8 parameters, history grows by one trial per call:")
    print(f"{'finished trials':>16} {'method':<12} {'p50':>8} {'p95':>8} {'max':>8}")
    for n in ("100", "1000"):
        for m, lat in (("ours", ours["latency"][n]), ("optuna-tpe", peers["latency"][n])):
            print(f"{n:>16} {m:<12} {pct(lat, 0.5):>8.1f} {pct(lat, 0.95):>8.1f} {max(lat):>8.1f}")


def final_ratio(a: float, b: float) -> str:
    if b <= 0:
        return "inf" if a > 0 else "1.00"
    return f"{a / b:.2f}"


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
