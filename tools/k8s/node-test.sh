#!/usr/bin/env bash
# Checks the test cluster's real node: pods that ask for it run for real in the
# images built here, as a tenant would submit them, and their logs come back
# through the apiserver. Prints "N passed, N failed". Starts the cluster when none
# runs and then stops it again (unless KEEP_CLUSTER=1); against a running cluster
# it uses unique names and deletes what it created.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${LAKETAHOE_K8S_RUN:-$here/run}"
passed=0
failed=0
id="$(date +%s)-$$"
id="${id: -8}"
ns=laketahoe-alice
was_running=0
"$here/cluster.sh" status >/dev/null 2>&1 && was_running=1

server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$run/loopback-$id"
  if [[ $was_running == 0 && "${KEEP_CLUSTER:-0}" != 1 ]]; then
    "$here/cluster.sh" stop >/dev/null 2>&1 || true
  elif [[ -f "$run/kubeconfig" ]]; then
    alice -n "$ns" delete pod "nb-$id" "hello-$id" "exit3-$id" "untolerated-$id" "freeze-runner-$id" "freeze-serving-$id" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    alice -n "$ns" delete configmap "nb-$id" --ignore-not-found >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

"$here/cluster.sh" start
admin() { "$here/bin/kubectl" --kubeconfig "$run/kubeconfig" "$@"; }
alice() { "$here/bin/kubectl" --kubeconfig "$run/tenants/alice.kubeconfig" "$@"; }
# shellcheck source=/dev/null
. "$run/images.env"
selector_key="${LAKETAHOE_K8S_NODE_SELECTOR%%=*}"
selector_value="${LAKETAHOE_K8S_NODE_SELECTOR#*=}"
taint_key="${LAKETAHOE_K8S_NODE_TAINT%%=*}"

# check, wait_for, equals, contains
. "$here/checks.sh"
phase_is() { [[ "$(alice -n "$ns" get pod "$1" -o 'jsonpath={.status.phase}')" == "$2" ]]; }

node="$LAKETAHOE_K8S_NODE_NAME"
# --- the node itself
check "the real node is Ready" equals "$(admin get node "$node" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" True
check "it runs containerd" contains "$(admin get node "$node" -o 'jsonpath={.status.nodeInfo.containerRuntimeVersion}')" "containerd://"
check "its kubelet is the pinned version" equals "$(admin get node "$node" -o 'jsonpath={.status.nodeInfo.kubeletVersion}')" v1.37.2
check "it carries the label $LAKETAHOE_K8S_NODE_SELECTOR" equals "$(admin get nodes -l "$LAKETAHOE_K8S_NODE_SELECTOR" -o name)" "node/$node"
check "it carries the taint $LAKETAHOE_K8S_NODE_TAINT" equals "$(admin get node "$node" -o "jsonpath={.spec.taints[?(@.key==\"$taint_key\")].effect}")" NoSchedule
check "kwok does not manage it (no kwok annotation)" equals "$(admin get node "$node" -o 'jsonpath={.metadata.annotations.kwok\.x-k8s\.io/node}')" ""
node_images="$(admin get node "$node" -o 'jsonpath={range .status.images[*]}{.names}{"\n"}{end}')"
check "it has the runner image" contains "$node_images" "$LAKETAHOE_K8S_IMAGE_RUNNER"
check "it has the serving image" contains "$node_images" "$LAKETAHOE_K8S_IMAGE_SERVING"
check "it has the pause image" contains "$node_images" "$LAKETAHOE_K8S_IMAGE_PAUSE"

# --- a pod that does not tolerate the taint never lands there
alice -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: untolerated-$id}
spec:
  nodeSelector: {$selector_key: $selector_value}
  containers:
  - {name: c, image: $LAKETAHOE_K8S_IMAGE_RUNNER, imagePullPolicy: Never, command: ["true"]}
YAML
unschedulable() { [[ "$(alice -n "$ns" get pod "untolerated-$id" -o 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}')" == Unschedulable ]]; }
check "a pod without the toleration stays Unschedulable" wait_for 30 unschedulable

# --- a notebook run by the runner in a pod, as the service's Kubernetes backend starts it
pod_spec() { # pod_spec NAME COMMAND_JSON
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  restartPolicy: Never
  hostNetwork: true
  nodeSelector: {$selector_key: $selector_value}
  tolerations: [{key: $taint_key, operator: Exists, effect: NoSchedule}]
  containers:
  - name: runner
    image: $LAKETAHOE_K8S_IMAGE_RUNNER
    imagePullPolicy: Never
    command: $2
    resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 1Gi}}
    volumeMounts:
    - {name: input, mountPath: /laketahoe/input}
    - {name: output, mountPath: /laketahoe/output}
  volumes:
  - name: input
    configMap: {name: nb-$id, optional: true}
  - name: output
    emptyDir: {}
