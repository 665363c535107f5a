#!/usr/bin/env bash
# The Kubernetes tests: starts the test cluster, runs the control plane's smoke
# test, the real node's test and then the service's Kubernetes suite (server-proxy
# `npm run test:k8s`, when it exists) against it. A cluster started here is always
# stopped again, also when a test fails or the run is interrupted, and the host is
# then checked for anything the real node left behind (mounts, cgroups, files in
# fixed places, kernel settings, iptables chains, interfaces, processes); one that
# was already running is left running (KEEP_CLUSTER=1 keeps the one started here too).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export LAKETAHOE_K8S_RUN="${LAKETAHOE_K8S_RUN:-$here/run}"

started_here=0
host_before=""
stop_cluster() {
  local rc=$?
  if [[ $started_here == 1 && "${KEEP_CLUSTER:-0}" != 1 ]]; then
    "$here/cluster.sh" stop >/dev/null 2>&1 || echo "could not stop the cluster in $LAKETAHOE_K8S_RUN" >&2
    if [[ -n "$host_before" ]]; then
      local host_after
      host_after="$("$here/node/node.sh" host-state "$LAKETAHOE_K8S_RUN/node")"
      if [[ "$host_after" == "$host_before" ]]; then
        echo "ok - the host is as before the cluster started"
      else
        echo "not ok - the real node left something on the host:"
        diff <(echo "$host_before") <(echo "$host_after") || true
        rc=1
      fi
    fi
  fi
  exit "$rc"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$SECONDS
if ! "$here/cluster.sh" status >/dev/null 2>&1; then
  started_here=1
  host_before="$("$here/node/node.sh" host-state "$LAKETAHOE_K8S_RUN/node")"
fi
"$here/cluster.sh" start
t_start=$((SECONDS - t0))

t0=$SECONDS
"$here/smoke-test.sh"
t_smoke=$((SECONDS - t0))

t0=$SECONDS
if [[ "${LAKETAHOE_K8S_REAL_NODE:-1}" == 1 ]]; then
  "$here/node-test.sh"
  t_node="$((SECONDS - t0))s"
else
  t_node=skipped
fi

t_service=skipped
rc=0
if (cd "$root/server-proxy" && npm pkg get scripts.test:k8s | grep -qv '^{}$'); then
  t0=$SECONDS
  (cd "$root/server-proxy" && npm run test:k8s) || rc=$?
  t_service="$((SECONDS - t0))s$( ((rc == 0)) || echo ", FAILED")"
else
  echo "server-proxy has no test:k8s script yet; only the smoke test ran"
fi
echo "kubernetes tests: cluster start ${t_start}s, smoke test ${t_smoke}s, real node test ${t_node}, service suite ${t_service}"
exit "$rc"
