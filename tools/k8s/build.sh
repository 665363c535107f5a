#!/usr/bin/env bash
# Builds the test control plane: one multi-call binary "kube" (kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl as links), etcd, kwok and
# kwokctl. Everything comes from Go modules; nothing is downloaded as a binary.
#
# The binaries live in a cache outside the checkout, keyed by a hash of what
# decides them (versions, go.mod/go.sum of both modules, main.go, this script),
# and bin/ is a link to the cache entry. A fresh clone on a machine that built
# once links them in well under a second; a cold machine builds once. Two
# checkouts building the same key at the same time build it once: the second
# waits on the first's lock.
#
#   build.sh           link bin/ to the cached build, building it if missing
#   build.sh --force   rebuild the cache entry (Go's build cache makes that a relink)
#   build.sh --key     print the cache entry's path and exit
#
# LAKETAHOE_K8S_CACHE overrides the cache directory
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/laketahoe/k8s).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# shellcheck source=versions.env
. ./versions.env

bin="$here/bin"
inputs=(versions.env go.mod go.sum cmd/kube/main.go kwok/go.mod kwok/go.sum build.sh)
binaries=(kube etcd kwok kwokctl kube-apiserver kube-controller-manager kube-scheduler kubectl)
cache_root="${LAKETAHOE_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/laketahoe/k8s}"
# Entries kept besides the one in use; each is about 350 MiB.
keep_entries=3

cache_key() {
  {
    uname -sm
    local f
    for f in "${inputs[@]}"; do
      printf '== %s\n' "$f"
      cat "$f"
    done
  } | sha256sum | cut -c1-20
}
entry="$cache_root/$(cache_key)"

complete() { [[ -f "$1/.complete" ]]; }

# Points bin/ at the entry. A bin/ directory from before the cache is replaced;
# its files are removed only after the link is in place.
link_bin() {
  if [[ -L "$bin" ]]; then
    [[ "$(readlink "$bin")" == "$entry" ]] && return 0
    ln -sfn "$entry" "$bin.new.$$"
    mv -fT "$bin.new.$$" "$bin"
  elif [[ -d "$bin" ]]; then
    mv "$bin" "$bin.old.$$"
    ln -sfn "$entry" "$bin"
    rm -rf "$bin.old.$$"
  else
    ln -sfn "$entry" "$bin"
  fi
}

# Drops all but the most recently used complete entries, never the one just
# linked, and never a build in progress (those have a suffix).
prune() {
  local old
  while read -r old; do
    [[ "$old" == "$entry" ]] && continue
    rm -rf "$old" "$old.lock"
  done < <(ls -1dt "$cache_root"/*/ 2>/dev/null | sed 's:/$::' | grep -E '/[0-9a-f]{20}$' | tail -n +$((keep_entries + 2)))
}

build_into() {
  local out=$1
  command -v go >/dev/null || { echo "build.sh needs Go 1.26 or newer on PATH" >&2; exit 1; }
  # Never fetch another Go toolchain; modules still come from GOPROXY (or the module cache).
  export GOTOOLCHAIN=local
  # The machines that run this are small and shared: two parallel compiles keep
  # peak memory near 3 GiB instead of one compile per core.
  [[ " ${GOFLAGS:-} " == *" -p="* ]] || export GOFLAGS="${GOFLAGS:-} -p=2"
  export GOFLAGS="$GOFLAGS -mod=readonly"
  mkdir -p "$out"

  local kube_minor="${KUBE_VERSION#v1.}"
  kube_minor="${kube_minor%%.*}"
  # Same variables as Kubernetes' hack/lib/version.sh, so --version and the
  # /version endpoint report the pinned release instead of v0.0.0.
  local kube_ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kube_ldflags+=" -X $pkg.gitVersion=${KUBE_VERSION}"
    kube_ldflags+=" -X $pkg.gitMajor=1 -X $pkg.gitMinor=${kube_minor}"
    kube_ldflags+=" -X $pkg.gitTreeState=clean"
    kube_ldflags+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done

  echo "building kube (apiserver, controller-manager, scheduler, kubectl) ${KUBE_VERSION}"
  go build -trimpath -ldflags "$kube_ldflags" -o "$out/kube" ./cmd/kube
  local name
  for name in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    ln -sfn kube "$out/$name"
  done

  echo "building etcd $(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
  go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3

  # kwok pins its own k8s.io versions, hence its own module.
  echo "building kwok and kwokctl ${KWOK_VERSION}"
  local kwok_ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
  kwok_ldflags+=" -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBE_VERSION#v}"
  (
    cd kwok
    go build -trimpath -ldflags "$kwok_ldflags" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok
    go build -trimpath -ldflags "$kwok_ldflags" -o "$out/kwokctl" sigs.k8s.io/kwok/cmd/kwokctl
  )
  local b
  for b in "${binaries[@]}"; do
    [[ -x "$out/$b" ]] || { echo "build.sh: $out/$b missing after the build" >&2; exit 1; }
  done
  printf 'KUBE_VERSION=%s\nKWOK_VERSION=%s\nbuilt=%s\n' "$KUBE_VERSION" "$KWOK_VERSION" "$(date -u +%FT%TZ)" > "$out/.complete"
}

case "${1:-}" in
  --key) echo "$entry"; exit 0 ;;
  --force | "") ;;
  *) echo "usage: $0 [--force|--key]" >&2; exit 2 ;;
esac

started=$SECONDS
if [[ "${1:-}" != "--force" ]] && complete "$entry"; then
  link_bin
  touch "$entry"  # most recently used, for prune
  echo "tools/k8s/bin -> $entry (cached; Kubernetes ${KUBE_VERSION}, kwok ${KWOK_VERSION})"
  exit 0
fi

mkdir -p "$cache_root"
exec 8>"$entry.lock"
if ! flock -n 8; then
  echo "waiting for another build of $entry"
  flock 8
  echo "waited $((SECONDS - started))s"
fi
# The build we waited for may have produced the entry.
if [[ "${1:-}" == "--force" ]] || ! complete "$entry"; then
  partial="$entry.partial.$$"
  trap 'rm -rf "$partial"' EXIT
  rm -rf "$entry".partial.* "$entry".replaced.* 2>/dev/null || true  # left by a killed build; we hold the lock
  build_into "$partial"
  rm -rf "$entry.replaced.$$"
  [[ -d "$entry" ]] && mv "$entry" "$entry.replaced.$$"
  mv "$partial" "$entry"
  rm -rf "$entry.replaced.$$"
  trap - EXIT
fi
link_bin
touch "$entry"
prune
echo "tools/k8s/bin -> $entry (built in $((SECONDS - started))s)"
