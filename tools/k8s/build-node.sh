#!/usr/bin/env bash
# Builds what the test cluster's real node needs besides the control plane:
#
#   - Debian's containerd, runc, busybox-static, mmdebstrap and containernetworking-plugins
#     (the CNI `loopback` plugin), installed with apt-get when missing;
#   - a kubelet from the same Kubernetes Go modules as build.sh's binaries, built with
#     `-modfile=kubelet.mod` (go.mod plus the kubelet's three extra requirements), so the
#     control plane's cache key does not change;
#   - the node's images (images.sh).
#
# The kubelet is cached like the control plane: an entry outside the checkout keyed by a
# hash of its inputs (versions.env, kubelet.mod, kubelet.sum and the build command in
# kubelet_recipe below), and node/bin is a link to it.
#
#   build-node.sh            all of it
#   build-node.sh kubelet    the Debian packages and the kubelet only
#   build-node.sh images     the Debian packages and the images only
#   build-node.sh --key      print the kubelet's cache entry and exit
#
# LAKETAHOE_K8S_NODE_CACHE overrides the cache directory
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/laketahoe/k8s-node).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# shellcheck source=versions.env
. ./versions.env

cache_root="${LAKETAHOE_K8S_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/laketahoe/k8s-node}"
link="$here/node/bin"
inputs=(versions.env kubelet.mod kubelet.sum)
keep_entries=2

# The kubelet's build command; part of the cache key (the rest of this script is not, so
# editing it rebuilds nothing). Same toolchain settings and ldflags as build.sh, so Go's
# build cache is shared with it.
kubelet_recipe() {
  local out=$1 kube_minor="${KUBE_VERSION#v1.}" ldflags="-s -w" pkg
  kube_minor="${kube_minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=${KUBE_VERSION} -X $pkg.gitMajor=1 -X $pkg.gitMinor=${kube_minor}"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  GOTOOLCHAIN=local go build -modfile=kubelet.mod -mod=readonly -trimpath -ldflags "$ldflags" \
    -o "$out/kubelet" k8s.io/kubernetes/cmd/kubelet
}

key="$({
  uname -sm
  for f in "${inputs[@]}"; do
    printf '== %s\n' "$f"
    cat "$f"
  done
  declare -f kubelet_recipe
} | sha256sum | cut -c1-20)"
entry="$cache_root/kubelet/$key"

debian_packages() {
  local missing=()
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [[ -x /bin/busybox ]] || missing+=(busybox-static)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  [[ -x /usr/lib/cni/loopback ]] || missing+=(containernetworking-plugins)
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || { echo "build-node.sh: missing Debian packages ${missing[*]}; install them as root" >&2; exit 1; }
  echo "installing ${missing[*]}"
  local t0=$SECONDS
  # Another apt run (CI installs Chromium) may hold dpkg's lock for a while.
  apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
  echo "installed in $((SECONDS - t0))s"
}

link_entry() {
  mkdir -p "$here/node"
  ln -sfn "$entry" "$link.new.$$"
  mv -fT "$link.new.$$" "$link"
  touch "$entry"
}

build_kubelet() {
  if [[ -f "$entry/.complete" ]]; then
    link_entry
    echo "tools/k8s/node/bin -> $entry (cached kubelet ${KUBE_VERSION})"
    return 0
  fi
  command -v go >/dev/null || { echo "build-node.sh needs Go 1.26 or newer on PATH" >&2; exit 1; }
  mkdir -p "$cache_root/kubelet"
  local started=$SECONDS
  exec 8>"$entry.lock"
  if ! flock -n 8; then
    echo "waiting for another build of $entry"
    flock 8
    echo "waited $((SECONDS - started))s"
  fi
  if [[ ! -f "$entry/.complete" ]]; then
    # Two parallel compiles, as in build.sh: the machines are small and shared.
    [[ " ${GOFLAGS:-} " == *" -p="* ]] || export GOFLAGS="${GOFLAGS:-} -p=2"
    local partial="$entry.partial.$$"
    rm -rf "$entry".partial.*
    trap 'rm -rf "$partial"' EXIT
    mkdir -p "$partial"
    echo "building kubelet ${KUBE_VERSION}"
    kubelet_recipe "$partial"
    printf 'KUBE_VERSION=%s\nbuilt=%s\n' "$KUBE_VERSION" "$(date -u +%FT%TZ)" > "$partial/.complete"
    rm -rf "$entry"
    mv "$partial" "$entry"
    trap - EXIT
  fi
  exec 8>&-
  link_entry
  # Older entries go; the one just linked and builds in progress (suffixed) stay.
  ls -1dt "$cache_root/kubelet"/*/ 2>/dev/null | sed 's:/$::' | grep -E '/[0-9a-f]{20}$' | grep -vx "$entry" \
    | tail -n +$((keep_entries + 1)) | while read -r old; do rm -rf "$old" "$old.lock"; done || true
  echo "tools/k8s/node/bin -> $entry (kubelet built in $((SECONDS - started))s)"
}

case "${1:-all}" in
  --key) echo "$entry" ;;
  kubelet) debian_packages; build_kubelet ;;
  images) debian_packages; "$here/images.sh" >/dev/null ;;
  all) debian_packages; build_kubelet; "$here/images.sh" >/dev/null ;;
  *) echo "usage: $0 [all|kubelet|images|--key]" >&2; exit 2 ;;
esac
