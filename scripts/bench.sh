#!/usr/bin/env bash
# One command: install what is missing, build the benchmark and the broker it drives, run it
# (see bench/README.md). Extra arguments go to brook-bench (e.g. --json, --events 400000).
# BUILD_DIR, BUILD_TYPE and BUILD_JOBS as for scripts/build.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
"$ROOT/scripts/setup.sh"
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
# Only the two binaries the run needs (brook-bench finds brook-devbroker next to it).
cmake --build "$BUILD_DIR" --target brook-bench brook-devbroker -- -j"${BUILD_JOBS:-$(nproc)}" \
  >/dev/null
exec "$BUILD_DIR/bench/brook-bench" "$@"
