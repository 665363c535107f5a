#!/usr/bin/env bash
# Builds the test control plane into bin/: one multi-call binary "kube"
# (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl as links),
# etcd, kwok and kwokctl. Everything comes from Go modules; nothing is
# downloaded as a binary. A run with everything up to date returns at once;
# otherwise Go's build cache makes rebuilds cost little more than linking.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# shellcheck source=versions.env
. ./versions.env

bin="$here/bin"
outputs=(kube etcd kwok kwokctl)
inputs=(go.mod go.sum cmd/kube/main.go kwok/go.mod kwok/go.sum versions.env build.sh)

up_to_date() {
  local o i
  for o in "${outputs[@]}" kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [[ -x "$bin/$o" ]] || return 1
  done
  for o in "${outputs[@]}"; do
    for i in "${inputs[@]}"; do
      [[ "$bin/$o" -nt "$i" ]] || return 1
    done
  done
}

if [[ "${1:-}" != "--force" ]] && up_to_date; then
  echo "tools/k8s/bin is up to date (Kubernetes ${KUBE_VERSION}, kwok ${KWOK_VERSION})"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh needs Go 1.26 or newer on PATH" >&2; exit 1; }

# The machines that run this are small and shared: two parallel compiles keep
# peak memory near 3 GiB instead of one compile per core.
export GOFLAGS="${GOFLAGS:--p=2} -mod=readonly"
mkdir -p "$bin"

kube_minor="${KUBE_VERSION#v1.}"
kube_minor="${kube_minor%%.*}"
# Same variables as Kubernetes' hack/lib/version.sh, so --version and the
# /version endpoint report the pinned release instead of v0.0.0.
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=${KUBE_VERSION}"
  kube_ldflags+=" -X $pkg.gitMajor=1 -X $pkg.gitMinor=${kube_minor}"
  kube_ldflags+=" -X $pkg.gitTreeState=clean"
  kube_ldflags+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

echo "building kube (apiserver, controller-manager, scheduler, kubectl) ${KUBE_VERSION}"
go build -trimpath -ldflags "$kube_ldflags" -o "$bin/kube.tmp" ./cmd/kube
mv -f "$bin/kube.tmp" "$bin/kube"
for name in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  ln -sfn kube "$bin/$name"
done

echo "building etcd $(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" go.etcd.io/etcd/server/v3
mv -f "$bin/etcd.tmp" "$bin/etcd"

# kwok pins its own k8s.io versions, hence its own module.
echo "building kwok and kwokctl ${KWOK_VERSION}"
kwok_ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
kwok_ldflags+=" -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBE_VERSION#v}"
(
  cd kwok
  go build -trimpath -ldflags "$kwok_ldflags" -o "$bin/kwok.tmp" sigs.k8s.io/kwok/cmd/kwok
  go build -trimpath -ldflags "$kwok_ldflags" -o "$bin/kwokctl.tmp" sigs.k8s.io/kwok/cmd/kwokctl
)
mv -f "$bin/kwok.tmp" "$bin/kwok"
mv -f "$bin/kwokctl.tmp" "$bin/kwokctl"
# Touch so the freshness check holds even when Go reused an identical output.
touch "$bin"/{kube,etcd,kwok,kwokctl}
echo "built: $(cd "$bin" && echo *)"
