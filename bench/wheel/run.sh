#!/usr/bin/env bash
# Wheel size and install time into a fresh virtual environment, beside jupyter-scheduler's, in one run.
# usage: bench/wheel/run.sh [LAKETAHOE_WHEEL]   (default: builds one into a temporary folder like make dist)
# Both packages are first downloaded with their dependencies (pip download), then each is installed from those
# files alone (--no-index) into its own fresh venv, so the install times compare the same work: no network.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
PY="${PY:-$repo/.venv/bin/python}"
SCHEDULER="${SCHEDULER:-jupyter-scheduler}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

wheel="${1:-}"
if [[ -z "$wheel" ]]; then
  (cd "$repo" && PATH="$(dirname "$PY"):$PATH" "$PY" -m build --no-isolation --skip-dependency-check --wheel \
    --outdir "$work/built" . > "$work/build.log" 2>&1) || { tail -20 "$work/build.log"; exit 1; }
  wheel=$(ls "$work"/built/laketahoe-*.whl)
fi

python3 - "$wheel" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    parts = {}
    for i in z.infolist():
        key = ("service bundle (main.mjs)" if i.filename.endswith("main.mjs") else
               "SQLite addon" if i.filename.endswith(".node") else
               "labextension" if "/labextensions/" in i.filename else "Python and the rest")
        parts[key] = parts.get(key, 0) + i.compress_size
for k, v in sorted(parts.items(), key=lambda kv: -kv[1]):
    print(f"  {k:28s} {v / 1e6:7.2f} MB compressed")
PY

measure() {  # name, requirement...
  local name=$1; shift
  mkdir -p "$work/dl-$name"
  python3 -m venv "$work/venv-$name"
  "$work/venv-$name/bin/python" -m pip download --quiet --disable-pip-version-check -d "$work/dl-$name" "$@" > /dev/null
  local own deps n
  python3 -m venv "$work/fresh-$name"
  local t0=$(date +%s.%N)
  "$work/fresh-$name/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
    --find-links "$work/dl-$name" "$@"
  local t1=$(date +%s.%N)
  n=$(ls "$work/dl-$name" | wc -l)
  deps=$(du -sb "$work/dl-$name" | cut -f1)
  own=$(ls -l "$work/dl-$name"/$(echo "$name" | tr - _)-*.whl 2>/dev/null | awk '{print $5}' | head -1)
  printf '%-18s wheel %7.2f MB   with dependencies %7.1f MB in %3d files   install into a fresh venv %6.1f s   venv %6.0f MB\n' \
    "$name" "$(echo "${own:-0} / 1000000" | bc -l)" "$(echo "$deps / 1000000" | bc -l)" "$n" "$(echo "$t1 - $t0" | bc -l)" \
    "$(echo "$(du -sb "$work/fresh-$name" | cut -f1) / 1000000" | bc -l)"
}

echo "wheel: $(basename "$wheel")"
measure laketahoe "$wheel"
measure jupyter-scheduler "$SCHEDULER"
