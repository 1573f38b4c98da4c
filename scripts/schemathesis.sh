#!/usr/bin/env bash
# Fuzzes the HTTP API with schemathesis against its OpenAPI document: starts
# `codementor dev` (bin/, from `make build`) on a free loopback port with an
# empty data directory, waits until it is ready, and runs schemathesis with
# the settings of scripts/schemathesis.toml twice, with a learner's token on
# every operation (as a bearer token, and in X-Auth-Token for the Judge0
# API), then with an admin's on the questions' (admins may write
# them; they are exempt from the in-flight limit, so they do not submit
# here). Fails on any 5xx, any answer outside the document, any request
# unanswered within 10 s, and any error the server logged. Stops the server
# (by its PID) and removes its data however it ends. Takes about a minute
# (the Judge0 API's submissions run real code, and wait=true waits for it).
#
#   scripts/schemathesis.sh [SCHEMATHESIS RUN OPTIONS...]   e.g. --seed N to replay a run
#
# Needs .venv/schemathesis (scripts/install-deps.sh test) and bin/codementor.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
st=$root/.venv/schemathesis/bin/schemathesis
py=$root/.venv/schemathesis/bin/python
bin=$root/bin/codementor
say() { echo "schemathesis.sh: $*"; }
fail() {
  echo "schemathesis.sh: $*" >&2
  exit 1
}
[ -x "$st" ] || fail "no $st: run scripts/install-deps.sh test"
[ -x "$bin" ] || fail "no $bin: run make build"

began=$(date +%s)
tmp=$(mktemp -d)
log=$tmp/server.log
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
# The embedded broker on a free port too: several runs may share the machine.
"$bin" dev --http-addr "127.0.0.1:$port" --kafka-addr 127.0.0.1:0 --data-dir "$tmp/data" --log-level warn >"$log" 2>&1 &
pid=$!
say "codementor dev (pid $pid) on $base"

# http METHOD PATH [BODY]: prints the answer's body; fails on no answer or a
# status other than 200.
http() {
  "$py" - "$base$2" "$1" "${3:-}" <<'EOF'
import sys, urllib.request
url, method, body = sys.argv[1:]
req = urllib.request.Request(url, method=method, data=body.encode() or None, headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=5) as resp:
    sys.stdout.write(resp.read().decode())
EOF
}

for _ in $(seq 180); do
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "the server exited before it was ready"; }
  http GET /readyz >/dev/null 2>&1 && break
  sleep 0.5
done
http GET /readyz >/dev/null 2>&1 || { cat "$log" >&2; fail "the server was not ready within 90 s"; }
say "ready after $(($(date +%s) - began)) s"

token() {
  http POST /api/dev/login "{\"user\":\"$1\",\"admin\":$2}" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
learner=$(token fuzz-learner false)
admin=$(token fuzz-admin true)

run() {
  local who=$1 tok=$2
  shift 2
  say "as the $who"
  "$st" --config-file "$root/scripts/schemathesis.toml" run "$base/api/openapi.json" --url "$base" \
    -H "Authorization: Bearer $tok" -H "X-Auth-Token: $tok" "$@"
}
status=0
run learner "$learner" "$@" || status=1
run admin "$admin" --include-tag questions "$@" || status=1

if grep -q 'level=ERROR' "$log"; then
  say "the server logged errors:" >&2
  grep 'level=ERROR' "$log" >&2
  status=1
fi
say "$([ $status -eq 0 ] && echo "no findings" || echo "FINDINGS") in $(($(date +%s) - began)) s"
exit $status
