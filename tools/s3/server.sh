#!/usr/bin/env bash
# Starts or stops a local S3-compatible server (versitygw, posix backend) on 127.0.0.1 for tests.
#
#   server.sh start DIR   build if needed, start on a free loopback port with fresh random keys and
#                         one bucket; objects live in DIR/data. Writes DIR/env (shell-sourceable:
#                         LAKETAHOE_S3_ENDPOINT, LAKETAHOE_S3_BUCKET, LAKETAHOE_S3_REGION,
#                         LAKETAHOE_S3_ACCESS_KEY_ID, LAKETAHOE_S3_SECRET_ACCESS_KEY) and DIR/pid,
#                         and returns once the server answers.
#   server.sh stop DIR    stops the server started in DIR and removes DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmd="${1:-}"
dir="${2:-}"
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

case "$cmd" in
  start)
    "$here/build.sh" >&2
    mkdir -p "$dir/data/laketahoe" "$dir/meta"
    dir="$(cd "$dir" && pwd)"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    access="test$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    # Keys through the environment, not argv: other users of the machine can read command lines.
    ROOT_ACCESS_KEY_ID="$access" ROOT_SECRET_ACCESS_KEY="$secret" \
      setsid "$here/bin/versitygw" --port "127.0.0.1:$port" --region us-east-1 --quiet \
      posix --sidecar "$dir/meta" "$dir/data" >"$dir/server.log" 2>&1 &
    echo $! >"$dir/pid"
    umask 077
    cat >"$dir/env" <<ENV
LAKETAHOE_S3_ENDPOINT=http://127.0.0.1:$port
LAKETAHOE_S3_BUCKET=laketahoe
LAKETAHOE_S3_REGION=us-east-1
LAKETAHOE_S3_ACCESS_KEY_ID=$access
LAKETAHOE_S3_SECRET_ACCESS_KEY=$secret
ENV
    for _ in $(seq 1 100); do
      if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
        exit 0
      fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/server.log" >&2; echo "versitygw exited" >&2; exit 1; }
      sleep 0.1
    done
    echo "versitygw did not answer on 127.0.0.1:$port" >&2
    exit 1
    ;;
  stop)
    if [[ -f "$dir/pid" ]]; then
      pid="$(cat "$dir/pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
