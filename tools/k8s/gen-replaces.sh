#!/usr/bin/env bash
# Pins k8s.io/kubernetes in go.mod and rewrites the replace list for its
# staging modules. k8s.io/kubernetes requires every staging module at v0.0.0
# with "=> ./staging/src/k8s.io/<m>", which only resolves inside its own
# repository; here each one is pointed at the published k8s.io/<m> v0.<minor>.<patch>.
# The list differs between minors, so it is read from that version's go.mod.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=versions.env
. ./versions.env

kube_mod=$(go mod download -json "k8s.io/kubernetes@${KUBE_VERSION}" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[[ -f "$kube_mod" ]] || { echo "cannot fetch go.mod of k8s.io/kubernetes@${KUBE_VERSION}" >&2; exit 1; }

staging_version="v0.${KUBE_VERSION#v1.}"
mapfile -t staging < <(sed -n 's|^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/src/k8s\.io/.*$|\1|p' "$kube_mod" | sort -u)
(( ${#staging[@]} > 0 )) || { echo "no staging replaces found in $kube_mod" >&2; exit 1; }

# Drop every old k8s.io replace so modules removed upstream do not linger.
args=()
while read -r old; do
  args+=("-dropreplace=$old")
done < <(go mod edit -json | sed -n 's/^[[:space:]]*"Path": "\(k8s\.io\/[^"]*\)".*/\1/p' | sort -u)
for m in "${staging[@]}"; do
  args+=("-replace=${m}=${m}@${staging_version}")
done
go mod edit "${args[@]}" "-require=k8s.io/kubernetes@${KUBE_VERSION}"
echo "k8s.io/kubernetes ${KUBE_VERSION}: ${#staging[@]} staging modules replaced with ${staging_version}"
