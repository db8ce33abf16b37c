#!/usr/bin/env bash
# Issue 16, goal 4: the Docker API against the internal API on one `sockerless`
# (memory backend embedded; both APIs on its socket), with examples/load.rs:
# container inspect, list and whole lifecycles (create, start, inspect, stop,
# remove), each scenario and its Docker twin run one after the other. Prints
# requests/s per run, the Docker ÷ internal ratio, and lifecycles/s (÷ 5
# requests). Loopback only: a temp socket; the daemon is stopped at the end.
#
#   cargo build --release --bin sockerless --example load
#   scripts/bench-docker-overhead.sh                    # ROUNDS=2, c16 and c64, 4 s after 1 s
#   PINNED=1 ROUNDS=3 scripts/bench-docker-overhead.sh   # c16 only, pinned
#
# PINNED=1: the daemon one worker on CPU 0 (`taskset`), the load tool one thread
# on CPU 1. SOCKERLESS_BIN picks another build of the daemon (an A/B of builds).
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=bench-docker-overhead.sh
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-1}
BIN=${SOCKERLESS_BIN:-target/release/sockerless}
LOAD=target/release/examples/load
command -v jq >/dev/null || { echo "$NAME: needs jq" >&2; exit 2; }
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

threads=() load_threads=() concurrency=(16 64)
if [[ -n ${PINNED:-} ]]; then
  threads=(--worker-threads 1) load_threads=(--threads 1) concurrency=(16)
fi
"${server_cpu[@]}" "$BIN" "${threads[@]}" --docker-socket "$tmp/d.sock" 2>"$tmp/d.log" &
pids+=($!)
wait_up sockerless http://x/_ping --unix-socket "$tmp/d.sock"

# rate SCENARIO CONCURRENCY: requests/s of one run.
rate() {
  "${client_cpu[@]}" timeout $((DURATION + WARMUP + 30)) "$LOAD" --unix "$tmp/d.sock" \
    --scenario "$1" -c "$2" "${load_threads[@]}" -d "$DURATION" --warmup "$WARMUP" --json |
    jq '.requests_per_s | round'
}

printf '| round | concurrency | operation | internal req/s | Docker req/s | Docker ÷ internal | Docker lifecycles/s |\n'
printf '|---:|---:|---|---:|---:|---:|---:|\n'
for round in $(seq 1 "$ROUNDS"); do
  for c in "${concurrency[@]}"; do
    for op in inspect list lifecycle; do
      internal=$(rate "$op" "$c")
      docker=$(rate "docker-$op" "$c")
      per_lifecycle=""
      [[ $op == lifecycle ]] && per_lifecycle=$((docker / 5))
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$round" "$c" "$op" "$internal" "$docker" \
        "$(ratio "$docker" "$internal")" "$per_lifecycle"
    done
  done
done
