#!/usr/bin/env bash
# A Kubernetes control plane on loopback for tests and demos: etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler built by build.sh,
# run as plain processes by kwokctl's binary runtime, with kwok simulating the
# GPU nodes and their pods' lifecycles, plus one real node (containerd + runc +
# kubelet, built by build-node.sh, run by node/node.sh) where pods that ask for it
# run for real in images built here (images.sh).
#
#   cluster.sh start    build if needed, start, seed nodes/tenants; no-op when running
#   cluster.sh stop     stop and delete the cluster (state is not kept)
#   cluster.sh status   exit 0 when the apiserver answers
#   cluster.sh env      print shell exports for the admin kubeconfig (and run/images.env)
#
# Outputs under run/ (git-ignored):
#   run/kubeconfig                   cluster-admin
#   run/tenants/<user>.kubeconfig    tenant service account, namespace laketahoe-<user>
#   run/tenants/<user>.token         the same bearer token alone
#   run/logs/default.log             what every pod's log returns unless a Logs object says otherwise
#   run/images.env                   the real node's name, label, taint and image names
#   run/node/                        the real node's state and logs (kubelet.log, containerd.log)
#   run/node-images/                 the node's containerd root: the imported images, kept by stop
#                                    so the next start need not import them again (delete at will)
#
# LAKETAHOE_K8S_REAL_NODE=0 starts the control plane and the kwok nodes only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/bin"
run="${LAKETAHOE_K8S_RUN:-$here/run}"
name="${LAKETAHOE_K8S_CLUSTER:-laketahoe}"
tenants=(${LAKETAHOE_K8S_TENANTS:-alice bob})
real_node="${LAKETAHOE_K8S_REAL_NODE:-1}"
node_dir="$run/node"
# How pods ask for the real node (and how everything else stays off it).
node_label_key=laketahoe.io/node
node_label_value=real
node_taint_key=laketahoe.io/real-node
node_taint="$node_taint_key=true:NoSchedule"

# kwokctl keeps its clusters, pki and process logs here instead of ~/.kwok.
export KWOK_WORKDIR="$run/kwok"
kubeconfig="$run/kubeconfig"

