#!/usr/bin/env bash
# One command: install what is missing, build, run the Nexmark benchmark (see bench/README.md).
# Extra arguments go to brook-bench (e.g. --events 2000000, --skip-embedded).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}" "$ROOT/scripts/build.sh" >/dev/null
exec "${BUILD_DIR:-$ROOT/build}/bench/brook-bench" "$@"
