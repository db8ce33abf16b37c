#!/usr/bin/env bash
# Issue 16, goal 1: `GET /internal/v1/capabilities` on `sockerless-backend-memory`
# at its default settings (`info`: one request line per request) against the
# bare hyper floor (examples/bare_hyper.rs), measured with `oha`, 3-second runs,
# ours and the floor alternating, over a Unix socket and over TCP, at c16 and
# c64. Prints one row per run with the ratio, then each row's median over the
# rounds (the figure to quote: single runs swing with the machine). Loopback
# only: temp sockets, ports chosen free at runtime; both servers stopped at
# the end.
#
#   cargo build --release --bin sockerless-backend-memory --example bare_hyper
#   scripts/bench-floor.sh                 # ROUNDS=2
#   ROUNDS=3 PINNED=1 scripts/bench-floor.sh
#
# PINNED=1: each server one worker on CPU 0 (`taskset`), oha on CPU 1.
# RELEASE_DIR picks other builds of both binaries (an A/B of two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=bench-floor.sh
ROUNDS=${ROUNDS:-2}
R=${RELEASE_DIR:-target/release}
command -v oha >/dev/null || { echo "$NAME: needs oha (cargo install oha --locked)" >&2; exit 2; }
command -v jq >/dev/null || { echo "$NAME: needs jq" >&2; exit 2; }
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

threads=() bare_threads=()
if [[ -n ${PINNED:-} ]]; then
  threads=(--worker-threads 1) bare_threads=(--threads 1)
fi
ours_port=$(free_port)
bare_port=$(free_port)
"${server_cpu[@]}" "$R/sockerless-backend-memory" "${threads[@]}" --socket "$tmp/ours.sock" \
  --tcp "127.0.0.1:$ours_port" 2>"$tmp/ours.log" &
pids+=($!)
"${server_cpu[@]}" "$R/examples/bare_hyper" "${bare_threads[@]}" --unix "$tmp/bare.sock" \
  --tcp "127.0.0.1:$bare_port" >"$tmp/bare.log" &
pids+=($!)
path=/internal/v1/capabilities
wait_up ours "http://x$path" --unix-socket "$tmp/ours.sock"
wait_up bare "http://x$path" --unix-socket "$tmp/bare.sock"

# rate TRANSPORT CONCURRENCY SERVER: requests/s of one 3-second oha run.
rate() {
  local target
  if [[ $1 == unix ]]; then
    target=(--unix-socket "$tmp/$3.sock" "http://localhost$path")
  else
    local port=$ours_port
    [[ $3 == bare ]] && port=$bare_port
    target=("http://127.0.0.1:$port$path")
  fi
  "${client_cpu[@]}" oha -z 3s -c "$2" --no-tui --output-format json "${target[@]}" 2>/dev/null |
    jq '.summary.requestsPerSec | round'
}

ratios=() medians=()
printf '| transport | concurrency | round | ours req/s | bare req/s | ours ÷ bare |\n|---|---:|---:|---:|---:|---:|\n'
for transport in unix tcp; do
  for c in 16 64; do
    for round in $(seq 1 "$ROUNDS"); do
      ours=$(rate "$transport" "$c" ours)
      bare=$(rate "$transport" "$c" bare)
      r=$(ratio "$ours" "$bare")
      ratios+=("$r")
      printf '| %s | %s | %s | %s | %s | %s |\n' "$transport" "$c" "$round" "$ours" "$bare" "$r"
    done
    medians+=("$transport c$c: $(median "${ratios[@]}")")
    ratios=()
  done
done
# The machine's moments swing single runs (a 2-core VM shared with the load
# tool); the median of each row's rounds is the figure to quote.
printf '\nmedian ours ÷ bare:'
printf ' %s;' "${medians[@]}"
printf '\n'
