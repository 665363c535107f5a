#!/usr/bin/env bash
# The Kubernetes tests: starts the test cluster, runs the control plane's smoke
# test and then the service's Kubernetes suite (server-proxy `npm run test:k8s`,
# when it exists) against it. A cluster started here is always stopped again,
# also when a test fails or the run is interrupted; one that was already running
# is left running (KEEP_CLUSTER=1 keeps the one started here too).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export LAKETAHOE_K8S_RUN="${LAKETAHOE_K8S_RUN:-$here/run}"

started_here=0
stop_cluster() {
  if [[ $started_here == 1 && "${KEEP_CLUSTER:-0}" != 1 ]]; then
    "$here/cluster.sh" stop >/dev/null 2>&1 || echo "could not stop the cluster in $LAKETAHOE_K8S_RUN" >&2
  fi
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$SECONDS
"$here/cluster.sh" status >/dev/null 2>&1 || started_here=1
"$here/cluster.sh" start
t_start=$((SECONDS - t0))

t0=$SECONDS
"$here/smoke-test.sh"
t_smoke=$((SECONDS - t0))

t_service=skipped
rc=0
if (cd "$root/server-proxy" && npm pkg get scripts.test:k8s | grep -qv '^{}$'); then
  t0=$SECONDS
  (cd "$root/server-proxy" && npm run test:k8s) || rc=$?
  t_service="$((SECONDS - t0))s$( ((rc == 0)) || echo ", FAILED")"
else
  echo "server-proxy has no test:k8s script yet; only the smoke test ran"
fi
echo "kubernetes tests: cluster start ${t_start}s, smoke test ${t_smoke}s, service suite ${t_service}"
exit "$rc"
