#!/usr/bin/env bash
# Apache Kafka on loopback from the broker jars on Maven Central, in KRaft
# mode (each JVM a broker and a controller): a single node, or a cluster of
# KAFKA_NODES brokers for replication and failover.
#
#   scripts/kafka.sh up              fetch the jars (once), format the storage (once), start, wait until ready;
#                                    a cluster's last line is "bootstrap 127.0.0.1:<port>,127.0.0.1:<port>,..."
#   scripts/kafka.sh down            stop every broker of KAFKA_DIR
#   scripts/kafka.sh status          say whether each broker runs and answers
#   scripts/kafka.sh run CMD...      a throwaway instance with empty storage for CMD, stopped afterwards;
#                                    CMD sees KAFKA_BROKERS=127.0.0.1:<port>[,...] (the bootstrap list)
#                                    and KAFKA_NODES (the number of brokers)
#   scripts/kafka.sh broker-kill N   SIGKILL broker N (1..KAFKA_NODES) and wait until it is gone
#   scripts/kafka.sh broker-start N  start broker N again on its data, wait until it answers on its port
#   scripts/kafka.sh leader TOPIC    print the node id of the broker leading the most partitions of TOPIC
#   scripts/kafka.sh fetch           only fetch the jars into .kafka/libs (once): the container image's
#                                    (scripts/test-containers.sh)
#
# Settings (environment):
#   KAFKA_NODES  how many brokers `up` and `run` start (default 1; `make kafka-up KAFKA_BROKERS=3`
#                sets it). In this script and for CMD, KAFKA_BROKERS is the bootstrap list, never a
#                count. The other commands, and `up` without KAFKA_NODES, act on what KAFKA_DIR holds.
#   KAFKA_DIR    the instance's directory (default .kafka/dev). A single node keeps data/,
#                broker.log, broker.pid and server.properties in it; broker N of a cluster keeps
#                them in KAFKA_DIR/broker-N.
#   KAFKA_PORT   broker 1's client port (default 9092); broker N's is KAFKA_PORT+N-1.
#   KAFKA_CONTROLLER_PORT  broker 1's controller port (default KAFKA_PORT+KAFKA_NODES, after the
#                client ports); broker N's is KAFKA_CONTROLLER_PORT+N-1.
#   Ports by default: one node 9092 (controller 9093); three 9092-9094 (controllers 9095-9097).
# A cluster of three or more has three replicas of everything and min.insync.replicas=2
# (scripts/kafka/server-cluster.properties.in); its JVMs get -Xmx768m each, a single node -Xmx1g.
# The jars are cached in .kafka/libs for every instance. Needs Java 17+, Maven and kcat.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/scripts/kafka
libs=$root/.kafka/libs
dir=${KAFKA_DIR:-$root/.kafka/dev}
port=${KAFKA_PORT:-9092}

say() { echo "kafka: $*"; }
fail() {
  echo "kafka: $*" >&2
  exit 1
}

# nodes_in_dir prints how many brokers $dir holds: N for broker-1..broker-N,
# 1 for a single node, 0 for none yet.
nodes_in_dir() {
  local n=0
  while [ -d "$dir/broker-$((n + 1))" ]; do n=$((n + 1)); done
  if [ "$n" -eq 0 ] && { [ -d "$dir/data" ] || [ -f "$dir/broker.pid" ]; }; then n=1; fi
  echo "$n"
}

