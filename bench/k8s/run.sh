#!/usr/bin/env bash
# Runs the Kubernetes benchmarks against the test control plane: Jobs created per second,
# create -> pod Running, both again through the service's API, the watch load of 1,000
# Jobs, and on the real node submit -> first cell executed and a 100 MiB model upload from a pod.
# Starts the cluster when none runs (and stops it again afterwards); each script prints its peer
# beside it.
#
#   bench/k8s/run.sh            all five
#   bench/k8s/run.sh create     only create-rate.mjs (also: running, service, watch, real, serving)
#   bench/k8s/run.sh sim [--trials N ...]   only the platform simulation (platform-sim.mjs; never part
#                               of "all"), its flags passed on; start the cluster for it with
#                               LAKETAHOE_K8S_REAL_NODE=0 LAKETAHOE_K8S_CONTROLLER_QPS=100
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cluster="$root/tools/k8s/cluster.sh"
export LAKETAHOE_K8S_RUN="${LAKETAHOE_K8S_RUN:-$root/tools/k8s/run}"

[[ -d "$root/server-proxy/node_modules/@kubernetes/client-node" ]] ||
  (cd "$root/server-proxy" && npm ci --no-audit --no-fund --loglevel=error)
# service-jobs.mjs and real-node.mjs run the built service.
(cd "$root/server-proxy" && npm run --silent build)

started_here=0
if ! "$cluster" status >/dev/null 2>&1; then
  started_here=1
  trap '"$cluster" stop >/dev/null 2>&1 || true' EXIT
  "$cluster" start
fi

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(node --version)"
which=${1:-all}
(($# == 0)) || shift
if [[ $which == all || $which == create ]]; then
  echo; echo "== (a) Jobs created per second"; node "$here/create-rate.mjs"
fi
if [[ $which == all || $which == running ]]; then
  echo; echo "== (b) create -> pod Running"; node "$here/pod-running.mjs"
fi
if [[ $which == all || $which == service ]]; then
  echo; echo "== (a) and (b) through the service"; node "$here/service-jobs.mjs"
fi
if [[ $which == all || $which == watch ]]; then
  echo; echo "== (c) watch load"; node "$here/watch-load.mjs"
fi
if [[ $which == all || $which == real ]]; then
  echo; echo "== (d) and (e) on the real node"
  if [[ -f "$LAKETAHOE_K8S_RUN/images.env" ]]; then
    node "$here/real-node.mjs"
  else
    echo "skipped: the cluster runs without its real node (LAKETAHOE_K8S_REAL_NODE=0)"
  fi
fi
if [[ $which == all || $which == serving ]]; then
  echo; echo "== (f) inference on the real node: the service beside the pod, the API server's proxy and a bare forwarder"
  if [[ -f "$LAKETAHOE_K8S_RUN/images.env" ]]; then
    node "$root/bench/serving/k8s-latency.mjs"
  else
    echo "skipped: the cluster runs without its real node (LAKETAHOE_K8S_REAL_NODE=0)"
  fi
fi
if [[ $which == sim ]]; then
  echo; echo "== the platform's cluster, simulated: the service beside client-node"; nice node "$here/platform-sim.mjs" "$@"
fi
((started_here == 0)) || echo "stopping the cluster started for the benchmarks"
