#!/usr/bin/env bash
# HPO benchmark: our engine against Optuna TPE, Optuna CMA-ES and a scikit-optimize GP
# on the classic problems (Branin, Hartmann6, Rosenbrock-4, Ackley-5, mixed) and the
# multimodal ones (Levy-6, Rastrigin-5, Schwefel-4, Michalewicz-5).
# Usage: bench/hpo/run.sh [SEEDS] [TRIALS]   (defaults 20 60; e.g. 5 60 for a quick run)
#   PEERS=optuna-tpe,optuna-cmaes bench/hpo/run.sh   leaves out the slow scikit-optimize GP.
#   PEERS_FROM=bench/hpo/peers-medians-2026-12-05.json bench/hpo/run.sh 20 60   reuses stored
#     20-seed peer medians (Optuna is deterministic per seed) and runs only ours.
# Our engine (Node) and the peers (Python) run side by side, one process each
# (BLAS pinned to one thread so the two do not oversubscribe the cores).
# Cost: the scikit-optimize GP dominates, about 1-2 s per suggestion on a
# loaded 2-core machine; 20 seeds x 60 trials takes hours there, 3 seeds ~30 min.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SEEDS="${1:-20}"
TRIALS="${2:-60}"
cd "$HERE"

if [ -z "${PEERS_FROM:-}" ] && [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q -r requirements.txt
fi

TSC="$REPO/server-proxy/node_modules/.bin/tsc"
[ -x "$TSC" ] || (cd "$REPO/server-proxy" && npm ci --no-audit --no-fund)
rm -rf .build
"$TSC" -p tsconfig.json
echo '{"type":"module"}' > .build/package.json

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)
if [ -n "${PEERS_FROM:-}" ]; then
  node ours.mjs --seeds="$SEEDS" --trials="$TRIALS" --out="$WORK/ours.json"
  python3 report.py "$WORK/ours.json" "$(cd "$REPO" && realpath "$PEERS_FROM")"
  exit 0
fi
node ours.mjs --seeds="$SEEDS" --trials="$TRIALS" --out="$WORK/ours.json" 2> "$WORK/ours.log" &
OURS=$!
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python peers.py --seeds "$SEEDS" --trials "$TRIALS" --peers "${PEERS:-optuna-tpe,optuna-cmaes,skopt-gp}" --out "$WORK/peers.json" 2> "$WORK/peers.log" &
PEERS=$!
wait "$OURS" || { cat "$WORK/ours.log"; exit 1; }
wait "$PEERS" || { cat "$WORK/peers.log"; exit 1; }
.venv/bin/python report.py "$WORK/ours.json" "$WORK/peers.json"
echo
echo "wall time $(( $(date +%s) - START )) s; node $(node --version); $(.venv/bin/python --version)"
