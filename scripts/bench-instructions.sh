#!/usr/bin/env bash
# Instructions per request on the server (valgrind --tool=callgrind), for the
# Docker API against the internal API on one `sockerless`, and for the bare
# hyper floor against `sockerless-backend-memory`. Instruction counts do not
# depend on what else the machine runs, unlike req/s on a shared 2-core VM.
# Each scenario runs the server twice under callgrind, serving N1 and then N2
# requests over one keep-alive curl connection: (total(N2) - total(N1)) /
# (N2 - N1) is the cost of one request, start-up and setup cancelled out.
#
#   cargo build --release --bin sockerless --bin sockerless-backend-memory --example bare_hyper
#   scripts/bench-instructions.sh                 # every scenario, N1=1000 N2=3000
#   N1=500 N2=1500 scripts/bench-instructions.sh docker-inspect inspect
#
# Scenarios: capabilities, capabilities-warn, bare (the floor), inspect,
# docker-inspect, list, docker-list, lifecycle, docker-lifecycle (one
# "request" = one whole create-start-inspect-stop-remove lifecycle).
set -euo pipefail
cd "$(dirname "$0")/.."
N1=${N1:-1000}
N2=${N2:-3000}
R=${RELEASE_DIR:-target/release}
work=$(mktemp -d /tmp/sockerless-instr.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }

# The curl config of N requests (lifecycles: 5 requests each, by name).
requests() { # scenario n socket id
  python3 - "$@" <<'PY'
import json, sys
scenario, n, sock, cid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
q = lambda s: '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'
body = json.dumps({"Image": "alpine", "Cmd": ["sleep", "infinity"]}, separators=(",", ":"))
fixed = {
    "capabilities": "/internal/v1/capabilities", "capabilities-warn": "/internal/v1/capabilities",
    "bare": "/internal/v1/capabilities", "inspect": f"/internal/v1/containers/{cid}",
    "docker-inspect": f"/v1.44/containers/{cid}/json", "list": "/internal/v1/containers?all=1",
    "docker-list": "/v1.44/containers/json?all=1",
}
groups = []
def add(method, path, data=None):
    g = [f"url = {q('http://x' + path)}", f'request = "{method}"', 'output = "/dev/null"',
         f"unix-socket = {q(sock)}", 'write-out = "%{http_code}\\n"']
    if data:
        g += ['header = "Content-Type: application/json"', f"data = {q(data)}"]
    groups.append("\n".join(g))
for i in range(n):
    if scenario in fixed:
        add("GET", fixed[scenario])
        continue
    c = f"c{i}"
    if scenario == "docker-lifecycle":
        b = f"/v1.44/containers/{c}"
        add("POST", f"/v1.44/containers/create?name={c}", body)
        add("POST", f"{b}/start"); add("GET", f"{b}/json"); add("POST", f"{b}/stop?t=0"); add("DELETE", f"{b}?force=1")
    else:
        b = f"/internal/v1/containers/{c}"
        add("POST", f"/internal/v1/containers?name={c}", body)
        add("POST", f"{b}/start"); add("GET", b); add("POST", f"{b}/stop?t=0"); add("DELETE", f"{b}?force=1")
print("\nnext\n".join(groups))
PY
}

# Runs the scenario's server under callgrind serving n requests; prints its total.
total() { # scenario n
  local scenario=$1 n=$2 sock="$work/$1-$2.sock" out="$work/$1-$2.out" cid=none
  local cmd
  case $scenario in
    bare) cmd=("$R/examples/bare_hyper" --unix "$sock") ;;
    capabilities) cmd=("$R/sockerless-backend-memory" --socket "$sock") ;;
    capabilities-warn) cmd=("$R/sockerless-backend-memory" --socket "$sock" --log-level warn) ;;
    *) cmd=("$R/sockerless" --docker-socket "$sock") ;;
  esac
  valgrind --tool=callgrind --callgrind-out-file="$out" "${cmd[@]}" >"$work/log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do
    curl -sf --unix-socket "$sock" http://x/internal/v1/capabilities >/dev/null 2>&1 && break
    sleep 0.1
  done
  if [ "${cmd[0]}" = "$R/sockerless" ]; then
    curl -s --unix-socket "$sock" -X POST "http://x/internal/v1/images/pull?fromImage=alpine" >/dev/null
    cid=$(curl -s --unix-socket "$sock" -X POST -H 'Content-Type: application/json' \
      -d '{"Image":"alpine","Cmd":["sleep","infinity"]}' "http://x/internal/v1/containers?name=probe" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["Id"])')
  fi
  requests "$scenario" "$n" "$sock" "$cid" >"$work/curl.cfg"
  local bad
  bad=$(curl -s -K "$work/curl.cfg" | grep -cv '^2' || true)
  kill -TERM "$pid"
  wait "$pid" || true
  [ "$bad" = 0 ] || echo "warning: $scenario answered $bad non-2xx" >&2
  sed -n 's/^summary: //p' "$out"
}

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(bare capabilities capabilities-warn inspect docker-inspect list docker-list lifecycle docker-lifecycle)
printf '| scenario | instructions per request |\n|---|---:|\n'
for s in "${scenarios[@]}"; do
  a=$(total "$s" "$N1")
  b=$(total "$s" "$N2")
  printf '| %s | %s |\n' "$s" "$(( (b - a) / (N2 - N1) ))"
done
