#!/usr/bin/env bash
# The trials browser at 10,000 trials beside 1,000 (see run.mjs). Needs `make build` (service, extension, venv).
set -euo pipefail
cd "$(dirname "$0")/../../.."
exec node bench/ui/trials-10k/run.mjs "$@"
