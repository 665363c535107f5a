#!/usr/bin/env bash
# Starts the test cluster, checks what the Kubernetes backend relies on and
# prints "N passed, N failed". A cluster this script started is stopped again
# (unless KEEP_CLUSTER=1); one that was already running is left running, with
# the objects created here deleted.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${LAKETAHOE_K8S_RUN:-$here/run}"
passed=0
failed=0

# Unique names, so a rerun against a running cluster does not meet old objects.
id="$(date +%s)-$$"
id="${id: -8}"
was_running=0
"$here/cluster.sh" status >/dev/null 2>&1 && was_running=1

cleanup() {
  if [[ $was_running == 0 && "${KEEP_CLUSTER:-0}" != 1 ]]; then
    "$here/cluster.sh" stop >/dev/null 2>&1 || true
  elif [[ -f "$run/kubeconfig" ]]; then
    admin -n laketahoe-alice delete job "train-ok-$id" "train-fail-$id" "train-cancel-$id" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    admin -n default delete pod "too-many-gpus-$id" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    admin -n laketahoe-alice delete logs.kwok.x-k8s.io -l "laketahoe.test/smoke=$id" >/dev/null 2>&1 || true
    rm -f "$run/logs/train-ok-$id"-*.log
  fi
}
trap cleanup EXIT

"$here/cluster.sh" start

admin() { "$here/bin/kubectl" --kubeconfig "$run/kubeconfig" "$@"; }
alice() { "$here/bin/kubectl" --kubeconfig "$run/tenants/alice.kubeconfig" "$@"; }
ns=laketahoe-alice

# check, wait_for, equals, contains
. "$here/checks.sh"

field() { # field <kubectl runner> <args...> <jsonpath>
  local runner=$1 path=${*: -1}
  "$runner" get "${@:2:$#-2}" -o "jsonpath=$path" 2>/dev/null
}


job_manifest() { # job_manifest <name> <gpus> <extra annotations (yaml lines)>
  cat <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 600
  template:
    metadata:
      annotations:
        laketahoe.test/run-seconds: "3"
$3
    spec:
      restartPolicy: Never
      priorityClassName: middle
      tolerations:
      - key: nvidia.com/gpu
        operator: Exists
        effect: NoSchedule
      containers:
      - name: trainer
        image: example.invalid/trainer:latest
        resources:
          requests: {cpu: "4", memory: 16Gi, nvidia.com/gpu: "$2"}
          limits: {nvidia.com/gpu: "$2"}
YAML
}

