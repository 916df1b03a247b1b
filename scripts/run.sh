#!/usr/bin/env bash
# One command: install what is missing, build, and start brookd on its embedded Kafka broker
# with the quickstart statements (examples/quickstart/quickstart.sql).
# Extra arguments go to brookd (e.g. --listeners http://0.0.0.0:8088, --bootstrap-servers h:p).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh"
BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/build.sh"
exec "$BUILD_DIR/server/brookd" --script "$ROOT/examples/quickstart/quickstart.sql" "$@"
