#!/usr/bin/env bash
# The test cluster's real node: Debian's containerd + runc and the kubelet from
# build-node.sh, run so that nothing on the host outlives them.
#
#   node.sh start DIR   (cluster.sh) start the node in a private mount namespace, in the
#                       background; DIR/node.env says what to run (see cluster.sh)
#   node.sh stop DIR    stop everything it started and remove its cgroups and DIR
#   node.sh host-state DIR   print what the node could leave on the host (for a comparison)
#
# Inside the namespace (node.sh run DIR, never called by hand):
#   - tmpfs on /run, /var/lib and /var/log: the kubelet, containerd and the CNI plugins
#     write fixed paths there (pod logs, CNI state, shim sockets, runc state);
#   - the kernel settings the kubelet insists on (vm.overcommit_memory=1, kernel.panic=10,
#     kernel.panic_on_oops=1, ...) are files bind-mounted over /proc/sys/..., and the
#     kubelet runs with protectKernelDefaults, so it checks them instead of writing sysctls;
#   - iptables and ip6tables are /bin/false, so the kubelet's canary and hint chains are
#     never written into the host's tables (it logs that iptables is unsupported);
#   - containerd's root, state and socket, the kubelet's root directory and the CNI config
#     live in DIR; runc's state is in the tmpfs /run.
# Outside it, the only change is a cgroup per hierarchy (DIR/cgroup-root names it) that
# holds the pods; stop kills what is in it and removes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Kernel settings the kubelet expects (pkg/kubelet/cm setupKernelTunables).
sysctls=(vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1
  kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000)

log() { printf '%s node: %s\n' "$(date -u +%T)" "$*"; }

# Each mounted cgroup hierarchy (v1) or the unified one (v2).
cgroup_mounts() {
  awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | sort -u
}

make_cgroups() {
  local root=$1 m
  while read -r m; do
    mkdir -p "$m/$root"
    # A new v1 cpuset admits no task until it has CPUs and memory nodes.
    if [[ -f "$m/cpuset.cpus" && -f "$m/$root/cpuset.cpus" ]]; then
      cat "$m/cpuset.cpus" > "$m/$root/cpuset.cpus"
      cat "$m/cpuset.mems" > "$m/$root/cpuset.mems"
    fi
    if [[ -f "$m/cgroup.subtree_control" ]]; then
      local c
      for c in $(cat "$m/cgroup.subtree_control"); do
        echo "+$c" > "$m/$root/cgroup.subtree_control" 2>/dev/null || true
      done
    fi
  done < <(cgroup_mounts)
}

# Processes in the node's cgroups (the pods' containers and their shims' children).
cgroup_pids() {
  local root=$1 m
  while read -r m; do
    [[ -d "$m/$root" ]] && find "$m/$root" -name cgroup.procs -exec cat {} + 2>/dev/null
  done < <(cgroup_mounts) | sort -un
}

remove_cgroups() {
  local root=$1 m d
  while read -r m; do
    [[ -d "$m/$root" ]] || continue
    # Deepest first; a cgroup can be removed once its tasks are gone.
    find "$m/$root" -depth -type d | while read -r d; do rmdir "$d" 2>/dev/null || true; done
  done < <(cgroup_mounts)
}

