#!/usr/bin/env bash
# Measures the pipeline as a deployment runs it: an embedded broker, N
# processor processes and one web process, all from bin/codementor, loaded by
# `codementor loadgen`. The report (table, JSON, SVG plot) goes to
# docs/bench/<name>.*.
#
#   scripts/scale-bench.sh NAME PROCESSORS MAX_CONCURRENT -- LOADGEN FLAGS...
#   scripts/scale-bench.sh p1 1 1 -- --rate 20 --duration 30s
#
# BENCH_PARTITIONS sets the topics' partition count (default 12); BENCH_KAFKA_PORT,
# BENCH_HTTP_PORT and BENCH_OPS_BASE (processor i serves /metrics on BASE+i)
# move the listeners (defaults 29092, 28080, 29100) so two runs can share a machine.
set -euo pipefail
cd "$(dirname "$0")/.."

name=$1 procs=$2 conc=$3
shift 3
[ "${1:-}" = "--" ] && shift

bin=bin/codementor
go build -o "$bin" ./cmd/codementor
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o bin/codementor-sandbox-init ./cmd/sandbox-init
work=$(mktemp -d)
kafka=127.0.0.1:${BENCH_KAFKA_PORT:-29092}
http=127.0.0.1:${BENCH_HTTP_PORT:-28080}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export CODEMENTOR_BROKERS=$kafka CODEMENTOR_PARTITIONS=${BENCH_PARTITIONS:-12} CODEMENTOR_LOG_LEVEL=warn
"$bin" broker --kafka-addr "$kafka" --data-dir "$work/broker" 2>"$work/broker.log" &
pids+=($!)
ops=()
for i in $(seq 1 "$procs"); do
  ops+=("127.0.0.1:$((${BENCH_OPS_BASE:-29100} + i))")
  "$bin" processor --max-concurrent "$conc" --data-dir "$work/p$i" --metrics-addr "${ops[-1]}" 2>"$work/p$i.log" &
  pids+=($!)
done
CODEMENTOR_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  "$bin" web --dev-auth --http-addr "$http" --data-dir "$work/web" 2>"$work/web.log" &
pids+=($!)
for _ in $(seq 1 600); do
  curl -sf "http://$http/readyz" >/dev/null && break
  sleep 0.2
done
curl -sf "http://$http/readyz" >/dev/null || { tail -20 "$work"/*.log; echo "scale-bench: not ready" >&2; exit 1; }
# The load starts once every processor runs every group (no rebalance left).
for o in "${ops[@]}"; do
  for _ in $(seq 1 600); do
    curl -sf "http://$o/readyz" >/dev/null && break
    sleep 0.2
  done
  curl -sf "http://$o/readyz" >/dev/null || { tail -20 "$work"/*.log; echo "scale-bench: processor $o not ready" >&2; exit 1; }
done

mkdir -p docs/bench
"$bin" loadgen --url "http://$http" --json "docs/bench/$name.json" --svg "docs/bench/$name.svg" "$@" | tee "docs/bench/$name.txt"
