"""Prints the comparison tables from ours.json and peers.json (written by run.sh).

peers.json may instead hold stored peer medians ({"medians": {method: {key:
{checkpoint: median}}}}, e.g. peers-medians-2026-12-05.json): Optuna's samplers
are deterministic for a seed, so a stored 20-seed run stands for a rerun.

One table per problem set of problems.json (the classic five, the multimodal
four), each row our median regret beside every peer that ran, and the ratio
to each peer at the last checkpoint.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Target ratio of our median regret to TPE's at the last checkpoint, per set.
TARGET_VS_TPE = {"classic": 0.46, "multimodal": 0.5}
SHORT = {"optuna-tpe": "tpe", "optuna-cmaes": "cma", "skopt-gp": "gp"}


def pct(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))]


def final_ratio(a: float, b: float) -> float:
    if b <= 0:
        return float("inf") if a > 0 else 1.0
    return a / b


def main(ours_path: str, peers_path: str) -> None:
    ours = json.loads(Path(ours_path).read_text())
    peers = json.loads(Path(peers_path).read_text())
    sets = {p["name"]: p.get("set", "classic") for p in json.loads((HERE / "problems.json").read_text())["problems"]}
    peer_runs = peers.get("runs") or peers["medians"]
    peer_names = [m for m in SHORT if m in peer_runs]
    methods = {"ours": ours["runs"], **{m: peer_runs[m] for m in peer_names}}

    def median_at(runs, key: str, c: int) -> float:
        if isinstance(runs[key], dict):
            return runs[key][str(c)]
        return statistics.median(r[c - 1] for r in runs[key])

    keys = list(ours["runs"].keys())
    n_seeds = len(ours["runs"][keys[0]])
    n_trials = len(ours["runs"][keys[0]][0])
    checkpoints = [c for c in (20, 40, 60) if c <= n_trials] or [n_trials]
    v = peers["versions"]
    print(
        f"Peers: optuna {v['optuna']} TPESampler (default sampler), CmaEsSampler (cmaes {v.get('cmaes', '-')}); "
        f"scikit-optimize {v['scikit-optimize']} Optimizer(GP, gp_hedge) when run"
    )
    print(f"Median simple regret over {n_seeds} seeds, {n_trials} trials; batch 4 = 4 suggestions before results come back.")
    for set_name in dict.fromkeys(sets[k.split("/")[0]] for k in keys):
        set_keys = [k for k in keys if sets[k.split("/")[0]] == set_name]
        print()
        print(f"== {set_name} problems ==")
        ratio_cols = " ".join(f"{'ours/' + SHORT[m]:>9}" for m in peer_names)
        header = f"{'function':<13} {'batch':>5} {'method':<13} " + " ".join(f"{'@' + str(c):>10}" for c in checkpoints) + " " + ratio_cols
        print(header)
        print("-" * len(header))
        worst = {}
        for key in set_keys:
            fn, batch = key.split("/")
            final = {m: median_at(runs, key, checkpoints[-1]) for m, runs in methods.items() if key in runs}
            for m, runs in methods.items():
                if key not in runs:
                    continue
                med = [median_at(runs, key, c) for c in checkpoints]
                extra = ""
                if m == "ours":
                    extra = " " + " ".join(f"{final_ratio(final['ours'], final[p]):>9.2f}" if p in final else f"{'-':>9}" for p in peer_names)
                print(f"{fn:<13} {batch:>5} {m:<13} " + " ".join(f"{x:>10.3g}" for x in med) + extra)
            if "optuna-tpe" in final:
                worst[batch] = max(worst.get(batch, 0), final_ratio(final["ours"], final["optuna-tpe"]))
        target = TARGET_VS_TPE.get(set_name)
        for batch, w in worst.items():
            verdict = "" if target is None else f" (target <= {target}: {'met' if w <= target else 'NOT met'})"
            print(f"batch {batch}: worst ours/tpe over the {set_name} problems {w:.2f}{verdict}")
    if ours.get("latency"):
        print()
        print("Suggestion latency (ms), 8 parameters, history grows by one trial per call:")
        print(f"{'finished trials':>16} {'method':<12} {'p50':>8} {'p95':>8} {'max':>8}")
        for n in ("100", "1000"):
            for m, lat in (("ours", ours["latency"][n]), ("optuna-tpe", peers.get("latency", {}).get(n))):
                if not lat:
                    continue
                print(f"{n:>16} {m:<12} {pct(lat, 0.5):>8.1f} {pct(lat, 0.95):>8.1f} {max(lat):>8.1f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
