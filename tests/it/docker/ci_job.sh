#!/bin/sh
# A CI job as GitLab and GitHub runners generate them: setup, build, test, artifacts.
set -eo pipefail

STEP=0
log() { STEP=$((STEP + 1)); echo "[$STEP] $*"; }
warn() { echo "warning: $*" >&2; }
cleanup() { echo "cleanup: exit $? after $STEP steps"; }
trap cleanup EXIT

: "${ARTIFACTS:?ARTIFACTS must be set}"
log "preparing workspace"
mkdir -p build/src build/out "$ARTIFACTS/reports"
cat > build/src/config.ini <<CONF
name=sockerless
version=1.${MINOR:-4}.0
targets=linux darwin windows
CONF
cat > build/src/notes.txt <<'RAW'
$HOME stays literal in a quoted here-document
RAW

log "reading config"
while IFS='=' read -r key value; do
  case "$key" in
    name) NAME=$value ;;
    version) VERSION=$value ;;
    targets) TARGETS=$value ;;
    *) warn "unknown key $key" ;;
  esac
done < build/src/config.ini
echo "building $NAME $VERSION"

build_target() {
  local target=$1
  local n=$2
  printf '%s-%s binary #%d\n' "$NAME" "$target" "$n" > "build/out/$NAME-$target"
  echo "built $target ($(wc -c < "build/out/$NAME-$target") bytes)"
}

log "building"
i=0
for t in $TARGETS; do
  i=$((i + 1))
  build_target "$t" "$i"
done
[ "$i" -eq 3 ] || { warn "expected 3 targets, built $i"; exit 1; }

log "testing"
passed=0; failed=0
for f in build/out/*; do
  if grep -q binary "$f"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "tests: $passed passed, $failed failed"
ls build/out | sort -r | sed 's/^/  artifact: /'

log "collecting artifacts"
cp build/out/* "$ARTIFACTS/"
for f in build/out/*; do sha256sum "$f"; done | sed 's| build/out/| |' > "$ARTIFACTS/SHA256SUMS"
echo "$passed/$((passed + failed))" > "$ARTIFACTS/reports/summary.txt"
n=$(ls "$ARTIFACTS" | wc -l)
echo "artifacts: $n entries"
cut -d' ' -f3 "$ARTIFACTS/SHA256SUMS" | tr 'a-z' 'A-Z'

log "deploying"
if [ "${DEPLOY:-no}" != yes ]; then
  warn "deploy skipped"
  false | true
  test -n "$NOTHING" && echo unreachable
fi