kubectl() { "$bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }

# The admin kubeconfig's first value of a field (kwokctl writes certificates as file paths).
kubeconfig_field() { sed -n "s/^ *$1: //p" "$kubeconfig" | head -n 1; }

healthy() {
  [[ -f "$kubeconfig" ]] || return 1
  if [[ -x "$bin/kubectl" ]]; then
    kubectl get --raw /readyz >/dev/null 2>&1
  else
    # A checkout whose bin/ is not linked yet must still see a cluster that runs (another checkout's,
    # through LAKETAHOE_K8S_RUN); "not running" would make callers start, that is replace, it.
    curl -sf -o /dev/null --max-time 5 --cacert "$(kubeconfig_field certificate-authority)" \
      --cert "$(kubeconfig_field client-certificate)" --key "$(kubeconfig_field client-key)" "$(kubeconfig_field server)/readyz"
  fi
}

pki="$KWOK_WORKDIR/clusters/$name/pki"

# Flags added to kwokctl's own (later flags win).
components_patches() {
  echo "componentsPatches:"
  # kwokctl starts kwok with --manage-all-nodes=true, which would take over the real node:
  # kwok keeps only the nodes seeded with its annotation (config/cluster.yaml).
  cat <<YAML
- name: kwok-controller
  extraArgs:
  - key: manage-all-nodes
    value: "false"
  - key: manage-nodes-with-annotation-selector
    value: kwok.x-k8s.io/node=fake
YAML
  # The real kubelet accepts only clients with a certificate from the cluster's CA
  # (pod logs, exec): the apiserver presents the admin one.
  if [[ "$real_node" == 1 ]]; then
    cat <<YAML
- name: kube-apiserver
  extraArgs:
  - key: kubelet-client-certificate
    value: $pki/admin.crt
  - key: kubelet-client-key
    value: $pki/admin.key
YAML
  fi
  # The controller-manager's client defaults (20 QPS, burst 30) cap how fast the Job controller
  # makes pods, about 10 Jobs/s (bench/k8s/RESULTS.md); LAKETAHOE_K8S_CONTROLLER_QPS raises them.
  local qps="${LAKETAHOE_K8S_CONTROLLER_QPS:-}"
  [[ -n "$qps" ]] || return 0
  [[ "$qps" =~ ^[0-9]+$ ]] || { echo "LAKETAHOE_K8S_CONTROLLER_QPS must be a whole number, got '$qps'" >&2; exit 2; }
  cat <<YAML
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
$(components_patches)
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

# A free TCP port on loopback for the kubelet (two clusters may run side by side).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Writes the real node's configuration into run/node/. Images: name=archive pairs from images.sh.
write_node_config() {
  mkdir -p "$node_dir/cni/bin" "$node_dir/cni/net.d"
  ln -sfn /usr/lib/cni/loopback "$node_dir/cni/bin/loopback"
  ln -sfn "$here/node/cni-private" "$node_dir/cni/bin/laketahoe-private"
  cat > "$node_dir/cni/net.d/10-laketahoe.conflist" <<JSON
{"cniVersion": "0.4.0", "name": "laketahoe-private", "plugins": [{"type": "laketahoe-private"}]}
JSON
  # The apiserver reaches a kubelet at its node's Hostname address first: the kubelet
  # listens on what this machine's name resolves to (loopback on most machines).
  local address
  address="$(getent ahostsv4 "$(hostname)" | awk 'NR == 1 {print $1}')"
  [[ -z "$address" || "$address" == 127.* ]] && address=127.0.0.1
  local cgroup_root
  cgroup_root="laketahoe-node-$name-$(echo "$run" | sha256sum | cut -c1-8)"
  cat > "$node_dir/containerd.toml" <<TOML
version = 2
root = "$run/node-images"
state = "$node_dir/containerd/state"
[grpc]
  address = "$node_dir/containerd.sock"
[ttrpc]
  address = "$node_dir/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$node_dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$LAKETAHOE_K8S_IMAGE_PAUSE"
  # The machine denies CAP_SYS_RESOURCE: runc must not lower oom_score_adj below its own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "/run/laketahoe-runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$node_dir/cni/bin"
    conf_dir = "$node_dir/cni/net.d"
    max_conf_num = 1
TOML
  cat > "$node_dir/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $address
port: $(free_port)
readOnlyPort: 0
healthzPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$node_dir/containerd.sock
imageServiceEndpoint: unix://$node_dir/containerd.sock
# containerd 1.6 cannot tell the kubelet its cgroup driver; this machine has cgroup v1.
cgroupDriver: cgroupfs
failCgroupV1: false
cgroupRoot: /$cgroup_root
cgroupsPerQOS: true
failSwapOn: false
# Check the kernel settings (bind-mounted by node.sh) instead of writing them.
protectKernelDefaults: true
registerWithTaints:
- {key: $node_taint_key, value: "true", effect: NoSchedule}
# A test machine's disk may be fuller than a server's: never evict or collect images for it.
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%, imagefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
resolvConf: /etc/resolv.conf
maxPods: 30
YAML
  cat > "$node_dir/node.env" <<ENV
KUBELET=$here/node/bin/kubelet
KUBECONFIG=$kubeconfig
CGROUP_ROOT=$cgroup_root
NODE_LABELS=$node_label_key=$node_label_value
IMAGE_STORE=$run/node-images
IMAGE_ARCHIVES="$LAKETAHOE_K8S_IMAGE_PAUSE=$LAKETAHOE_K8S_ARCHIVE_PAUSE $LAKETAHOE_K8S_IMAGE_RUNNER=$LAKETAHOE_K8S_ARCHIVE_RUNNER $LAKETAHOE_K8S_IMAGE_SERVING=$LAKETAHOE_K8S_ARCHIVE_SERVING$(service_archive)"
ENV
}

# The service image's name=archive pair, when images.sh could build it (it needs server-proxy/node_modules).
service_archive() {
  [[ -n "${LAKETAHOE_K8S_ARCHIVE_SERVICE:-}" && -f "$LAKETAHOE_K8S_ARCHIVE_SERVICE" ]] &&
    echo " $LAKETAHOE_K8S_IMAGE_SERVICE=$LAKETAHOE_K8S_ARCHIVE_SERVICE"
  return 0
}

# What tests and the service need to run pods on the real node.
write_images_env() {
  local node
  node="$(kubectl get nodes -l "$node_label_key=$node_label_value" -o 'jsonpath={.items[0].metadata.name}')"
  cat > "$run/images.env.new" <<ENV
# Written by tools/k8s/cluster.sh start; see docs/k8s-test-cluster.md ("The real node").
LAKETAHOE_K8S_NODE_NAME=$node
LAKETAHOE_K8S_NODE_SELECTOR=$node_label_key=$node_label_value
LAKETAHOE_K8S_NODE_TAINT=$node_taint
LAKETAHOE_K8S_IMAGE_PAUSE=$LAKETAHOE_K8S_IMAGE_PAUSE
LAKETAHOE_K8S_IMAGE_RUNNER=$LAKETAHOE_K8S_IMAGE_RUNNER
LAKETAHOE_K8S_IMAGE_SERVING=$LAKETAHOE_K8S_IMAGE_SERVING
LAKETAHOE_K8S_IMAGE_SERVICE=$([[ -n "$(service_archive)" ]] && echo "$LAKETAHOE_K8S_IMAGE_SERVICE")
ENV
  mv "$run/images.env.new" "$run/images.env"
}

wait_real_node() {
  local deadline=$((SECONDS + 180)) ready=""
  while ((SECONDS < deadline)); do
    ready="$(kubectl get nodes -l "$node_label_key=$node_label_value" \
      -o 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)"
    [[ "$ready" == True ]] && return 0
    if [[ ! -f "$node_dir/node.pid" ]] || ! kill -0 "$(cat "$node_dir/node.pid")" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  echo "the real node did not become Ready; last lines of its logs:" >&2
  tail -n 5 "$node_dir/node.log" "$node_dir/containerd.log" >&2 2>/dev/null || true
  tail -n 30 "$node_dir/kubelet.log" >&2 2>/dev/null || true
  return 1
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
  if [[ "$real_node" == 1 ]]; then
    "$here/build-node.sh" kubelet
    local k v
    while IFS='=' read -r k v; do
      [[ "$k" == LAKETAHOE_K8S_* ]] && declare -g "$k=$v"
    done < <("$here/images.sh")
  fi
  # A cluster left behind by a crash or reboot is not worth reviving.
  "$here/node/node.sh" stop "$node_dir"
  if [[ -d "$KWOK_WORKDIR/clusters/$name" ]]; then
    "$bin/kwokctl" delete cluster --name "$name" >/dev/null 2>&1 || true
  fi
  rm -f "$kubeconfig" "$run/images.env"
  write_kwokctl_config
  local started=$SECONDS
  # The node's containerd starts and imports the images while the control plane comes up;
  # its kubelet waits for the go file.
  if [[ "$real_node" == 1 ]]; then
    write_node_config
    "$here/node/node.sh" start "$node_dir" 9>&-
  fi
  # kwokctl picks free ports before its components bind them; another cluster starting at
  # the same moment can take one ("bind: address already in use"): one more try then.
  local try
  for try in 1 2; do
    if "$bin/kwokctl" create cluster --name "$name" \
      -c "$run/kwokctl.yaml" -c "$here/config/node-stages.yaml" -c "$here/config/pod-stages.yaml" \
      --kubeconfig "$kubeconfig" --wait 2m --timeout 5m 9>&-; then  # the daemons must not inherit the lock
      break
    fi
    "$bin/kwokctl" delete cluster --name "$name" >/dev/null 2>&1 || true
    ((try == 1)) || return 1
    echo "kwokctl create failed; trying once more" >&2
  done
  seed
  if [[ "$real_node" == 1 ]]; then
    touch "$node_dir/go"
    local t0=$SECONDS
    wait_real_node
    write_images_env
    echo "real node $(sed -n 's/^LAKETAHOE_K8S_NODE_NAME=//p' "$run/images.env") Ready $((SECONDS - t0))s after the control plane; images in $run/images.env"
  fi
  wait_nodes_ready
  echo "cluster $name up in $((SECONDS - started))s; KUBECONFIG=$kubeconfig"
}

stop() {
  "$here/node/node.sh" stop "$node_dir"
  if [[ -d "$KWOK_WORKDIR/clusters/$name" ]]; then
    "$bin/kwokctl" delete cluster --name "$name"
  fi
  rm -rf "$run/tenants" "$kubeconfig" "$run/kwokctl.yaml" "$run/images.env"
}

# Test suites may start or stop the cluster at the same time: serialize them.
lock() {
  mkdir -p "$run"
  exec 9>"$run/.lock"
  flock 9
}

# A start that fails half way stops what it started (the node's processes, kwokctl's).
start_or_clean_up() {
  trap 'rc=$?; if ((rc != 0)); then echo "start failed; stopping what it started" >&2; stop >/dev/null 2>&1 || true; fi' EXIT
  start
  trap - EXIT
}

case "${1:-}" in
  start) lock; start_or_clean_up ;;
  stop) lock; stop ;;
  status) healthy && echo "cluster $name running; KUBECONFIG=$kubeconfig" || { echo "cluster $name not running"; exit 1; } ;;
  env)
    echo "export KUBECONFIG=$kubeconfig"
    echo "export PATH=$bin:\$PATH"
    # The real node's name, label, taint and images, once a start wrote them.
    if [[ -f "$run/images.env" ]]; then sed -n 's/^LAKETAHOE_/export LAKETAHOE_/p' "$run/images.env"; fi
    ;;
  *) echo "usage: $0 {start|stop|status|env}" >&2; exit 2 ;;
esac
