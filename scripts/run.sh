#!/usr/bin/env bash
# brook's main job in one command: install what is missing, build, start brookd on its embedded
# Kafka broker with the live-reactions example (examples/whatnot-reactions/), feed it generated
# reaction events, and open the brook shell on a live push query of reactions per stream per
# window. Leaving the shell (EXIT or Ctrl-D) stops everything this script started.
#
# Extra arguments go to brookd, e.g. --bootstrap-servers HOST:PORT for a real Kafka cluster.
# Environment: BROOK_LISTENERS (default http://localhost:8088), BROOK_RATE (events per second,
# default 20), BROOK_NO_SHELL=1 (keep brookd and the feed running without the shell, until
# Ctrl-C).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
LISTENERS="${BROOK_LISTENERS:-http://localhost:8088}"
RATE="${BROOK_RATE:-20}"
"$ROOT/scripts/setup.sh"
BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/build.sh" >/dev/null

WORK="$(mktemp -d -t brook-demo-XXXXXX)"
BROOKD_PID=""
FEED_PID=""
cleanup() {
  # Both run in their own process groups (setsid), so the shell's Ctrl-C never reaches them;
  # here they go, with everything they started.
  [[ -n "$FEED_PID" ]] && kill -- -"$FEED_PID" 2>/dev/null || true
  if [[ -n "$BROOKD_PID" ]]; then
    kill -- -"$BROOKD_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$BROOKD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 -- -"$BROOKD_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

setsid "$BUILD_DIR/server/brookd" --listeners "$LISTENERS" \
  --script "$ROOT/examples/whatnot-reactions/reactions.sql" \
  -D "ksql.streams.state.dir=$WORK/state" "$@" >"$WORK/brookd.log" 2>&1 &
BROOKD_PID=$!

URL=""
BOOTSTRAP=""
for _ in $(seq 600); do
  if ! kill -0 "$BROOKD_PID" 2>/dev/null; then
    echo "brookd stopped during start-up:" >&2
    cat "$WORK/brookd.log" >&2
    exit 1
  fi
  BOOTSTRAP="$(sed -n 's/^brookd: embedded Kafka broker at //p' "$WORK/brookd.log" | head -1)"
  URL="$(sed -n 's/^brookd: listening on //p' "$WORK/brookd.log" | head -1)"
  [[ -n "$URL" ]] && break
  sleep 0.1
done
if [[ -z "$URL" ]]; then
  echo "brookd did not start within 60 s; its log:" >&2
  cat "$WORK/brookd.log" >&2
  exit 1
fi

if [[ -n "$BOOTSTRAP" ]]; then
  setsid bash -c "python3 -u '$ROOT/examples/whatnot-reactions/generate.py' --live '$RATE' |
    kcat -b '$BOOTSTRAP' -P -t reactions -K'|' -X log_level=3" >"$WORK/feed.log" 2>&1 &
  FEED_PID=$!
fi

cat <<INFO
────────────────────────────────────────────────────────────────────────────────────────────────
 brook is running: REST at $URL${BOOTSTRAP:+, embedded Kafka broker at $BOOTSTRAP}
 Live reactions (examples/whatnot-reactions/reactions.sql) are fed at ~$RATE events/s.

 Produce your own events:  echo 'stream-9|{"user_id":"me","reaction":"fire","ts":'\$(date +%s000)'}' \\
                             | kcat -b ${BOOTSTRAP:-HOST:PORT} -P -t reactions -K'|'
 A pull query with curl:   curl -s $URL/query-stream \\
                             -d '{"sql":"SELECT * FROM stream_totals WHERE stream_id = '\''stream-0'\'';"}'
 A real Kafka cluster:     scripts/run.sh --bootstrap-servers broker1:9092
 Stop:                     Ctrl-C ends the push query; then EXIT (or Ctrl-D) stops everything.
────────────────────────────────────────────────────────────────────────────────────────────────
INFO

if [[ "${BROOK_NO_SHELL:-}" == "1" ]]; then
  echo "BROOK_NO_SHELL=1: brookd keeps running until Ctrl-C."
  wait "$BROOKD_PID"
  exit 0
fi

LIVE_QUERY="SELECT stream_id, TIMESTAMPTOSTRING(WINDOWSTART, 'HH:mm:ss', 'UTC') AS window_start, reactions FROM reactions_per_stream_10s EMIT CHANGES;"
if [[ ! -t 0 ]]; then
  # No terminal to type into (a pipe, a service manager): the live query alone, until Ctrl-C.
  echo "No terminal on standard input: showing the live query until Ctrl-C (no prompt)."
  "$BUILD_DIR/cli/brook" "$URL" --execute "$LIVE_QUERY" || true
  exit 0
fi
"$BUILD_DIR/cli/brook" "$URL" --startup "$LIVE_QUERY"