# Broker I's directory, and its ports by the settings.
bdir() { if [ "$nodes" -eq 1 ]; then echo "$dir"; else echo "$dir/broker-$1"; fi; }
client_port() { echo $((port + $1 - 1)); }
controller_port() { echo $((ctrl + $1 - 1)); }
# listener_port I LISTENER prints the port broker I's server.properties gives
# LISTENER, or the port by the settings when it has none yet.
listener_port() {
  local f p=
  f=$(bdir "$1")/server.properties
  if [ -f "$f" ]; then
    p=$(sed -n "s|^listeners=.*$2://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p" "$f")
  fi
  if [ -n "$p" ]; then
    echo "$p"
  elif [ "$2" = PLAINTEXT ]; then
    client_port "$1"
  else
    controller_port "$1"
  fi
}
port_of() { listener_port "$1" PLAINTEXT; }
# name I: how messages call broker I.
name() { if [ "$nodes" -eq 1 ]; then echo "the broker"; else echo "broker $1"; fi; }
bootstrap() {
  local i list=
  for i in $(seq 1 "$nodes"); do list=$list${list:+,}127.0.0.1:$(port_of "$i"); done
  echo "$list"
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

# pid_in and alive_in take a broker's directory; pid and alive its number.
pid_in() { [ -f "$1/broker.pid" ] && cat "$1/broker.pid"; }
# running PID: the process is there, and not a zombie (gone, not yet reaped).
running() {
  local s
  s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case $s in Z*) return 1 ;; esac
}
alive_in() {
  local p
  p=$(pid_in "$1") && [ -n "$p" ] && running "$p"
}
# gone_in: the broker of the directory runs no more and its ports are closed
# (a killed JVM shows as a zombie while its threads still exit and hold them).
gone_in() {
  local p
  if alive_in "$1"; then return 1; fi
  for p in $(sed -n 's|^listeners=||p' "$1/server.properties" 2>/dev/null | tr ',' '\n' | sed 's|.*:||'); do
    if port_taken "$p"; then return 1; fi
  done
}
pid() { pid_in "$(bdir "$1")"; }
alive() { alive_in "$(bdir "$1")"; }
# answers asks broker I for the cluster's metadata: a real Kafka request.
answers() { kcat -b "127.0.0.1:$(port_of "$1")" -L -m 2 >/dev/null 2>&1; }
# ready: broker I answers and knows every broker of the cluster.
ready() {
  local md
  md=$(kcat -b "127.0.0.1:$(port_of "$1")" -L -m 2 2>/dev/null) && grep -q "^ $nodes brokers:" <<<"$md"
}
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# configure writes broker I's server.properties from the settings.
configure() {
  local i=$1 d voters= j
  d=$(bdir "$i")
  mkdir -p "$d/data"
  if [ "$nodes" -eq 1 ]; then
    sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$ctrl|g" -e "s|@DATA@|$d/data|g" \
      "$here/server.properties.in" >"$d/server.properties"
    return
  fi
  for j in $(seq 1 "$nodes"); do voters=$voters${voters:+,}$j@127.0.0.1:$(controller_port "$j"); done
  local replicas=$((nodes < 3 ? nodes : 3))
  local min_isr=$((replicas > 1 ? replicas - 1 : 1))
  sed -e "s|@NODE_ID@|$i|g" -e "s|@VOTERS@|$voters|g" -e "s|@PORT@|$(client_port "$i")|g" \
    -e "s|@CONTROLLER_PORT@|$(controller_port "$i")|g" -e "s|@DATA@|$d/data|g" \
    -e "s|@REPLICAS@|$replicas|g" -e "s|@MIN_ISR@|$min_isr|g" \
    "$here/server-cluster.properties.in" >"$d/server.properties"
}

