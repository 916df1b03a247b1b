#!/usr/bin/env bash
# Runs one test binary of the sanitized build (scripts/test.sh builds it in <build>/sanitize).
set -euo pipefail
bin="$1"
if [[ ! -x "$bin" ]]; then
  echo "missing $bin: scripts/test.sh builds the sanitized tests before running CTest" >&2
  exit 1
fi
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
exec "$bin"
