#!/usr/bin/env bash
# A Kubernetes control plane on loopback for tests and demos: etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler built by build.sh,
# run as plain processes by kwokctl's binary runtime, with kwok simulating GPU
# nodes and pod lifecycles (no container ever runs).
#
#   cluster.sh start    build if needed, start, seed nodes/tenants; no-op when running
#   cluster.sh stop     stop and delete the cluster (state is not kept)
#   cluster.sh status   exit 0 when the apiserver answers
#   cluster.sh env      print shell exports for the admin kubeconfig
#
# Outputs under run/ (git-ignored):
#   run/kubeconfig                   cluster-admin
#   run/tenants/<user>.kubeconfig    tenant service account, namespace laketahoe-<user>
#   run/tenants/<user>.token         the same bearer token alone
#   run/logs/default.log             what every pod's log returns unless a Logs object says otherwise
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/bin"
run="${LAKETAHOE_K8S_RUN:-$here/run}"
name="${LAKETAHOE_K8S_CLUSTER:-laketahoe}"
tenants=(${LAKETAHOE_K8S_TENANTS:-alice bob})

# kwokctl keeps its clusters, pki and process logs here instead of ~/.kwok.
export KWOK_WORKDIR="$run/kwok"
kubeconfig="$run/kubeconfig"

kubectl() { "$bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }

healthy() {
  [[ -f "$kubeconfig" ]] && kubectl get --raw /readyz >/dev/null 2>&1
}

# The controller-manager's client defaults (20 QPS, burst 30) cap how fast the Job controller
# makes pods, about 10 Jobs/s (bench/k8s/RESULTS.md); LAKETAHOE_K8S_CONTROLLER_QPS raises them.
controller_qps_patch() {
  local qps="${LAKETAHOE_K8S_CONTROLLER_QPS:-}"
  [[ -n "$qps" ]] || return 0
  [[ "$qps" =~ ^[0-9]+$ ]] || { echo "LAKETAHOE_K8S_CONTROLLER_QPS must be a whole number, got '$qps'" >&2; exit 2; }
  cat <<YAML
componentsPatches:
- name: kube-controller-manager
  extraArgs:
  - key: kube-api-qps
    value: "$qps"
  - key: kube-api-burst
    value: "$((qps * 2))"
YAML
}

write_kwokctl_config() {
  mkdir -p "$run/logs"
  # Every binary is given explicitly: one left out makes kwokctl try a download.
  cat > "$run/kwokctl.yaml" <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeAuthorization: true
  kubeAdmission: true
  kubeApiserverBinary: $bin/kube-apiserver
  kubeControllerManagerBinary: $bin/kube-controller-manager
  kubeSchedulerBinary: $bin/kube-scheduler
  kubectlBinary: $bin/kubectl
  kwokControllerBinary: $bin/kwok
  etcdBinary: $bin/etcd
  enableCRDs:
  - Logs
$(controller_qps_patch)
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: laketahoe-default
spec:
  logs:
  - logsFile: $run/logs/default.log
YAML
  # kwok reads container logs in the CRI log format: "<RFC3339Nano> stdout F <line>".
  # Rewritten on every fresh start so tests that append to it start clean.
  local t
  t="$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)"
  printf '%s stdout F %s\n' \
    "$t" "epoch 1/2 loss=0.693" \
    "$t" "epoch 2/2 loss=0.412" \
    "$t" "done" > "$run/logs/default.log"
}

seed() {
  kubectl apply -f "$here/config/cluster.yaml" >/dev/null
  local user ns
  mkdir -p "$run/tenants"
  for user in "${tenants[@]}"; do
    ns="laketahoe-$user"
    sed "s/__USER__/$user/g; s/__NAMESPACE__/$ns/g" "$here/config/tenant.yaml" | kubectl apply -f - >/dev/null
    # A year-long TokenRequest token: the cluster is recreated long before that.
    kubectl -n "$ns" create token laketahoe --duration=8760h > "$run/tenants/$user.token"
    write_tenant_kubeconfig "$user" "$ns"
  done
}

write_tenant_kubeconfig() {
  local user=$1 ns=$2 out="$run/tenants/$1.kubeconfig"
  local server ca
  server="$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
  ca="$(kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
  if [[ -z "$ca" ]]; then
    ca="$(base64 -w0 < "$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.certificate-authority}')")"
  fi
  cat > "$out" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: $name
  cluster:
    server: $server
    certificate-authority-data: $ca
users:
- name: $user
  user:
    token: $(cat "$run/tenants/$user.token")
contexts:
- name: $user
  context:
    cluster: $name
    user: $user
    namespace: $ns
current-context: $user
YAML
  chmod 600 "$out" "$run/tenants/$user.token"
}

wait_nodes_ready() {
  local i
  for i in $(seq 1 60); do
    if ! kubectl get nodes --no-headers 2>/dev/null | awk '$2 != "Ready" {bad=1} END {exit bad || NR == 0}'; then
      sleep 0.5
    else
      return 0
    fi
  done
  echo "nodes did not become Ready" >&2
  kubectl get nodes >&2 || true
  return 1
}

start() {
  if healthy; then
    echo "cluster $name already running; KUBECONFIG=$kubeconfig"
    return 0
  fi
  "$here/build.sh"
  # A cluster left behind by a crash or reboot is not worth reviving.
  if [[ -d "$KWOK_WORKDIR/clusters/$name" ]]; then
    "$bin/kwokctl" delete cluster --name "$name" >/dev/null 2>&1 || true
  fi
  rm -f "$kubeconfig"
  write_kwokctl_config
  local started=$SECONDS
  "$bin/kwokctl" create cluster --name "$name" \
    -c "$run/kwokctl.yaml" -c "$here/config/node-stages.yaml" -c "$here/config/pod-stages.yaml" \
    --kubeconfig "$kubeconfig" --wait 2m --timeout 5m 9>&-  # the daemons must not inherit the lock
  seed
  wait_nodes_ready
  echo "cluster $name up in $((SECONDS - started))s; KUBECONFIG=$kubeconfig"
}

stop() {
  if [[ -d "$KWOK_WORKDIR/clusters/$name" ]]; then
    "$bin/kwokctl" delete cluster --name "$name"
  fi
  rm -rf "$run/tenants" "$kubeconfig" "$run/kwokctl.yaml"
}

# Test suites may start or stop the cluster at the same time: serialize them.
lock() {
  mkdir -p "$run"
  exec 9>"$run/.lock"
  flock 9
}

case "${1:-}" in
  start) lock; start ;;
  stop) lock; stop ;;
  status) healthy && echo "cluster $name running; KUBECONFIG=$kubeconfig" || { echo "cluster $name not running"; exit 1; } ;;
  env) echo "export KUBECONFIG=$kubeconfig"; echo "export PATH=$bin:\$PATH" ;;
  *) echo "usage: $0 {start|stop|status|env}" >&2; exit 2 ;;
esac
