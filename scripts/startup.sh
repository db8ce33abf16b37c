#!/usr/bin/env bash
# Time from process start to the first answered request, and idle RSS, of the
# release binary. Each run: start the daemon on a fresh temp socket, poll
# GET /internal/v1/capabilities with curl until it answers, report the ms since
# launch; after IDLE seconds read VmRSS from /proc/<pid>/status; stop it.
# Stops by itself (bounded waits) and leaves nothing running or on disk.
#
#   scripts/startup.sh                  # RUNS=5, IDLE=1
#   BIN=path/to/sockerless-backend-memory RUNS=10 scripts/startup.sh
#
# The poll is `curl --unix-socket` in a loop, so the figure includes one curl
# start; `curl_ms` (the same request against the already-running daemon) is
# printed so that it can be subtracted. `socket_ms` is when the socket file
# appeared (bash builtin test, no process start).
set -euo pipefail

BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/sockerless-backend-memory}
RUNS=${RUNS:-5}
IDLE=${IDLE:-1}
LOG_LEVEL=${LOG_LEVEL:-info}
TIMEOUT_MS=${TIMEOUT_MS:-5000}

if [[ ! -x $BIN ]]; then
  echo "startup.sh: no binary at $BIN (cargo build --release, or set BIN)" >&2
  exit 2
fi

tmp=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

now_ns() { date +%s%N; }
ms() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e6 }'; }

echo "| run | socket_ms | first_answer_ms | curl_ms | idle_rss_kib |"
echo "|---:|---:|---:|---:|---:|"
firsts=()
rsss=()
for run in $(seq "$RUNS"); do
  sock=$tmp/s$run.sock
  t0=$(now_ns)
  "$BIN" --socket "$sock" --log-level "$LOG_LEVEL" 2>"$tmp/log$run" &
  pid=$!
  sock_ns=
  first_ns=
  while :; do
    t=$(now_ns)
    if (( (t - t0) / 1000000 > TIMEOUT_MS )); then
      echo "startup.sh: no answer within ${TIMEOUT_MS} ms; daemon log:" >&2
      cat "$tmp/log$run" >&2
      exit 1
    fi
    if [[ -z $sock_ns && -S $sock ]]; then sock_ns=$t; fi
    if [[ -n $sock_ns ]] && curl -sf --unix-socket "$sock" -o /dev/null http://localhost/internal/v1/capabilities; then
      first_ns=$(now_ns)
      break
    fi
    kill -0 "$pid" 2>/dev/null || { echo "startup.sh: daemon exited:" >&2; cat "$tmp/log$run" >&2; exit 1; }
  done
  c0=$(now_ns)
  curl -sf --unix-socket "$sock" -o /dev/null http://localhost/internal/v1/capabilities
  c1=$(now_ns)
  sleep "$IDLE"
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
  echo "| $run | $(ms $((sock_ns - t0))) | $(ms $((first_ns - t0))) | $(ms $((c1 - c0))) | $rss |"
  firsts+=("$((first_ns - t0))")
  rsss+=("$rss")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "median first_answer_ms: $(ms "$(median "${firsts[@]}")")  (goal <= 20, includes one curl start)"
echo "median idle_rss_kib:    $(median "${rsss[@]}")  (goal <= 10240)"