pod_of() { alice get pods -l "job-name=$1" -o 'jsonpath={.items[0].metadata.name}'; }
phase_is() { [[ "$(alice get pod "$1" -o 'jsonpath={.status.phase}')" == "$2" ]]; }
job_condition() { [[ "$(alice get job "$1" -o "jsonpath={.status.conditions[?(@.type==\"$2\")].status}")" == True ]]; }

# --- the cluster itself
check "server reports the pinned version" contains "$(admin version -o json 2>/dev/null | tr -d ' \n')" '"gitVersion":"v1.37.2"'
# A checkout whose bin/ is not linked yet (a fresh worktree pointed at this cluster by LAKETAHOE_K8S_RUN)
# must see it running: callers start a cluster they think is down, and a start replaces it.
unlinked="$(mktemp -d)"
cp "$here/cluster.sh" "$unlinked/"
check "status sees the cluster from a checkout without bin/" contains "$(LAKETAHOE_K8S_RUN="$run" "$unlinked/cluster.sh" status 2>&1)" " running; KUBECONFIG="
rm -rf "$unlinked"
# The real node (node-test.sh) is not one of kwok's: count the seeded ones only.
check "five kwok nodes are Ready" equals "$(admin get nodes -l type=kwok --no-headers | awk '$2 == "Ready"' | wc -l | tr -d ' ')" 5
check "GPU capacity totals 20" equals "$(admin get nodes -l type=kwok -o 'jsonpath={range .items[*]}{.status.allocatable.nvidia\.com/gpu}{"\n"}{end}' | awk '{s += $1} END {print s}')" 20
check "GPU nodes are tainted" equals "$(field admin node gpu-a100x4-0 '{.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect}')" "nvidia.com/gpu=present:NoSchedule"

# --- a GPU Job that succeeds
job_manifest train-ok-$id 2 "" | alice -n "$ns" apply -f - >/dev/null
check "job pod is created" wait_for 30 pod_of train-ok-$id
pod="$(pod_of train-ok-$id || true)"
check "job pod is scheduled onto a GPU node" wait_for 30 bash -c "[[ \$(\"$here/bin/kubectl\" --kubeconfig '$run/tenants/alice.kubeconfig' get pod '$pod' -o 'jsonpath={.spec.nodeName}') == gpu-* ]]"
check "job pod runs" wait_for 30 phase_is "$pod" Running
check "job pod has priority 10000 from PriorityClass middle" equals "$(field alice pod "$pod" '{.spec.priority}')" 10000
check "job pod succeeds" wait_for 60 phase_is "$pod" Succeeded
check "job completes" wait_for 30 job_condition train-ok-$id Complete
check "tenant reads the pod log through the API" contains "$(alice logs "$pod" 2>&1)" "epoch 2/2 loss=0.412"

# A Logs object named after the pod points its log at another file.
printf '%s stdout F %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)" "custom log for $pod" > "$run/logs/$pod.log"
admin apply -f - >/dev/null <<YAML
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Logs
metadata:
  name: $pod
  namespace: $ns
  labels:
    laketahoe.test/smoke: "$id"
spec:
  logs:
  - containers: [trainer]
    logsFile: $run/logs/$pod.log
YAML
check "a Logs object overrides the pod's log file" wait_for 15 bash -c "\"$here/bin/kubectl\" --kubeconfig '$run/tenants/alice.kubeconfig' -n '$ns' logs '$pod' | grep -q 'custom log for'"

# --- a GPU Job that fails, by annotation
job_manifest train-fail-$id 1 '        laketahoe.test/outcome: fail
        laketahoe.test/exit-code: "3"' | alice -n "$ns" apply -f - >/dev/null
check "failing job pod is created" wait_for 30 pod_of train-fail-$id
pod="$(pod_of train-fail-$id || true)"
check "failing job pod ends Failed" wait_for 60 phase_is "$pod" Failed
check "failed container reports exit code 3" equals "$(field alice pod "$pod" '{.status.containerStatuses[0].state.terminated.exitCode}')" 3
check "job is marked Failed" wait_for 30 job_condition train-fail-$id Failed

# --- a Job deleted while its pod runs: the pod is ended like a kubelet would and goes away
job_manifest train-cancel-$id 1 '        laketahoe.test/run-seconds: "600"' | sed '/run-seconds: "3"/d' | alice -n "$ns" apply -f - >/dev/null
check "long job pod is created" wait_for 30 pod_of train-cancel-$id
pod="$(pod_of train-cancel-$id || true)"
check "long job pod runs" wait_for 30 phase_is "$pod" Running
alice -n "$ns" delete job train-cancel-$id --cascade=background --wait=false >/dev/null
pod_gone() { ! alice -n "$ns" get pod "$pod" >/dev/null 2>&1; }
check "deleting the running job removes its pod (finalizer released)" wait_for 30 pod_gone

# --- more GPUs than any node has: Pending with the scheduler's reason
admin -n default apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: too-many-gpus-$id
spec:
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  containers:
  - name: trainer
    image: example.invalid/trainer:latest
    resources: {limits: {nvidia.com/gpu: "16"}}
YAML
unschedulable() { [[ "$(field admin -n default pod too-many-gpus-$id '{.status.conditions[?(@.type=="PodScheduled")].reason}')" == Unschedulable ]]; }
check "pod asking 16 GPUs is Unschedulable" wait_for 30 unschedulable
check "scheduler names the missing resource" contains "$(field admin -n default pod too-many-gpus-$id '{.status.conditions[?(@.type=="PodScheduled")].message}')" "Insufficient nvidia.com/gpu"
check "and the pod stays Pending" equals "$(field admin -n default pod too-many-gpus-$id '{.status.phase}')" Pending

# --- quota and RBAC
quota_out="$(alice -n "$ns" run over-quota --image=example.invalid/x --restart=Never \
  --overrides='{"spec":{"tolerations":[{"key":"nvidia.com/gpu","operator":"Exists"}],"containers":[{"name":"over-quota","image":"example.invalid/x","resources":{"limits":{"nvidia.com/gpu":"8"}}}]}}' 2>&1 || true)"
check "quota rejects 8 GPUs in one namespace (quota 7)" contains "$quota_out" "exceeded quota"
check "tenant cannot list pods of another tenant" contains "$(alice -n laketahoe-bob get pods 2>&1 || true)" "Forbidden"
check "tenant cannot list nodes" contains "$(alice get nodes 2>&1 || true)" "Forbidden"
check "tenant can list PriorityClasses" contains "$(alice get priorityclasses -o name 2>&1)" "priorityclass.scheduling.k8s.io/middle"

echo "$passed passed, $failed failed"
((failed == 0))
