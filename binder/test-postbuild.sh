#!/usr/bin/env bash
# Runs binder/postBuild in a fresh copy of the working tree and a fresh virtual environment built from
# the pinned requirements (standing in for the conda environment), then checks that the wheel it built is
# installed (not the checkout), that JupyterLab sees the extension and that jupyter-server-proxy starts the
# bundled service.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Tracked and untracked-but-not-ignored files: what Binder would clone, without local build outputs.
# Installed trees are never copied, even when a link to one is not ignored: npm ci in the copy would empty it.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
  | grep -zvE '(^|/)(node_modules|\.venv)(/|$)' \
  | xargs -0 -I{} cp -P --parents {} "$work/")

python3 -m venv "$work/env"
"$work/env/bin/python" -m pip install --quiet --upgrade pip
"$work/env/bin/python" -m pip install --quiet -r "$repo/requirements/lock.txt"
PATH="$work/env/bin:$PATH" bash "$work/binder/postBuild"

export PATH="$work/env/bin:$PATH"
fail=0
if ! jupyter labextension list 2>&1 | grep -E 'laketahoe .*enabled.*OK' >/dev/null; then
  echo "FAIL: the laketahoe labextension is not enabled and OK"; jupyter labextension list; fail=1
fi
entry=$(python - <<'PY'
from importlib.metadata import entry_points
eps = entry_points(group="jupyter_serverproxy_servers")
print(",".join(sorted(ep.name for ep in eps)))
PY
)
if [[ ",$entry," != *",laketahoe,"* ]]; then
  echo "FAIL: no jupyter_serverproxy_servers entry point named laketahoe (found: $entry)"; fail=1
fi
# From another folder, so that the checkout's laketahoe/ is not on sys.path: the installed package answers.
config=$(cd "$work/env" && python -c '
import os, sys, sysconfig, laketahoe
from laketahoe.proxy import setup_laketahoe
# The command starts the keeper, which runs `node <service entry> serve ...` after its `--`.
command = setup_laketahoe()["command"]
entry = command[command.index("--") + 2]
print(entry)
site = os.path.realpath(sysconfig.get_paths()["purelib"])
sys.exit(0 if os.path.isfile(entry) and os.path.realpath(laketahoe.__file__).startswith(site + os.sep)
         and os.path.realpath(entry).startswith(site + os.sep) else 1)') || {
  echo "FAIL: the proxy entry point does not name the installed bundled service ($config)"; fail=1; }
# Captured first: grep -q closing the pipe early would fail the pipeline under pipefail.
shown=$(python -m pip show --files laketahoe 2>/dev/null || true)
if ! grep -q 'labextensions/laketahoe/static/style.js' <<< "$shown"; then
  echo "FAIL: the installed wheel has no production labextension build"; fail=1
fi
if grep -qi '^Editable project location' <<< "$shown"; then
  echo "FAIL: laketahoe is installed editable"; fail=1
fi
if [[ $fail -eq 0 ]]; then echo "binder: 5 passed, 0 failed"; else exit 1; fi
