#!/usr/bin/env bash
# Configures (once) and builds brook with Ninja and ccache into ./build.
# BUILD_DIR and BUILD_TYPE override the defaults (build, RelWithDebInfo); CMAKE_ARGS adds
# configure options, TARGETS limits the build to some targets.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache ${CMAKE_ARGS:-} >/dev/null
fi
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" ${TARGETS:+--target $TARGETS} -- -j"${BUILD_JOBS:-$(nproc)}"
