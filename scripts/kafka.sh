#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft: broker and controller in one JVM) on
# loopback, from the broker jars on Maven Central.
#
#   scripts/kafka.sh up           fetch the jars (once), format the storage (once), start, wait until ready
#   scripts/kafka.sh down         stop it
#   scripts/kafka.sh status       say whether it runs and answers
#   scripts/kafka.sh run CMD...   a throwaway broker with empty storage for CMD, stopped afterwards;
#                                 CMD sees KAFKA_BROKERS=127.0.0.1:<port>
#
# Settings (environment): KAFKA_DIR (the instance's directory: data, log, pid;
# default .kafka/dev), KAFKA_PORT (default 9092), KAFKA_CONTROLLER_PORT
# (default KAFKA_PORT+1). The jars are cached in .kafka/libs for every
# instance. Needs Java 17+, Maven and kcat.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/scripts/kafka
libs=$root/.kafka/libs
dir=${KAFKA_DIR:-$root/.kafka/dev}
port=${KAFKA_PORT:-9092}
ctrl=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
pidfile=$dir/broker.pid
log=$dir/broker.log
props=$dir/server.properties

say() { echo "kafka: $*"; }
fail() {
  echo "kafka: $*" >&2
  exit 1
}

# fetch copies the broker's classpath from Maven Central into $libs, unless
# the jars of the current pom are already there.
fetch() {
  local want
  want=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
  if [ -f "$libs/.pom.sha256" ] && [ "$(cat "$libs/.pom.sha256")" = "$want" ]; then
    return
  fi
  say "fetching the broker jars from Maven Central (once)"
  rm -rf "$libs.tmp"
  mkdir -p "$root/.kafka"
  mvn -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs.tmp" \
    >"$root/.kafka/mvn.log" 2>&1 ||
    { tail -n 30 "$root/.kafka/mvn.log" >&2; fail "could not fetch the broker jars (above: the end of .kafka/mvn.log)"; }
  rm -rf "$libs"
  mv "$libs.tmp" "$libs"
  echo "$want" >"$libs/.pom.sha256"
}

pid() { [ -f "$pidfile" ] && cat "$pidfile"; }
alive() { local p; p=$(pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
# answers asks for the cluster's metadata: a real Kafka request.
answers() { kcat -b "127.0.0.1:$port" -L -m 2 >/dev/null 2>&1; }
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

up() {
  if alive; then
    if answers; then
      say "already running on 127.0.0.1:$port (log: $log)"
      return
    fi
  else
    rm -f "$pidfile"
    for p in "$port" "$ctrl"; do
      port_taken "$p" && fail "127.0.0.1:$p is in use by another process (is 'make run' running? its embedded broker listens on 9092): stop it or set KAFKA_PORT"
    done
    command -v java >/dev/null || fail "java (17 or newer) is required"
    command -v mvn >/dev/null || fail "mvn is required to fetch the broker jars"
    command -v kcat >/dev/null || fail "kcat is required to check the broker"
    fetch
    mkdir -p "$dir/data"
    sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$ctrl|g" -e "s|@DATA@|$dir/data|g" \
      "$here/server.properties.in" >"$props"
    if [ ! -f "$dir/data/meta.properties" ]; then
      local id
      id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
      java -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$libs/*" \
        kafka.tools.StorageTool format -t "$id" -c "$props" >>"$log" 2>&1 ||
        { tail -n 30 "$log" >&2; fail "formatting the storage in $dir/data failed (above: the end of $log)"; }
    fi
    say "starting Apache Kafka on 127.0.0.1:$port (controller :$ctrl, data $dir/data)"
    # setsid: the broker outlives this script and a Ctrl-C meant for make.
    setsid java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$here/log4j2.properties" \
      -cp "$libs/*" kafka.Kafka "$props" >>"$log" 2>&1 </dev/null &
    echo $! >"$pidfile"
  fi
  for _ in $(seq 1 240); do
    if answers; then
      say "ready on 127.0.0.1:$port (log: $log)"
      return
    fi
    alive || { tail -n 40 "$log" >&2; rm -f "$pidfile"; fail "the broker exited while starting (above: the end of $log)"; }
    sleep 0.25
  done
  tail -n 40 "$log" >&2
  down
  fail "the broker did not answer within 60 s (above: the end of $log)"
}

down() {
  if ! alive; then
    rm -f "$pidfile"
    say "not running ($dir)"
    return
  fi
  local p
  p=$(pid)
  kill -TERM "$p"
  for _ in $(seq 1 120); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$p" 2>/dev/null; then
    say "no clean stop within 30 s: killing it"
    kill -KILL "$p" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "stopped"
}

status() {
  if alive && answers; then
    say "running on 127.0.0.1:$port, pid $(pid) (log: $log)"
  elif alive; then
    say "started (pid $(pid)) but not answering on 127.0.0.1:$port (log: $log)"
    return 1
  else
    say "not running ($dir)"
    return 1
  fi
}

# run starts a broker with empty storage, runs the command, and stops it,
# whatever the command's outcome, which it returns.
run() {
  [ $# -gt 0 ] || fail "run needs a command"
  if alive; then
    down
  fi
  rm -rf "$dir/data" "$log"
  up
  local rc=0
  KAFKA_BROKERS=127.0.0.1:$port "$@" || rc=$?
  down
  return $rc
}

cmd=${1:-}
shift || true
case $cmd in
up) up ;;
down) down ;;
status) status ;;
run) run "$@" ;;
*)
  echo "usage: scripts/kafka.sh up|down|status|run CMD..." >&2
  exit 2
  ;;
esac