run() {
  local dir=$1
  # shellcheck source=/dev/null
  . "$dir/node.env"
  mount -t tmpfs -o mode=755 laketahoe-node /run
  mount -t tmpfs -o mode=755 laketahoe-node /var/lib
  mount -t tmpfs -o mode=755 laketahoe-node /var/log
  local s path want
  mkdir -p "$dir/sysctl"
  for s in "${sysctls[@]}"; do
    path=${s%%=*}
    want=${s#*=}
    [[ -f "/proc/sys/$path" ]] || continue
    if [[ "$(cat "/proc/sys/$path")" != "$want" ]]; then
      echo "$want" > "$dir/sysctl/${path//\//.}"
      mount --bind "$dir/sysctl/${path//\//.}" "/proc/sys/$path"
    fi
  done
  local t
  for t in iptables ip6tables iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft; do
    path="$(command -v "$t" 2>/dev/null || true)"
    [[ -n "$path" ]] && mount --bind /bin/false "$(readlink -f "$path")"
  done

  make_cgroups "$CGROUP_ROOT"
  log "starting containerd"
  containerd --config "$dir/containerd.toml" > "$dir/containerd.log" 2>&1 &
  echo $! > "$dir/containerd.pid"
  local ctr=(ctr --address "$dir/containerd.sock" -n k8s.io) i
  for i in $(seq 1 100); do
    "${ctr[@]}" version > /dev/null 2>&1 && break
    sleep 0.1
  done
  "${ctr[@]}" version > /dev/null
  # containerd's root outlives the node (IMAGE_STORE): an image imported by an earlier
  # start is there already, and importing the runner again would cost a minute.
  local archive ref t0 have wanted=" "
  have="$("${ctr[@]}" images ls -q)"
  for archive in $IMAGE_ARCHIVES; do
    ref="${archive%%=*}"
    archive="${archive#*=}"
    wanted+="$ref "
    if grep -qxF "$ref" <<<"$have"; then
      log "image $ref is there"
      continue
    fi
    t0=$SECONDS
    "${ctr[@]}" images import "$archive" > /dev/null
    log "imported $ref in $((SECONDS - t0))s"
  done
  # Images of earlier builds go, with the references by ID (sha256:<config>) that the CRI
  # plugin adds for each image and that would keep their content; containerd's garbage
  # collection then frees the space.
  local listing digest keep=" "
  listing="$("${ctr[@]}" images ls | awk 'NR > 1 {print $1, $3}')"
  while read -r ref digest; do
    [[ "$wanted" == *" $ref "* ]] && keep+="$digest "
  done <<<"$listing"
  while read -r ref digest; do
    if [[ "$ref" == localhost/laketahoe/* && "$wanted" != *" $ref "* ]] ||
      [[ "$ref" == sha256:* && "$keep" != *" $digest "* ]]; then
      "${ctr[@]}" images rm "$ref" > /dev/null && log "removed the outdated image $ref"
    fi
  done <<<"$listing"
  touch "$dir/images-imported"
  # cluster.sh creates the go file once the apiserver and the kubeconfig are there.
  until [[ -f "$dir/go" ]]; do sleep 0.1; done
  log "starting kubelet"
  "$KUBELET" --config "$dir/kubelet.yaml" --kubeconfig "$KUBECONFIG" --root-dir "$dir/kubelet" \
    --node-labels "$NODE_LABELS" --v 1 > "$dir/kubelet.log" 2>&1 &
  echo $! > "$dir/kubelet.pid"
  wait
}

start() {
  local dir=$1
  rm -f "$dir/go" "$dir/images-imported"
  setsid unshare -m --propagation private -- "$here/node.sh" run "$dir" > "$dir/node.log" 2>&1 < /dev/null &
  local pid=$! i
  echo "$pid" > "$dir/node.pid"
  # The namespace is recorded so that stop can find every process in it, shims included.
  for i in $(seq 1 50); do
    [[ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" != "$(readlink /proc/self/ns/mnt)" ]] && break
    sleep 0.1
  done
  local ns
  ns="$(readlink "/proc/$pid/ns/mnt")"
  [[ "$ns" != "$(readlink /proc/self/ns/mnt)" ]] || { echo "node.sh: no private mount namespace" >&2; return 1; }
  echo "$ns" > "$dir/mntns"
}

# Processes in the node's mount namespace: node.sh, containerd, the kubelet, the shims.
ns_pids() {
  local ns=$1 p
  for p in /proc/[0-9]*; do
    [[ "$(readlink "$p/ns/mnt" 2>/dev/null)" == "$ns" ]] && echo "${p#/proc/}"
  done
  return 0
}

stop() {
  local dir=$1
  [[ -d "$dir" ]] || return 0
  local ns="" root="" pids i
  [[ -f "$dir/mntns" ]] && ns="$(cat "$dir/mntns")"
  # Never the namespace this script runs in: that would be the whole machine.
  [[ "$ns" == "$(readlink /proc/self/ns/mnt)" ]] && ns=""
  if [[ -f "$dir/node.env" ]]; then
    root="$(sed -n 's/^CGROUP_ROOT=//p' "$dir/node.env")"
  fi
  # The kubelet first (a pid file names it only while it runs in the node's namespace).
  local kubelet=""
  [[ -f "$dir/kubelet.pid" ]] && kubelet="$(cat "$dir/kubelet.pid")"
  if [[ -n "$ns" && -n "$kubelet" && "$(readlink "/proc/$kubelet/ns/mnt" 2>/dev/null)" == "$ns" ]]; then
    kill "$kubelet" 2>/dev/null || true
  fi
  # The container records go from the image store that outlives the node: the next
  # start's kubelet must not find sandboxes of pods that no longer exist.
  local store="" sock="$dir/containerd.sock"
  [[ -f "$dir/node.env" ]] && store="$(sed -n 's/^IMAGE_STORE=//p' "$dir/node.env")"
  if [[ -n "$ns" && -n "$root" && -S "$sock" ]] && ctr --address "$sock" version >/dev/null 2>&1; then
    local ctr=(ctr --address "$sock" -n k8s.io) c
    pids="$(cgroup_pids "$root")"
    [[ -n "$pids" ]] && kill -9 $pids 2>/dev/null || true
    for c in $("${ctr[@]}" tasks ls -q 2>/dev/null); do
      "${ctr[@]}" tasks delete --force "$c" >/dev/null 2>&1 || true
    done
    for c in $("${ctr[@]}" containers ls -q 2>/dev/null); do
      "${ctr[@]}" containers delete "$c" >/dev/null 2>&1 || true
    done
  fi
  for i in 1 2 3; do
    if [[ -n "$root" ]]; then
      pids="$(cgroup_pids "$root")"
      [[ -n "$pids" ]] && kill -9 $pids 2>/dev/null || true
    fi
    if [[ -n "$ns" ]]; then
      pids="$(ns_pids "$ns")"
      [[ -n "$pids" ]] && kill "-$([[ $i == 1 ]] && echo TERM || echo KILL)" $pids 2>/dev/null || true
    fi
    local left=1 w
    for w in $(seq 1 30); do
      left=""
      [[ -n "$ns" ]] && left="$(ns_pids "$ns")"
      [[ -n "$root" ]] && left+="$(cgroup_pids "$root")"
      [[ -z "$left" ]] && break
      sleep 0.1
    done
    [[ -z "$left" ]] && break
  done
  [[ -n "$root" ]] && remove_cgroups "$root"
  rm -rf "$dir"
}

# What the node could leave behind on the host, one line each, for a before/after
# comparison (test.sh): its mounts, cgroups and files in fixed places, the kernel
# settings the kubelet cares about, iptables chains and network interfaces.
host_state() {
  local dir=$1 s
  echo "mounts: $(awk -v d="$dir" '$5 ~ d || $5 ~ /^\/(run\/containerd|var\/lib\/(kubelet|containerd|cni)|var\/log\/pods)/ {print $5}' /proc/self/mountinfo | sort | tr '\n' ' ')"
  echo "cgroups: $(cgroup_mounts | while read -r m; do ls -d "$m"/laketahoe-node-* "$m"/kubepods* 2>/dev/null; done | tr '\n' ' ')"
  for s in /run/containerd /var/lib/kubelet /var/lib/containerd /var/lib/cni /var/log/pods /var/log/containers /opt/containerd /etc/cni /run/laketahoe-runc; do
    [[ -e "$s" ]] && echo "exists: $s"
  done
  for s in "${sysctls[@]}"; do
    [[ -f "/proc/sys/${s%%=*}" ]] && echo "sysctl ${s%%=*} = $(cat "/proc/sys/${s%%=*}")"
  done
  if command -v iptables-save >/dev/null; then
    echo "iptables chains: $( { iptables-save 2>/dev/null; ip6tables-save 2>/dev/null; } | grep '^:' | cut -d' ' -f1 | sort -u | tr '\n' ' ')"
  fi
  echo "links: $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort | tr '\n' ' ')"
  echo "processes in node dir: $(pgrep -f -- "$dir/" | tr '\n' ' ')"
}

case "${1:-}" in
  run) run "$2" ;;
  host-state) host_state "$2" ;;
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 {start|stop} DIR" >&2; exit 2 ;;
esac
