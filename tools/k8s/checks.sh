# Shared by the cluster's test scripts (smoke-test.sh, node-test.sh): sourced, not run.
# Counts into the caller's `passed` and `failed` and prints TAP-like lines.

# check <description> <command...>: runs the command and records whether it succeeded.
check() {
  local desc=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok - $desc"
  else
    failed=$((failed + 1))
    echo "not ok - $desc"
  fi
}

# wait_for <seconds> <command...>: polls until the command succeeds; fails after the deadline.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# equals <actual> <expected>, contains <actual> <part>: comparisons that say what they got.
equals() { [[ "$1" == "$2" ]] || { echo "  expected '$2', got '$1'" >&2; return 1; }; }
contains() { [[ "$1" == *"$2"* ]] || { echo "  expected to contain '$2', got '$1'" >&2; return 1; }; }
