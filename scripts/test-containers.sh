#!/usr/bin/env bash
# The container test (`make test-containers`): builds the images with podman
# and runs docker-compose.yml for real, with podman-compose, under load, and
# kills a processor container in the middle.
#
#   1. a Debian bookworm base image, made here (mmdebstrap, from the Debian
#      mirror in apt's sources) and tagged docker.io/library/debian:bookworm-slim,
#      the name the Dockerfiles start FROM: nothing is pulled from a registry
#   2. the project's image from the Dockerfile (codementor:local, the compose
#      file's name for it) and an Apache Kafka image from the jars
#      `make kafka-up` runs (deploy/kafka/Dockerfile)
#   3. the compose file's stack: Kafka, the topics job (its exit code must be
#      0), the web tier, and three processors, each healthy (a processor is
#      healthy only when it can sandbox)
#   4. `codementor loadgen` (bin/codementor, `make build`) against the web
#      tier: a mix of languages and of correct and wrong programs; a few
#      seconds in, one processor container is killed (SIGKILL), and every
#      submission must still get its expected verdict
#   5. down, with its volumes and network; on failure, the containers' logs
#      first
#
# Everything podman keeps is in .containers/ (gitignored): its storage (the
# images' layers, the cache of the next run), its run state, the networks'
# configuration, and the containers.conf and storage.conf this script writes
# and passes through CONTAINERS_CONF and CONTAINERS_STORAGE_CONF. /etc/containers
# is never read or written. rm -rf .containers for a cold run.
#
# Needs podman and the tools of `scripts/install-deps.sh containers` (Debian
# packages, podman-compose from PyPI in .venv/podman-compose), root (rootful
# podman), Maven (the Kafka jars) and bin/codementor.
#
# Settings (environment):
#   CODEMENTOR_TEST_WEB_PORT   the web tier's port on 127.0.0.1 (default 18080)
#   CODEMENTOR_TEST_RATE, CODEMENTOR_TEST_DURATION   loadgen's --rate and
#                              --duration (default 2 per second for 60s: 120 submissions,
#                              about what three processors judge on two cores)
#   CODEMENTOR_TEST_KILL_AFTER seconds into the load when a processor is killed (default:
#                              a random moment from 2 to 40 s)
#   CODEMENTOR_TEST_KEEP=1     leave the stack running (podman-compose down yourself)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=$root/.containers
project=codementor-ctest
port=${CODEMENTOR_TEST_WEB_PORT:-18080}
rate=${CODEMENTOR_TEST_RATE:-2}
duration=${CODEMENTOR_TEST_DURATION:-60s}
# A fault comes at any moment: by default the kill falls anywhere from 2 to
# 40 s into the load, on any of the processors (the log says which and when).
kill_after=${CODEMENTOR_TEST_KILL_AFTER:-$((2 + RANDOM % 39))}
processors=3
compose_bin=$root/.venv/podman-compose/bin/podman-compose
kafka_version=$(sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' scripts/kafka/pom.xml)
kafka_image=localhost/codementor-kafka:$kafka_version
base_image=docker.io/library/debian:bookworm-slim

t0=$(date +%s)
say() { echo "test-containers [$(($(date +%s) - t0))s]: $*"; }
fail() {
  echo "test-containers: FAIL: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run as root (rootful podman: the processors' sandbox needs it)"
command -v podman >/dev/null || fail "podman is missing: scripts/install-deps.sh containers"
[ -x "$compose_bin" ] || fail "podman-compose is missing: scripts/install-deps.sh containers"
[ -x bin/codementor ] || fail "bin/codementor is missing: make build"

# --- podman's configuration, all of it under .containers/ ------------------
mkdir -p "$state/run" "$state/networks"
# runc: crun refuses a hybrid cgroup layout (v1 controllers beside an empty
# unified hierarchy). cgroupfs and a file for events: no systemd here. The
# ulimits: fixed ones rather than the host's, which containers did not start
# with on this kind of machine. pull_policy: nothing is ever pulled, every
# image is made here.
cat >"$state/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$state/run/events.log"
tmp_dir = "$state/run/libpod"
pull_policy = "never"

[network]
network_backend = "netavark"
network_config_dir = "$state/networks"
EOF
cat >"$state/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$state/storage"
runroot = "$state/run/storage"
EOF
export CONTAINERS_CONF=$state/containers.conf CONTAINERS_STORAGE_CONF=$state/storage.conf

compose() {
  "$compose_bin" --podman-path "$(command -v podman)" -p "$project" -f docker-compose.yml "$@"
}

# What the compose file needs: the images made here, a fresh secret, dev
# sign-in for loadgen, and a port of the test's own.
export CODEMENTOR_KAFKA_IMAGE=$kafka_image
CODEMENTOR_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CODEMENTOR_JWT_SECRET
export CODEMENTOR_DEV_AUTH=true
export CODEMENTOR_WEB_PORT=$port

# The project's containers, by its compose label: nothing else in the storage
# is touched.
project_containers() { podman ps -a -q --filter "label=com.docker.compose.project=$project"; }

down() {
  compose down -v -t 10 >"$state/down.log" 2>&1 || { cat "$state/down.log" >&2; return 1; }
  # Anonymous volumes (the processors'), and the project's network.
  local c
  for c in $(project_containers); do podman rm -f -v "$c" >/dev/null 2>&1 || true; done
  podman volume prune -f >/dev/null 2>&1 || true
  podman network rm -f "${project}_default" >/dev/null 2>&1 || true
}

print_logs() {
  local c name
  for c in $(project_containers); do
    name=$(podman inspect -f '{{.Name}}' "$c")
    echo "--- podman logs $name (last 40 lines)"
    podman logs --tail 40 "$c" 2>&1 || true
  done
}

finish() {
  local rc=$?
  trap - EXIT
  if [ "$rc" -ne 0 ] && [ -n "$(project_containers 2>/dev/null)" ]; then
    podman ps -a --filter "label=com.docker.compose.project=$project" >&2 || true
    print_logs >&2
  fi
  if [ "${CODEMENTOR_TEST_KEEP:-}" = 1 ] && [ "$rc" -eq 0 ]; then
    say "the stack is still running (CODEMENTOR_TEST_KEEP=1); to stop it:"
    echo "  CONTAINERS_CONF=$CONTAINERS_CONF CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF $compose_bin -p $project down -v"
  else
    say "tearing down"
    down || rc=1
  fi
  say "$(if [ "$rc" -eq 0 ]; then echo passed; else echo failed; fi) in $(($(date +%s) - t0)) s"
  exit "$rc"
}

# A run that died before its teardown left its containers: remove them.
if [ -n "$(project_containers)" ]; then
  say "removing the containers a previous run left"
  down || true
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  fail "127.0.0.1:$port is in use: set CODEMENTOR_TEST_WEB_PORT"
fi
trap finish EXIT

# --- 1. the base image -------------------------------------------------------
# minbase, merged /usr, and the path excludes of Docker's debian:*-slim (no
# manuals, documentation but the copyrights, or translations): about the same
# 75 MB. The machine's own extra CAs (/usr/local/share/ca-certificates) go in,
# so that builds behind a TLS-intercepting proxy reach the Go and npm
# registries (ca-certificates trusts them once installed). Made again once a
# week, for Debian's updates.
base_tar=$state/base/bookworm-slim.tar
if ! podman image exists "$base_image" || [ -z "$(find "$base_tar" -mtime -7 2>/dev/null)" ]; then
  say "making the base image $base_image (mmdebstrap, minbase)"
  mkdir -p "$state/base"
  sources=()
  # The mirror apt uses here, or mmdebstrap's default.
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then sources=(-); fi
  hooks=()
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    hooks=(--customize-hook='mkdir -p "$1/usr/local/share/ca-certificates" && cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/"')
  fi
  mmdebstrap --variant=minbase --format=tar --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/groff/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' --dpkgopt='path-exclude=/usr/share/linda/*' \
    "${hooks[@]}" bookworm "$base_tar.tmp" "${sources[@]}" \
    </etc/apt/sources.list.d/debian.sources >"$state/base/mmdebstrap.log" 2>&1 ||
    { tail -n 30 "$state/base/mmdebstrap.log" >&2; fail "mmdebstrap failed (above: the end of .containers/base/mmdebstrap.log)"; }
  mv "$base_tar.tmp" "$base_tar"
  podman import -q --change 'CMD ["bash"]' "$base_tar" "$base_image" >/dev/null
fi

# --- 2. the images -----------------------------------------------------------
# --layers: every step's result is kept, and reused while its inputs are the
# same (the Dockerfiles order their steps for that).
say "building codementor:local (Dockerfile)"
podman build --pull=never --layers -t codementor:local . >"$state/build-codementor.log" 2>&1 ||
  { tail -n 40 "$state/build-codementor.log" >&2; fail "building the image failed (above: the end of .containers/build-codementor.log)"; }

say "building $kafka_image (deploy/kafka/Dockerfile, the jars of make kafka-up)"
./scripts/kafka.sh fetch
ctx=$state/kafka-context
rm -rf "$ctx"
mkdir -p "$ctx"
# Hard links where they can be: the context is read, never changed.
cp -al .kafka/libs "$ctx/libs" 2>/dev/null || cp -a .kafka/libs "$ctx/libs"
rm -f "$ctx/libs/.pom.sha256"
cp scripts/kafka/log4j2.properties deploy/kafka/entrypoint.sh deploy/kafka/kafka-broker-api-versions.sh "$ctx/"
podman build --pull=never --layers -f deploy/kafka/Dockerfile -t "$kafka_image" "$ctx" >"$state/build-kafka.log" 2>&1 ||
  { tail -n 40 "$state/build-kafka.log" >&2; fail "building the Kafka image failed (above: the end of .containers/build-kafka.log)"; }
# The layers no image uses any more, a week after they were made (the build
# stage's are among them: they are the next build's cache until then).
podman image prune -f --filter until=168h >/dev/null
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "codementor|debian" | sed 's/^/  image /'

# --- 3. the stack --------------------------------------------------------------
# podman runs no health check by itself without systemd (its timers are
# systemd's): healthy runs them, and podman records the outcome.
healthy() {
  local c
  for c in "$@"; do
    podman healthcheck run "$c" >/dev/null 2>&1 || return 1
  done
}
# wait_healthy SECONDS CONTAINER... waits until every CONTAINER is healthy.
wait_healthy() {
  local limit=$1 start
  shift
  start=$(date +%s)
  until healthy "$@"; do
    [ $(($(date +%s) - start)) -lt "$limit" ] || fail "not healthy within $limit s: $*"
    for c in "$@"; do
      [ "$(podman inspect -f '{{.State.Running}}' "$c")" = true ] || fail "$c exited ($(podman inspect -f '{{.State.ExitCode}}' "$c"))"
    done
    sleep 2
  done
}
service_containers() {
  podman ps -q --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$1"
}

# The stack comes up in the compose file's order, one step at a time, each
# checked here: podman 4.3 cannot wait for a health condition (podman-compose
# ignores it), and a container podman-compose makes with its dependencies
# (podman's --requires) would start the finished topics job again. So: up
# --no-deps, and the test waits for each dependency itself.
say "starting Kafka"
compose up -d --no-build --no-deps kafka >"$state/up.log" 2>&1 || { cat "$state/up.log" >&2; fail "podman-compose up kafka failed"; }
wait_healthy 120 "$(service_containers kafka)"
say "Kafka is healthy; running the topics job"
compose up -d --no-build --no-deps topics >>"$state/up.log" 2>&1 || { cat "$state/up.log" >&2; fail "podman-compose up topics failed"; }
topics=$(podman ps -a -q --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=topics")
[ -n "$topics" ] || fail "no topics container"
podman wait "$topics" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$topics")
[ "$code" -eq 0 ] || fail "the topics job exited $code"
say "the topics job exited 0; starting web and $processors processors"
compose up -d --no-build --no-deps --scale "processor=$processors" web processor >>"$state/up.log" 2>&1 ||
  { cat "$state/up.log" >&2; fail "podman-compose up web processor failed"; }
mapfile -t procs < <(service_containers processor)
[ "${#procs[@]}" -eq "$processors" ] || fail "${#procs[@]} processor containers run, not $processors"
wait_healthy 300 "$(service_containers web)" "${procs[@]}"
say "web and $processors processors are healthy (each processor can sandbox)"

# --- 4. load, and a processor killed -------------------------------------------
report=$state/loadgen.json
rm -f "$report"
say "loadgen: $rate submissions/s for $duration; a processor is killed after ${kill_after} s"
bin/codementor loadgen --url "http://127.0.0.1:$port" --rate "$rate" --duration "$duration" \
  --learners 20 --mix python=3,c=1,javascript=1 --wrong-ratio 0.3 --timeout 3m --json "$report" &
loadgen=$!
sleep "$kill_after"
victim=${procs[RANDOM % ${#procs[@]}]}
victim_name=$(podman inspect -f '{{.Name}}' "$victim")
killed_at=$(date +%s.%N)
podman kill "$victim" >/dev/null
say "killed $victim_name (SIGKILL)"
lg=0
wait "$loadgen" || lg=$?
[ -f "$report" ] || fail "loadgen wrote no report (exit $lg)"
# Recovery: the submissions in flight at the kill, and how long after it the
# last of them got its verdict.
python3 - "$report" "$killed_at" <<'EOF'
import json, sys
from datetime import datetime
rep = json.load(open(sys.argv[1]))
started = datetime.fromisoformat(rep["started_at"].replace("Z", "+00:00")).timestamp() * 1000
kill = float(sys.argv[2]) * 1000 - started
subs = rep["submissions"]
c = rep["counts"]
print(f"  loadgen: {c['submitted']} submitted, {c['finished']} final, {c['wrong_results']} wrong results, "
      f"{c['unfinished']} unfinished; verdicts {rep['verdicts']}")
lat = rep["latency"]["submit_to_verdict"]
print(f"  submit to verdict: p50 {lat['p50_ms']:.0f} ms, p90 {lat['p90_ms']:.0f} ms, max {lat.get('max_ms', 0):.0f} ms")
before = sorted(s["verdict_ms"] for s in subs if s["verdict_ms"] is not None and s["submit_ms"] + s["verdict_ms"] < kill)
inflight = [s for s in subs if s["submit_ms"] < kill and (s["verdict_ms"] is None or s["submit_ms"] + s["verdict_ms"] >= kill)]
done = [s["submit_ms"] + s["verdict_ms"] - kill for s in inflight if s["verdict_ms"] is not None]
if before:
    print(f"  before the kill: {len(before)} judged, submit to verdict p50 {before[len(before)//2]:.0f} ms")
if inflight:
    print(f"  in flight at the kill: {len(inflight)}, all judged {max(done)/1000:.1f} s after it" if len(done) == len(inflight)
          else f"  in flight at the kill: {len(inflight)}, {len(inflight)-len(done)} never judged")
after = [s["verdict_ms"] for s in subs if s["submit_ms"] >= kill and s["verdict_ms"] is not None]
if after:
    print(f"  submitted after the kill: {len(after)}, submit to verdict max {max(after)/1000:.1f} s")
# The longest time without any verdict, before and after the kill: how long
# judging stalled while the groups and queues moved to the other processors.
times = sorted(s["submit_ms"] + s["verdict_ms"] for s in subs if s["verdict_ms"] is not None)
def gap(ts, start):
    best, prev = 0.0, start
    for t in ts:
        best, prev = max(best, t - prev), t
    return best
pre = [t for t in times if t < kill]
post = [t for t in times if t >= kill]
if pre and post:
    print(f"  longest time without a verdict: {gap(pre[1:], pre[0])/1000:.1f} s before the kill, "
          f"{gap(post, kill)/1000:.1f} s after it (first verdict {(post[0]-kill)/1000:.1f} s after the kill)")
EOF
[ "$lg" -eq 0 ] || fail "loadgen exited $lg: not every submission got its expected verdict (report: .containers/loadgen.json)"
restarted=$(podman inspect -f '{{.State.Running}} {{.RestartCount}}' "$victim" 2>/dev/null || echo "gone")
say "every submission judged as expected with a processor killed ($victim_name after the kill: running restarts = $restarted)"
