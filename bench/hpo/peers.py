"""Drives the peer optimizers over problems.json and writes raw results as JSON.

Peers (--peers picks a subset; scikit-optimize is by far the slowest):
  - optuna-tpe: Optuna's default sampler, TPESampler(seed=seed).
  - optuna-cmaes: Optuna's CmaEsSampler(seed=seed) (the `cmaes` package),
                its defaults: independent (random) sampling for the
                first trial, CMA-ES from there; categoricals sampled
                independently.
  - skopt-gp:   scikit-optimize's Optimizer with a GP estimator, the engine
                behind gp_minimize (same defaults: 10 initial points, gp_hedge,
                lbfgs acquisition optimizer); batches use ask(n_points=4),
                skopt's constant-liar ("cl_min") parallel mode. Optuna's own
                GPSampler needs PyTorch, which is too heavy to install here.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import optuna
import skopt
from skopt.space import Categorical, Integer, Real

HERE = Path(__file__).resolve().parent
CFG = json.loads((HERE / "problems.json").read_text())

HART_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
HART_P = 1e-4 * np.array(
    [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
)
HART_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
OPT_SHIFT = {"sgd": -1.5, "adam": -3, "rmsprop": -3.5}
OPT_OFFSET = {"sgd": 0.3, "adam": 0, "rmsprop": 0.1}
SCHWEFEL_C = 418.9828872724338


def branin(x, a):
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


def hartmann6(x, a):
    x = np.asarray(x, dtype=float)
    return float(-np.sum(HART_ALPHA * np.exp(-np.sum(HART_A * (x - HART_P) ** 2, axis=1))))


def rosenbrock4(x, a):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


def ackley5(x, a):
    n = len(x)
    sq = sum(v * v for v in x) / n
    cs = sum(math.cos(2 * math.pi * v) for v in x) / n
    return -20 * math.exp(-0.2 * math.sqrt(sq)) - math.exp(cs) + 20 + math.e


def mixed(x, a):
    return (
        0.5 * (math.log10(a["lr"]) - OPT_SHIFT[a["optimizer"]]) ** 2
        + ((a["layers"] - 4) / 3) ** 2
        + (math.log2(a["units"] / 128) / 2) ** 2 * (1.5 if a["layers"] > 4 else 1)
        + 4 * (a["dropout"] - 0.2) ** 2
        + OPT_OFFSET[a["optimizer"]]
    )


def levy(x, a):
    w = [1 + (v - 1) / 4 for v in x]
    s = math.sin(math.pi * w[0]) ** 2
    for wi in w[:-1]:
        s += (wi - 1) ** 2 * (1 + 10 * math.sin(math.pi * wi + 1) ** 2)
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def rastrigin(x, a):
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in x)


def schwefel(x, a):
    return SCHWEFEL_C * len(x) - sum(v * math.sin(math.sqrt(abs(v))) for v in x)


def michalewicz(x, a):
    return -sum(math.sin(v) * math.sin((i + 1) * v * v / math.pi) ** 20 for i, v in enumerate(x))


FUNCTIONS = {
    "branin": branin,
    "hartmann6": hartmann6,
    "rosenbrock4": rosenbrock4,
    "ackley5": ackley5,
    "mixed": mixed,
    "levy6": levy,
    "rastrigin5": rastrigin,
    "schwefel4": schwefel,
    "michalewicz5": michalewicz,
}


def evaluate(problem, a):
    x = [a[p["parameterName"]] for p in problem["params"]]
    return FUNCTIONS[problem["name"]](x, a)


def optuna_suggest(trial, params):
    a = {}
    for p in params:
        name, log = p["parameterName"], p.get("scaleType") == "UNIT_LOG_SCALE"
        if p["type"] == "DOUBLE":
            a[name] = trial.suggest_float(name, p["minValue"], p["maxValue"], log=log)
        elif p["type"] == "INTEGER":
            a[name] = trial.suggest_int(name, p["minValue"], p["maxValue"], log=log)
        else:
            a[name] = trial.suggest_categorical(name, p["categoricalValues"])
    return a


def optuna_distributions(params):
    d = {}
    for p in params:
        name, log = p["parameterName"], p.get("scaleType") == "UNIT_LOG_SCALE"
        if p["type"] == "DOUBLE":
            d[name] = optuna.distributions.FloatDistribution(p["minValue"], p["maxValue"], log=log)
        elif p["type"] == "INTEGER":
            d[name] = optuna.distributions.IntDistribution(p["minValue"], p["maxValue"], log=log)
        else:
            d[name] = optuna.distributions.CategoricalDistribution(p["categoricalValues"])
    return d


def run_optuna(problem, seed, trials, batch, sampler):
    study = optuna.create_study(direction="minimize", sampler=sampler)
    best, out = math.inf, []
    while len(out) < trials:
        asked = [study.ask() for _ in range(min(batch, trials - len(out)))]
        points = [optuna_suggest(t, problem["params"]) for t in asked]
        for t, a in zip(asked, points):
            v = evaluate(problem, a)
            study.tell(t, v)
            best = min(best, v)
            out.append(best - problem["fmin"])
    return out


def run_tpe(problem, seed, trials, batch):
    return run_optuna(problem, seed, trials, batch, optuna.samplers.TPESampler(seed=seed))


def run_cmaes(problem, seed, trials, batch):
    # CmaEsSampler's defaults; categoricals (the mixed problem) are sampled independently.
    return run_optuna(problem, seed, trials, batch, optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False))


def skopt_dims(params):
    dims = []
    for p in params:
        prior = "log-uniform" if p.get("scaleType") == "UNIT_LOG_SCALE" else "uniform"
        if p["type"] == "DOUBLE":
            dims.append(Real(p["minValue"], p["maxValue"], prior=prior, name=p["parameterName"]))
        elif p["type"] == "INTEGER":
            dims.append(Integer(p["minValue"], p["maxValue"], prior=prior, name=p["parameterName"]))
        else:
            dims.append(Categorical(p["categoricalValues"], name=p["parameterName"]))
    return dims


def run_skopt(problem, seed, trials, batch):
    opt = skopt.Optimizer(skopt_dims(problem["params"]), base_estimator="GP", n_initial_points=10, acq_func="gp_hedge", random_state=seed)
    names = [p["parameterName"] for p in problem["params"]]
    best, out = math.inf, []
    while len(out) < trials:
        n = min(batch, trials - len(out))
        xs = opt.ask() if n == 1 else opt.ask(n_points=n, strategy="cl_min")
        xs = [xs] if n == 1 else xs
        ys = []
        for x in xs:
            a = {k: (v.item() if hasattr(v, "item") else v) for k, v in zip(names, x)}
            v = evaluate(problem, a)
            ys.append(v)
            best = min(best, v)
            out.append(best - problem["fmin"])
        opt.tell(xs, ys)
    return out


def optuna_latency(n_history, calls):
    params = CFG["latency"]["params"]
    dists = optuna_distributions(params)
    rng = np.random.default_rng(n_history)
    f = lambda a: (math.log10(a["lr"]) + 3) ** 2 + a["dropout"] + (a["layers"] - 4) ** 2 / 10 + (0 if a["optimizer"] == "adam" else 1)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=1))
    warm = []
    for _ in range(n_history):
        a = {}
        for p in params:
            name = p["parameterName"]
            if p["type"] == "CATEGORICAL":
                a[name] = p["categoricalValues"][rng.integers(len(p["categoricalValues"]))]
            elif p.get("scaleType") == "UNIT_LOG_SCALE":
                v = math.exp(rng.uniform(math.log(p["minValue"]), math.log(p["maxValue"])))
                a[name] = int(min(p["maxValue"], max(p["minValue"], round(v)))) if p["type"] == "INTEGER" else v
            elif p["type"] == "INTEGER":
                a[name] = int(rng.integers(p["minValue"], p["maxValue"] + 1))
            else:
                a[name] = float(rng.uniform(p["minValue"], p["maxValue"]))
        warm.append(optuna.trial.create_trial(params=a, distributions=dists, value=f(a)))
    study.add_trials(warm)
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        trial = study.ask()
        a = optuna_suggest(trial, params)
        times.append((time.perf_counter() - t0) * 1000)
        study.tell(trial, f(a))
    return times


PEERS = {"optuna-tpe": run_tpe, "optuna-cmaes": run_cmaes, "skopt-gp": run_skopt}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--seed-from", type=int, default=0, help="first seed (a second set of seeds to check a change against)")
    ap.add_argument("--trials", type=int, default=60)
    ap.add_argument("--latency-calls", type=int, default=50)
    ap.add_argument("--out", default="peers.json")
    ap.add_argument("--peers", default=",".join(PEERS), help=f"comma-separated subset of {','.join(PEERS)}")
    ap.add_argument("--problems", default="", help="comma-separated problem names (default: all)")
    args = ap.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        ap.error(f"--peers: unknown {unknown}; known: {list(PEERS)}")
    problems = [p for p in CFG["problems"] if not args.problems or p["name"] in args.problems.split(",")]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    results = {
        "versions": {
            "optuna": optuna.__version__,
            "cmaes": importlib.metadata.version("cmaes"),
            "scikit-optimize": skopt.__version__,
            "numpy": np.__version__,
        },
        "runs": {m: {} for m in peers},
        "latency": {},
    }
    t0 = time.time()
    for problem in problems:
        for batch in (1, 4):
            key = f"{problem['name']}/{batch}"
            for method in peers:
                fn = PEERS[method]
                results["runs"][method][key] = [fn(problem, seed, args.trials, batch) for seed in range(args.seed_from, args.seed_from + args.seeds)]
                print(f"{method} {key} done at {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    for n in (100, 1000) if args.latency_calls > 0 else ():
        results["latency"][str(n)] = optuna_latency(n, args.latency_calls)
    Path(args.out).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
