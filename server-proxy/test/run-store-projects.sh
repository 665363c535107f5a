#!/usr/bin/env bash
# Runs jest's two projects side by side, each in band: `sqlite` (every test) and `postgres` (the store,
# API and monitoring tests again). One after the other they took most of the suite's time; the tests
# spawn kernels and servers and wait on them, so two bands overlap well on two cores. Each line is
# prefixed with its project; the exit status is non-zero when either project fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_OPTIONS=--experimental-vm-modules

pids=()
for project in sqlite postgres; do
  (
    npx jest --runInBand "$@" --selectProjects "$project" 2>&1 | sed -u "s/^/[$project] /"
    exit "${PIPESTATUS[0]}"
  ) &
  pids+=("$!")
done

status=0
for pid in "${pids[@]}"; do
  wait "$pid" || status=1
done
exit "$status"
