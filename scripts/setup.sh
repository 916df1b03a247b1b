#!/usr/bin/env bash
# Installs what brook needs to build and test, from Debian bookworm packages.
# Idempotent: installs only missing packages. Needs root (or sudo) on first run.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build ccache pkg-config git
  librdkafka-dev librocksdb-dev libantlr4-runtime-dev antlr4 default-jre-headless
  libboost-dev nlohmann-json3-dev libsimdjson-dev libgtest-dev libgmock-dev libssl-dev
  libnghttp2-dev libedit-dev libpcre2-dev
  kcat python3 curl tzdata tmux
  python3-websocket
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm run the test of ksqlDB's npm client; a machine may have them from elsewhere.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