# format formats broker I's storage, once, with cluster id $2.
format() {
  local d
  d=$(bdir "$1")
  [ -f "$d/data/meta.properties" ] && return
  java -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$libs/*" \
    kafka.tools.StorageTool format -t "$2" -c "$d/server.properties" >>"$d/broker.log" 2>&1 ||
    { tail -n 30 "$d/broker.log" >&2; fail "formatting the storage in $d/data failed (above: the end of $d/broker.log)"; }
}

# cluster_id prints the id an existing broker's storage was formatted with,
# or a new one.
cluster_id() {
  local i f
  for i in $(seq 1 "$nodes"); do
    f=$(bdir "$i")/data/meta.properties
    if [ -f "$f" ]; then
      sed -n 's/^cluster\.id=//p' "$f"
      return
    fi
  done
  java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1
}

# launch starts broker I's JVM from its server.properties.
launch() {
  local d heap
  d=$(bdir "$1")
  # Three JVMs share the machine: a smaller heap each.
  if [ "$nodes" -eq 1 ]; then heap=-Xmx1g; else heap=-Xmx768m; fi
  # setsid: the broker outlives this script and a Ctrl-C meant for make.
  setsid java -Xms256m "$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.properties" \
    -cp "$libs/*" kafka.Kafka "$d/server.properties" >>"$d/broker.log" 2>&1 </dev/null &
  echo $! >"$d/broker.pid"
  # No "Killed" notice from this shell when broker-kill ends it.
  disown
}

need_tools() {
  command -v java >/dev/null || fail "java (17 or newer) is required"
  command -v mvn >/dev/null || fail "mvn is required to fetch the broker jars"
  command -v kcat >/dev/null || fail "kcat is required to check the broker"
}

# wait_until CHECK I... waits until CHECK succeeds for every broker I, 60 s at
# most (a cluster: 120 s, its JVMs share the cores). If one exits or does not get there, it stops the brokers this command
# started (a single node: as down does) and fails.
started=()
wait_until() {
  local check=$1 i left
  shift
  local pending=("$@") limit=60
  if [ "$nodes" -gt 1 ]; then limit=120; fi
  for _ in $(seq 1 $((limit * 4))); do
    left=()
    for i in "${pending[@]}"; do
      "$check" "$i" && continue
      if ! alive "$i"; then
        tail -n 40 "$(bdir "$i")/broker.log" >&2
        rm -f "$(bdir "$i")/broker.pid"
        abandon
        fail "$(name "$i") exited while starting (above: the end of $(bdir "$i")/broker.log)"
      fi
      left+=("$i")
    done
    [ ${#left[@]} -eq 0 ] && return
    pending=("${left[@]}")
    sleep 0.25
  done
  i=${pending[0]}
  tail -n 40 "$(bdir "$i")/broker.log" >&2
  if [ "$nodes" -eq 1 ]; then down; else abandon; fi
  fail "$(name "$i") did not answer within $limit s (above: the end of $(bdir "$i")/broker.log)"
}

# abandon stops the brokers of a cluster this command started.
abandon() {
  local i dirs=()
  if [ "$nodes" -eq 1 ] || [ ${#started[@]} -eq 0 ]; then return 0; fi
  for i in "${started[@]}"; do dirs+=("$(bdir "$i")"); done
  stop "${dirs[@]}"
  [ "$nstopped" -eq 0 ] || say "stopped the $nstopped other broker(s) it started" >&2
}

up() {
  local found i id
  found=$(nodes_in_dir)
  if [ "$found" -gt 0 ] && [ "$found" -ne "$nodes" ]; then
    fail "$dir holds $(if [ "$found" -eq 1 ]; then echo "a single broker"; else echo "a cluster of $found brokers"; fi), not $nodes: start it with KAFKA_NODES=$found (make kafka-up KAFKA_BROKERS=$found), or stop it and delete $dir"
  fi
  local live=() stopped=()
  for i in $(seq 1 "$nodes"); do
    if alive "$i"; then live+=("$i"); else stopped+=("$i"); fi
  done
  if [ ${#stopped[@]} -eq 0 ] && [ "$nodes" -eq 1 ] && answers 1; then
    say "already running on 127.0.0.1:$(port_of 1) (log: $dir/broker.log)"
    return
  fi
  if [ ${#stopped[@]} -gt 0 ]; then
    # With none running, every broker gets the configuration of the current
    # settings; otherwise the stopped ones rejoin with the one they had.
    local fresh=$((${#live[@]} == 0))
    for i in "${stopped[@]}"; do
      rm -f "$(bdir "$i")/broker.pid"
      if [ "$fresh" -eq 0 ] && [ ! -f "$(bdir "$i")/server.properties" ]; then
        fail "$(name "$i") has no server.properties in $(bdir "$i"): stop the cluster (down) and start it again"
      fi
    done
    for i in "${stopped[@]}"; do
      local p c
      if [ "$fresh" -eq 1 ]; then
        p=$(client_port "$i") c=$(controller_port "$i")
      else
        p=$(port_of "$i") c=$(listener_port "$i" CONTROLLER)
      fi
      for p in "$p" "$c"; do
        port_taken "$p" && fail "127.0.0.1:$p is in use by another process (is 'make run' running? its embedded broker listens on 9092): stop it or set KAFKA_PORT"
      done
    done
    need_tools
    fetch
    if [ "$fresh" -eq 1 ]; then
      for i in "${stopped[@]}"; do configure "$i"; done
    fi
    id=
    for i in "${stopped[@]}"; do
      if [ ! -f "$(bdir "$i")/data/meta.properties" ]; then
        [ -n "$id" ] || id=$(cluster_id)
        format "$i" "$id"
      fi
    done
    for i in "${stopped[@]}"; do
      if [ "$nodes" -eq 1 ]; then
        say "starting Apache Kafka on 127.0.0.1:$port (controller :$ctrl, data $dir/data)"
      else
        say "starting broker $i of $nodes on 127.0.0.1:$(port_of "$i") (controller :$(listener_port "$i" CONTROLLER), data $(bdir "$i")/data)"
      fi
      launch "$i"
      started+=("$i")
    done
  fi
  if [ "$nodes" -eq 1 ]; then
    wait_until answers 1
    say "ready on 127.0.0.1:$(port_of 1) (log: $dir/broker.log)"
    return
  fi
  local all=()
  for i in $(seq 1 "$nodes"); do all+=("$i"); done
  wait_until ready "${all[@]}"
  if [ ${#stopped[@]} -eq 0 ]; then
    say "already running: $nodes brokers (logs: $dir/broker-N/broker.log)"
  else
    say "ready: $nodes brokers (logs: $dir/broker-N/broker.log)"
  fi
  echo "bootstrap $(bootstrap)"
}

# stop stops the brokers in the directories given, all at once: SIGTERM,
# then SIGKILL after 30 s. One by one, the last of a cluster would wait for
# minutes: a broker's controlled shutdown needs the controllers' quorum. So
# once most of the cluster is gone, the rest get 5 s more, then SIGKILL.
# It sets nstopped to how many it stopped.
stop() {
  local d p n live quorumless=0 pids=() dirs=() members=()
  # The cluster's brokers (controllers too), if KAFKA_DIR holds a cluster.
  for d in "$dir"/broker-[0-9]*; do
    if [ -d "$d" ]; then members+=("$d"); fi
  done
  for d in "$@"; do
    if alive_in "$d"; then
      p=$(pid_in "$d")
      kill -TERM "$p"
      pids+=("$p")
      dirs+=("$d")
    fi
  done
  if [ ${#pids[@]} -gt 0 ]; then
    for _ in $(seq 1 120); do
      n=0
      for d in "${dirs[@]}"; do gone_in "$d" || n=$((n + 1)); done
      [ "$n" -eq 0 ] && break
      if [ ${#members[@]} -gt 1 ]; then
        live=0
        for d in "${members[@]}"; do
          if alive_in "$d"; then live=$((live + 1)); fi
        done
        if [ "$live" -le $((${#members[@]} / 2)) ]; then
          quorumless=$((quorumless + 1))
          [ "$quorumless" -lt 20 ] || break
        fi
      fi
      sleep 0.25
    done
    for p in "${pids[@]}"; do
      if running "$p"; then
        if [ "$quorumless" -ge 20 ]; then
          say "pid $p cannot finish its controlled shutdown without a controller quorum: killing it"
        else
          say "no clean stop within 30 s: killing $(if [ "$nodes" -eq 1 ]; then echo it; else echo "pid $p"; fi)"
        fi
        kill -KILL "$p" 2>/dev/null || true
      fi
    done
    # (after a SIGKILL, until its ports are free for the next start)
    for _ in $(seq 1 40); do
      n=0
      for d in "${dirs[@]}"; do gone_in "$d" || n=$((n + 1)); done
      [ "$n" -eq 0 ] && break
      sleep 0.25
    done
  fi
  for d in "$@"; do rm -f "$d/broker.pid"; done
  nstopped=${#pids[@]}
}

# down stops every broker KAFKA_DIR holds.
down() {
  local d n dirs=("$dir")
  for d in "$dir"/broker-[0-9]*; do
    if [ -d "$d" ]; then dirs+=("$d"); fi
  done
  stop "${dirs[@]}"
  n=$nstopped
  if [ "$n" -eq 0 ]; then
    say "not running ($dir)"
  elif [ ${#dirs[@]} -eq 1 ]; then
    say "stopped"
  else
    say "stopped $n brokers ($dir)"
  fi
}

status() {
  local i rc=0
  if [ "$nodes" -eq 1 ]; then
    if alive 1 && answers 1; then
      say "running on 127.0.0.1:$(port_of 1), pid $(pid 1) (log: $dir/broker.log)"
    elif alive 1; then
      say "started (pid $(pid 1)) but not answering on 127.0.0.1:$(port_of 1) (log: $dir/broker.log)"
      return 1
    else
      say "not running ($dir)"
      return 1
    fi
    return
  fi
  for i in $(seq 1 "$nodes"); do
    if alive "$i" && answers "$i"; then
      say "broker $i running on 127.0.0.1:$(port_of "$i"), pid $(pid "$i") (log: $(bdir "$i")/broker.log)"
    elif alive "$i"; then
      say "broker $i started (pid $(pid "$i")) but not answering on 127.0.0.1:$(port_of "$i") (log: $(bdir "$i")/broker.log)"
      rc=1
    else
      say "broker $i not running ($(bdir "$i"))"
      rc=1
    fi
  done
  return $rc
}

# run starts an instance with empty storage, runs the command, and stops it,
# whatever the command's outcome, which it returns.
run() {
  [ $# -gt 0 ] || fail "run needs a command"
  local d
  for d in "$dir" "$dir"/broker-[0-9]*; do
    if alive_in "$d"; then
      down
      break
    fi
  done
  rm -rf "$dir/data" "$dir/broker.log" "$dir"/broker-[0-9]*
  up
  local rc=0
  KAFKA_BROKERS=$(bootstrap) KAFKA_NODES=$nodes "$@" || rc=$?
  down
  return $rc
}

# broker_number checks that $1 names a broker of the cluster.
broker_number() {
  case ${1:-} in
  '' | *[!0-9]*) fail "which broker? a number from 1 to $nodes" ;;
  esac
  if [ "$1" -lt 1 ] || [ "$1" -gt "$nodes" ]; then fail "no broker $1: $dir holds $nodes"; fi
}

broker_kill() {
  broker_number "${1:-}"
  local i=$1 p
  if ! alive "$i"; then fail "$(name "$i") is not running ($(bdir "$i"))"; fi
  p=$(pid "$i")
  kill -KILL "$p"
  for _ in $(seq 1 120); do
    gone_in "$(bdir "$i")" && break
    sleep 0.25
  done
  gone_in "$(bdir "$i")" || fail "$(name "$i") (pid $p) is still there 30 s after SIGKILL"
  rm -f "$(bdir "$i")/broker.pid"
  say "killed $(name "$i") (pid $p, 127.0.0.1:$(port_of "$i"))"
}

broker_start() {
  broker_number "${1:-}"
  local i=$1 p c
  if alive "$i"; then
    wait_until answers "$i"
    say "$(name "$i") already running on 127.0.0.1:$(port_of "$i"), pid $(pid "$i")"
    return
  fi
  if [ ! -f "$(bdir "$i")/data/meta.properties" ] || [ ! -f "$(bdir "$i")/server.properties" ]; then
    fail "$(name "$i") has no formatted storage in $(bdir "$i"): start the cluster with up first"
  fi
  p=$(port_of "$i") c=$(listener_port "$i" CONTROLLER)
  for p in "$p" "$c"; do
    port_taken "$p" && fail "127.0.0.1:$p is in use by another process"
  done
  need_tools
  say "starting $(name "$i") on 127.0.0.1:$(port_of "$i") (controller :$c, data $(bdir "$i")/data)"
  launch "$i"
  started=("$i")
  wait_until answers "$i"
  say "$(name "$i") is ready on 127.0.0.1:$(port_of "$i") (log: $(bdir "$i")/broker.log)"
}

# leader prints the node id of the broker leading the most partitions of the
# topic (the lowest id on a tie), asking the first broker that answers.
leader() {
  [ $# -eq 1 ] || fail "leader needs a topic"
  local i md id
  command -v kcat >/dev/null || fail "kcat is required"
  for i in $(seq 1 "$nodes"); do
    alive "$i" || continue
    md=$(kcat -b "127.0.0.1:$(port_of "$i")" -L -t "$1" -m 5 2>/dev/null) || continue
    # kcat -L: "    partition 0, leader 2, replicas: 2,3,1, isrs: 2,3,1"
    id=$(awk '$1 == "partition" && $3 == "leader" {
                l = $4; sub(/,$/, "", l)
                if (l >= 0) n[l]++
              }
              END {
                for (l in n) if (best == "" || n[l] > n[best] || (n[l] == n[best] && l + 0 < best + 0)) best = l
                if (best == "") exit 1
                print best
              }' <<<"$md") || fail "topic $1: no such topic, or no partition has a leader"
    echo "$id"
    return
  done
  fail "no broker of $dir answers"
}

cmd=${1:-}
shift || true
if [ -n "${KAFKA_NODES:-}" ]; then
  case $KAFKA_NODES in
  *[!0-9]* | 0*) fail "KAFKA_NODES (make: KAFKA_BROKERS) is a number of brokers from 1 to 9, not '$KAFKA_NODES'" ;;
  esac
  [ "$KAFKA_NODES" -le 9 ] || fail "KAFKA_NODES: at most 9 brokers"
fi
# up and run start KAFKA_NODES brokers; the other commands act on what
# KAFKA_DIR holds.
found=$(nodes_in_dir)
case $cmd in
run) nodes=${KAFKA_NODES:-1} ;;
up) nodes=${KAFKA_NODES:-$((found > 0 ? found : 1))} ;;
*) nodes=$((found > 0 ? found : ${KAFKA_NODES:-1})) ;;
esac
ctrl=${KAFKA_CONTROLLER_PORT:-$((port + nodes))}

case $cmd in
up) up ;;
down) down ;;
status) status ;;
run) run "$@" ;;
broker-kill) broker_kill "$@" ;;
broker-start) broker_start "$@" ;;
leader) leader "$@" ;;
fetch)
  command -v mvn >/dev/null || fail "mvn is required to fetch the broker jars"
  fetch
  ;;
*)
  echo "usage: scripts/kafka.sh up|down|status|run CMD...|broker-kill N|broker-start N|leader TOPIC|fetch" >&2
  exit 2
  ;;
esac