YAML
}
# A server on this machine's loopback that the pod must reach (as it will reach the service).
token="reached-$id-$RANDOM"
mkdir -p "$run/loopback-$id"
echo "$token" > "$run/loopback-$id/token"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 --directory "$run/loopback-$id" "$port" >/dev/null 2>&1 &
server_pid=$!
python3 - > "$run/nb-$id.ipynb" <<'PY'
import json
cells = [
    {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "rate = 0.5\nport = 0", "outputs": [], "execution_count": None},
    {"cell_type": "code", "metadata": {}, "source": "import sys, laketahoe\nprint('running on', sys.version.split()[0])\nlaketahoe.report(step=1, accuracy=rate + 0.4)", "outputs": [], "execution_count": None},
    {"cell_type": "code", "metadata": {}, "source": "import urllib.request\nprint('loopback says', urllib.request.urlopen(f'http://127.0.0.1:{port}/token', timeout=10).read().decode().strip())", "outputs": [], "execution_count": None},
]
print(json.dumps({"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}))
PY
alice -n "$ns" create configmap "nb-$id" --from-file=job.ipynb="$run/nb-$id.ipynb" >/dev/null
rm -f "$run/nb-$id.ipynb"
t0=$(date +%s%N)
pod_spec "nb-$id" '["python", "-m", "laketahoe.runner", "notebook", "--input", "/laketahoe/input/job.ipynb", "--output", "/laketahoe/output/output.ipynb", "--html", "/laketahoe/output/output.html", "--parameters-json", "{\"rate\": 0.5, \"port\": '"$port"'}", "--cwd", "/laketahoe/output", "--status-file", "/laketahoe/output/exit.json"]' \
  | alice -n "$ns" apply -f - >/dev/null
check "the notebook pod is scheduled onto the real node" wait_for 30 bash -c "[[ \$('$here/bin/kubectl' --kubeconfig '$run/tenants/alice.kubeconfig' -n $ns get pod nb-$id -o 'jsonpath={.spec.nodeName}') == '$node' ]]"
check "the notebook pod reaches Succeeded" wait_for 120 phase_is "nb-$id" Succeeded
notebook_ms=$((($(date +%s%N) - t0) / 1000000))
log="$(alice -n "$ns" logs "nb-$id" 2>&1 || true)"
check "its log (pod log endpoint) has the runner's started record" contains "$log" '##laketahoe {"type":"started"'
check "its log has the metric the notebook reported" contains "$log" '"values":{"accuracy":0.9}'
check "its log has the output record" contains "$log" '##laketahoe {"type":"output"'
check "the cell ran on the image's CPython 3.11" contains "$log" "running on 3.11."
check "the container exited 0" equals "$(alice -n "$ns" get pod "nb-$id" -o 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}')" 0
check "the notebook reached a server on this machine's loopback (hostNetwork)" contains "$log" "loopback says $token"
kill "$server_pid" 2>/dev/null || true
rm -rf "$run/loopback-$id"

# --- the same image without a kernel: what the notebook's time is made of
t0=$(date +%s%N)
pod_spec "hello-$id" '["python", "-c", "print(\"hello from the runner image\")"]' | alice -n "$ns" apply -f - >/dev/null
check "a plain python pod reaches Succeeded" wait_for 60 phase_is "hello-$id" Succeeded
hello_ms=$((($(date +%s%N) - t0) / 1000000))
check "and its log says so" contains "$(alice -n "$ns" logs "hello-$id" 2>&1 || true)" "hello from the runner image"

# --- a runner that fails: a missing notebook is an input error, exit code 3
pod_spec "exit3-$id" '["python", "-m", "laketahoe.runner", "notebook", "--input", "/laketahoe/input/missing.ipynb", "--output", "/laketahoe/output/output.ipynb"]' \
  | alice -n "$ns" apply -f - >/dev/null
check "the failing pod ends Failed" wait_for 90 phase_is "exit3-$id" Failed
check "its container reports exit code 3" equals "$(alice -n "$ns" get pod "exit3-$id" -o 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}')" 3
check "its log has the runner's error record" contains "$(alice -n "$ns" logs "exit3-$id" 2>&1 || true)" "notebook not found: /laketahoe/input/missing.ipynb"

# --- the images hold exactly the locked packages: the runner the lock docker/runner.Dockerfile
# installs (plus the laketahoe package, which the Dockerfile puts on PYTHONPATH instead), the
# serving image requirements/serving-lock.txt
root="$(cd "$here/../.." && pwd)"
dockerfile_lock="$(sed -n 's:^COPY \(requirements/[^ ]*\) /tmp/lock.txt$:\1:p' "$root/docker/runner.Dockerfile")"
check "docker/runner.Dockerfile installs a lock file from requirements/" contains "$dockerfile_lock" "requirements/"
freeze_of() { # freeze_of NAME IMAGE -> pip freeze inside the image, run on the real node
  pod_spec "$1" '["python", "-m", "pip", "freeze"]' | sed "s#image: $LAKETAHOE_K8S_IMAGE_RUNNER#image: $2#" \
    | alice -n "$ns" apply -f - >/dev/null
  wait_for 60 phase_is "$1" Succeeded && alice -n "$ns" logs "$1" > "$run/$1.txt"
}
same_packages() { # same_packages LOCK FREEZE [--ignore ...]
  local out
  out="$(python3 "$here/images/same_packages.py" "$@")" || { echo "$out" | sed 's/^/  /' >&2; return 1; }
}
if freeze_of "freeze-runner-$id" "$LAKETAHOE_K8S_IMAGE_RUNNER"; then
  check "the runner image has the packages of $dockerfile_lock, and laketahoe" same_packages "$root/$dockerfile_lock" "$run/freeze-runner-$id.txt" --ignore laketahoe
  # pip freeze writes "-e ..." for an editable install, "name @ file://..." for one from a folder.
  check "laketahoe is installed from this checkout's sources, not editable" bash -c "grep -q '^laketahoe @ file://' '$run/freeze-runner-$id.txt'"
else
  check "pip freeze runs in the runner image" false
fi
if freeze_of "freeze-serving-$id" "$LAKETAHOE_K8S_IMAGE_SERVING"; then
  check "the serving image has the packages of requirements/serving-lock.txt" same_packages "$root/requirements/serving-lock.txt" "$run/freeze-serving-$id.txt"
else
  check "pip freeze runs in the serving image" false
fi
rm -f "$run/freeze-runner-$id.txt" "$run/freeze-serving-$id.txt"

echo "submit -> Succeeded: notebook pod ${notebook_ms} ms, plain python pod ${hello_ms} ms"
echo "$passed passed, $failed failed"
((failed == 0))
