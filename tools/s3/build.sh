#!/usr/bin/env bash
# Builds the S3-compatible server the artifact-store tests run against: versitygw
# (github.com/versity/versitygw, Apache-2.0) from its Go module at the pinned
# version, verified by Go's checksum database. Nothing is downloaded as a binary.
#
# The binary lives in a cache outside the checkout keyed by a hash of what
# decides it (the version, this script, the Go version); bin/ links to the entry.
#
#   build.sh        link bin/ to the cached build, building it if missing
#   build.sh --key  print the cache entry's path and exit
#
# LAKETAHOE_S3_CACHE overrides the cache directory
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/laketahoe/s3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# shellcheck source=versions.env
. ./versions.env

command -v go >/dev/null || { echo "build.sh needs Go 1.25 or newer on PATH" >&2; exit 1; }
bin="$here/bin"
cache_root="${LAKETAHOE_S3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/laketahoe/s3}"
key="$({ uname -sm; go env GOVERSION; cat versions.env build.sh; } | sha256sum | cut -c1-20)"
entry="$cache_root/$key"

case "${1:-}" in
  --key) echo "$entry"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--key]" >&2; exit 2 ;;
esac

link_bin() {
  ln -sfn "$entry" "$bin.new.$$"
  mv -fT "$bin.new.$$" "$bin"
}

started=$SECONDS
if [[ -f "$entry/.complete" ]]; then
  link_bin
  echo "tools/s3/bin -> $entry (cached; versitygw ${VERSITYGW_VERSION})"
  exit 0
fi
mkdir -p "$cache_root"
exec 8>"$entry.lock"
flock 8
if [[ ! -f "$entry/.complete" ]]; then
  partial="$entry.partial.$$"
  trap 'rm -rf "$partial"' EXIT
  rm -rf "$entry".partial.* "$entry"
  mkdir -p "$partial"
  echo "building versitygw ${VERSITYGW_VERSION}"
  # Never fetch another Go toolchain; two parallel compiles on small shared machines.
  GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--p=2}" GOBIN="$partial" \
    go install -trimpath -ldflags "-s -w" "github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}"
  [[ -x "$partial/versitygw" ]] || { echo "build.sh: versitygw missing after the build" >&2; exit 1; }
  printf 'VERSITYGW_VERSION=%s\nbuilt=%s\n' "$VERSITYGW_VERSION" "$(date -u +%FT%TZ)" > "$partial/.complete"
  mv "$partial" "$entry"
  trap - EXIT
fi
link_bin
echo "tools/s3/bin -> $entry (built in $((SECONDS - started))s)"
