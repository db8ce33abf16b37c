#!/usr/bin/env bash
# Issue 16, goal 1: `GET /internal/v1/capabilities` on
# `sockerless-backend-memory` at its default settings (`info`: one request line
# per request) against the bare hyper floor (examples/bare_hyper.rs), measured
# with `oha` (3-second runs by default), ours and the floor alternating, over a
# Unix socket and over TCP, at c16 and c64. Prints one row per run with the
# ratio, then each row's median over the rounds (the figure to quote: single
# runs swing with the machine). Then the same with our own load tool
# (examples/load.rs, `--against-unix` / `--against-tcp`): each worker keeps a
# connection to both servers and the two alternate every 0.1 s within one
# 4-second run after 1 s of warm-up, so both see the same moments of a machine
# whose speed drifts between oha's separate runs. Loopback only: temp sockets,
# ports chosen free at runtime; both servers stopped at the end.
#
#   cargo build --release --bin sockerless-backend-memory --example bare_hyper --example load
#   scripts/bench-floor.sh                 # ROUNDS=2
#   ROUNDS=3 PINNED=1 scripts/bench-floor.sh
#   OHA_SECONDS=0.5 ROUNDS=30 LOAD_ROUNDS=0 scripts/bench-floor.sh  # short oha pairs only
#
# OHA_SECONDS: the length of each oha run (3). The two servers' oha runs take
# turns going first, round by round (ours first in odd rounds), so a drift
# within a pair favours neither. LOAD_ROUNDS: the rounds of the `load` table
# (ROUNDS; 0 leaves the table out).
# PINNED=1: each server one worker on CPU 0 (`taskset`), oha (or load, one
# thread) on CPU 1.
# RELEASE_DIR picks other builds of both binaries (an A/B of two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=bench-floor.sh
ROUNDS=${ROUNDS:-2}
LOAD_ROUNDS=${LOAD_ROUNDS:-$ROUNDS}
OHA_SECONDS=${OHA_SECONDS:-3}
R=${RELEASE_DIR:-target/release}
command -v oha >/dev/null || { echo "$NAME: needs oha (cargo install oha --locked)" >&2; exit 2; }
command -v jq >/dev/null || { echo "$NAME: needs jq" >&2; exit 2; }
LOAD=target/release/examples/load
[[ -x $LOAD ]] || { echo "$NAME: needs $LOAD (cargo build --release --example load)" >&2; exit 2; }
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

threads=() bare_threads=() load_threads=()
if [[ -n ${PINNED:-} ]]; then
  threads=(--worker-threads 1) bare_threads=(--threads 1) load_threads=(--threads 1)
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

# rate TRANSPORT CONCURRENCY SERVER: requests/s of one oha run of OHA_SECONDS.
rate() {
  local target
  if [[ $1 == unix ]]; then
    target=(--unix-socket "$tmp/$3.sock" "http://localhost$path")
  else
    local port=$ours_port
    [[ $3 == bare ]] && port=$bare_port
    target=("http://127.0.0.1:$port$path")
  fi
  "${client_cpu[@]}" oha -z "${OHA_SECONDS}s" -c "$2" --no-tui --output-format json "${target[@]}" 2>/dev/null |
    jq '.summary.requestsPerSec | round'
}

# both_oha TRANSPORT CONCURRENCY ROUND: "ours bare" requests/s of two oha
# runs, one after the other: ours first in odd rounds, the floor first in even.
both_oha() {
  local ours bare
  if (($3 % 2)); then
    ours=$(rate "$1" "$2" ours)
    bare=$(rate "$1" "$2" bare)
  else
    bare=$(rate "$1" "$2" bare)
    ours=$(rate "$1" "$2" ours)
  fi
  echo "$ours $bare"
}

# both_alternating TRANSPORT CONCURRENCY ROUND: "ours bare" requests/s of one
# `load` run alternating the two servers every 0.1 s (ROUND unused: the two
# take turns within the run).
both_alternating() {
  local target
  if [[ $1 == unix ]]; then
    target=(--unix "$tmp/ours.sock" --against-unix "$tmp/bare.sock")
  else
    target=(--tcp "127.0.0.1:$ours_port" --against-tcp "127.0.0.1:$bare_port")
  fi
  "${client_cpu[@]}" "$LOAD" "${load_threads[@]}" "${target[@]}" --scenario capabilities \
    -c "$2" -d 4 --warmup 1 --json |
    jq -r 'if .non_2xx + .transport_errors + .against.non_2xx + .against.transport_errors > 0
           then error("failed requests: \(.status) \(.against.status)") else . end
           | "\(.requests_per_s) \(.against.requests_per_s)"'
}

# table HOW MEASURE ROUNDS: ROUNDS rows of MEASURE (both_oha or
# both_alternating) for each transport and concurrency, then each row's
# median. The machine's moments swing single runs (a 2-core VM shared with
# the load tool); the median of each row's rounds is the figure to quote.
table() {
  local how=$1 measure=$2 rounds=$3 both ours bare r ratios medians=()
  printf '\n| transport | concurrency | round | ours req/s | bare req/s | ours ÷ bare (%s) |\n' "$how"
  printf '|---|---:|---:|---:|---:|---:|\n'
  for transport in unix tcp; do
    for c in 16 64; do
      ratios=()
      for round in $(seq 1 "$rounds"); do
        both=$("$measure" "$transport" "$c" "$round")
        read -r ours bare <<<"$both"
        r=$(ratio "$ours" "$bare")
        ratios+=("$r")
        printf '| %s | %s | %s | %s | %s | %s |\n' "$transport" "$c" "$round" "$ours" "$bare" "$r"
      done
      medians+=("$transport c$c: $(median "${ratios[@]}")")
    done
  done
  printf '\nmedian ours ÷ bare (%s):' "$how"
  printf ' %s;' "${medians[@]}"
  printf '\n'
}

table "oha, separate runs of ${OHA_SECONDS} s" both_oha "$ROUNDS"
if ((LOAD_ROUNDS > 0)); then
  table "load, alternating every 0.1 s" both_alternating "$LOAD_ROUNDS"
fi
