# Sourced by the bench scripts (bench-http.sh, bench-remote.sh, bench-floor.sh,
# bench-docker-overhead.sh): a temp dir, daemons started in the background and
# stopped at exit (also on error or Ctrl-C), a free loopback port, the CPU
# pinning of PINNED=1, a ratio and a median. The sourcing script sets NAME (for
# messages) and appends each daemon's pid to `pids`.

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A loopback port nobody listens on (checked with bash's /dev/tcp; the servers
# are then checked to be the ones answering).
free_port() {
  local p
  for _ in $(seq 100); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "$NAME: no free port found" >&2; exit 1
}

# wait_up NAME URL CURL-ARGS...: polls URL until it answers 2xx (5 s at most).
wait_up() {
  local name=$1 url=$2; shift 2
  for _ in $(seq 200); do
    if curl -sf -o /dev/null --max-time 1 "$@" "$url" 2>/dev/null; then return; fi
    sleep 0.025
  done
  echo "$NAME: $name did not answer; logs:" >&2; cat "$tmp"/*.log >&2; exit 1
}

# PINNED=1: the server under test on CPU 0 (`"${server_cpu[@]}" server …`), the
# load tool on CPU 1 (`"${client_cpu[@]}" tool …`); both empty otherwise.
server_cpu=() client_cpu=()
if [[ -n ${PINNED:-} ]]; then
  server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
fi

# ratio A B: A ÷ B to two decimals.
ratio() {
  jq -n "$1 / $2 * 100 | round / 100"
}

# median X...: the median of the numbers (the mean of the middle two when even).
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
