#!/usr/bin/env bash
# Issue 16, goal 4: the Docker API against the internal API on one `sockerless`
# (memory backend embedded; both APIs on its socket), with examples/load.rs:
# container inspect, list and whole lifecycles (create, start, inspect, stop,
# remove), each operation and its Docker twin alternating in slices of SLICE
# seconds (0.1) within one run. Prints requests/s per run, the Docker ÷
# internal ratio, and lifecycles/s (÷ 5 requests), then the median of each
# over the rounds. Loopback only: a temp socket; the daemon is stopped at the
# end.
#
#   cargo build --release --bin sockerless --example load
#   scripts/bench-docker-overhead.sh                    # ROUNDS=2, c16 and c64, 4 s of each API after 1 s
#   ROUNDS=5 DURATION=2 scripts/bench-docker-overhead.sh # the goal's figures: medians of 5
#   PINNED=1 ROUNDS=3 scripts/bench-docker-overhead.sh   # c16 only, pinned
#
# PINNED=1: the daemon one worker on CPU 0 (`taskset`), the load tool one thread
# on CPU 1. SOCKERLESS_BIN picks another build of the daemon (an A/B of builds).
# CLIENT=lean: the load tool's lean HTTP/1 client (`load --client lean`), which
# leaves more of the shared cores to the daemon; hyper's client by default.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=bench-docker-overhead.sh
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-1}
SLICE=${SLICE:-0.1}
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

# rates OPERATION CONCURRENCY: "internal docker" requests/s, the two APIs
# alternating in slices of SLICE seconds within one run (`load --against`):
# both see the same moments of the machine, whose speed drifts by tens of
# per cent from one run to the next.
rates() {
  "${client_cpu[@]}" timeout $((DURATION * 2 + WARMUP + 30)) "$LOAD" --unix "$tmp/d.sock" \
    --scenario "docker-$1" --against "$1" --slice "$SLICE" -c "$2" "${load_threads[@]}" \
    -d "$((DURATION * 2))" --warmup "$WARMUP" --client "${CLIENT:-hyper}" --json |
    jq -r '"\(.against.requests_per_s | round) \(.requests_per_s | round)"'
}

declare -A ratios=() lifecycles=()
printf '| round | concurrency | operation | internal req/s | Docker req/s | Docker ÷ internal | Docker lifecycles/s |\n'
printf '|---:|---:|---|---:|---:|---:|---:|\n'
for round in $(seq 1 "$ROUNDS"); do
  for c in "${concurrency[@]}"; do
    for op in inspect list lifecycle; do
      read -r internal docker < <(rates "$op" "$c")
      r=$(ratio "$docker" "$internal")
      ratios[$op c$c]+="$r "
      per_lifecycle=""
      if [[ $op == lifecycle ]]; then
        per_lifecycle=$((docker / 5))
        lifecycles[c$c]+="$per_lifecycle "
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$round" "$c" "$op" "$internal" "$docker" \
        "$r" "$per_lifecycle"
    done
  done
done
# Single runs swing with the machine's moments (a 2-core VM shared with the
# load tool); the median of each row's rounds is the figure to quote.
printf '\nmedian Docker ÷ internal:'
for c in "${concurrency[@]}"; do
  for op in inspect list lifecycle; do
    # shellcheck disable=SC2086 # the rounds' figures, one word each
    printf ' %s c%s: %s;' "$op" "$c" "$(median ${ratios[$op c$c]})"
  done
done
printf '\nmedian Docker lifecycles/s:'
for c in "${concurrency[@]}"; do
  # shellcheck disable=SC2086
  printf ' c%s: %s;' "$c" "$(median ${lifecycles[c$c]})"
done
printf '\n'
