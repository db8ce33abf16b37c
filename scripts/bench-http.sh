#!/usr/bin/env bash
# The HTTP matrix: scenario (capabilities, inspect, lifecycle) x transport (unix,
# tcp) x concurrency (1, 16, 64) against the release daemon, and capabilities x
# transport x concurrency against the bare hyper floor (examples/bare_hyper.rs),
# all with examples/load.rs. Prints a markdown table; "ratio" is our req/s
# divided by the bare server's req/s at the same transport and concurrency.
# Loopback only: temp Unix sockets and 127.0.0.1 ports found free at runtime.
# Both servers are stopped at the end (also on error or Ctrl-C); every load run
# is bounded by `timeout`.
#
#   scripts/bench-http.sh                       # build, then DURATION=10 WARMUP=2
#   SKIP_BUILD=1 DURATION=2 WARMUP=0 CONCURRENCY="1 16" scripts/bench-http.sh
#   JSON_OUT=results.ndjson scripts/bench-http.sh   # also keep every raw report
#
# The daemon runs with LOG_LEVEL=warn by default (no per-request log line);
# LOG_LEVEL=info measures the default configuration.
set -euo pipefail

cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONCURRENCY=${CONCURRENCY:-"1 16 64"}
SCENARIOS=${SCENARIOS:-"capabilities inspect lifecycle"}
TRANSPORTS=${TRANSPORTS:-"unix tcp"}
LOG_LEVEL=${LOG_LEVEL:-warn}
LOAD_THREADS=${LOAD_THREADS:-}
JSON_OUT=${JSON_OUT:-}

command -v jq >/dev/null || { echo "bench-http.sh: needs jq" >&2; exit 2; }
if [[ -z ${SKIP_BUILD:-} ]]; then
  cargo build --release --bin sockerless-backend-memory --example load --example bare_hyper >&2
fi
DAEMON=$TARGET/release/sockerless-backend-memory
LOAD=$TARGET/release/examples/load
BARE=$TARGET/release/examples/bare_hyper

NAME=bench-http.sh
# shellcheck source=scripts/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

ours_port=$(free_port)
"$DAEMON" --socket "$tmp/ours.sock" --tcp "127.0.0.1:$ours_port" --log-level "$LOG_LEVEL" 2>"$tmp/ours.log" &
pids+=($!)
bare_port=$(free_port)
while [[ $bare_port == "$ours_port" ]]; do bare_port=$(free_port); done
"$BARE" --unix "$tmp/bare.sock" --tcp "127.0.0.1:$bare_port" >"$tmp/bare.log" 2>&1 &
pids+=($!)
wait_up daemon http://localhost/internal/v1/capabilities --unix-socket "$tmp/ours.sock"
wait_up daemon-tcp http://localhost/internal/v1/capabilities --connect-to "localhost:80:127.0.0.1:$ours_port"
wait_up bare http://localhost/internal/v1/capabilities --unix-socket "$tmp/bare.sock"
wait_up bare-tcp http://localhost/internal/v1/capabilities --connect-to "localhost:80:127.0.0.1:$bare_port"

target_args() { # server transport
  case "$1/$2" in
    ours/unix) echo "--unix $tmp/ours.sock" ;;
    ours/tcp) echo "--tcp 127.0.0.1:$ours_port" ;;
    bare/unix) echo "--unix $tmp/bare.sock" ;;
    bare/tcp) echo "--tcp 127.0.0.1:$bare_port" ;;
  esac
}

run_load() { # server transport scenario concurrency -> one JSON line
  local extra=()
  [[ -n $LOAD_THREADS ]] && extra+=(--threads "$LOAD_THREADS")
  # shellcheck disable=SC2046
  timeout $(( ${DURATION%.*} + ${WARMUP%.*} + 60 )) "$LOAD" $(target_args "$1" "$2") \
    --scenario "$3" --concurrency "$4" --duration "$DURATION" --warmup "$WARMUP" \
    "${extra[@]}" --json 2>>"$tmp/load.log" \
    || echo '{"error":"load run failed or timed out"}'
}

declare -A bare_rps
for t in $TRANSPORTS; do
  for c in $CONCURRENCY; do
    r=$(run_load bare "$t" capabilities "$c")
    [[ -n $JSON_OUT ]] && echo "$r" | jq -c '. + {server:"bare"}' >>"$JSON_OUT"
    bare_rps[$t/$c]=$(echo "$r" | jq -r '.requests_per_s // 0')
  done
done

echo "| scenario | transport | conc | req/s | p50 µs | p99 µs | max µs | lifecycles/s | non-2xx | errors | bare req/s | ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in $SCENARIOS; do
  for t in $TRANSPORTS; do
    for c in $CONCURRENCY; do
      r=$(run_load ours "$t" "$s" "$c")
      [[ -n $JSON_OUT ]] && echo "$r" | jq -c '. + {server:"ours"}' >>"$JSON_OUT"
      bare=${bare_rps[$t/$c]:-0}
      echo "$r" | jq -r --arg s "$s" --arg t "$t" --arg c "$c" --argjson bare "$bare" '
        def n: if . == null then "-" else . end;
        "| \($s) | \($t) | \($c) | \(.requests_per_s | n) | \(.latency.p50_us | n) | \(.latency.p99_us | n) | \(.latency.max_us | n) | \(.lifecycles_per_s | n) | \(.non_2xx | n) | \(.transport_errors | n) | \($bare) | \(if $bare > 0 and .requests_per_s != null then ((.requests_per_s / $bare * 1000 | round) / 1000) else "-" end) |"'
      if [[ $(echo "$r" | jq -r '.non_2xx // 0') != 0 ]]; then
        echo "$r" | jq -c '{scenario, transport, concurrency, status}' >>"$tmp/non2xx"
      fi
    done
  done
done
if [[ -s $tmp/non2xx ]]; then
  echo
  echo "Runs with non-2xx answers (their figures are not of successful requests):"
  sed 's/^/    /' "$tmp/non2xx"
fi
echo
echo "daemon: $DAEMON (log level $LOG_LEVEL); duration ${DURATION}s, warm-up ${WARMUP}s; $(nproc) cores, client and servers on the same machine"
