#!/bin/bash
# Starts the broker as apache/kafka's image does, from the environment:
#   KAFKA_<NAME>   the server property <name>: lower case, "_" -> ".",
#                  "__" -> "_", "___" -> "-" (KAFKA_NODE_ID -> node.id,
#                  KAFKA_LOG_DIRS -> log.dirs); every property the node needs
#                  must be given (docker-compose.yml gives them)
#   CLUSTER_ID     formats the storage in log.dirs on first start (a
#                  formatted storage is left as it is)
#   KAFKA_HEAP_OPTS  the JVM's heap (default -Xms256m -Xmx1g), KAFKA_OPTS more
#                  JVM options
# These, like KAFKA_JMX_* and KAFKA_LOG4J_*, are the JVM's, not properties.
set -euo pipefail

conf=/opt/kafka/config/server.properties
cp=(-cp '/opt/kafka/libs/*')
log=(-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties)

: >"$conf"
n=0
while IFS='=' read -r -d '' name value; do
  case $name in
  KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_GC_LOG_OPTS | KAFKA_VERSION | KAFKA_JMX_* | KAFKA_LOG4J_* | KAFKA_TOOLS_*) continue ;;
  KAFKA_*) ;;
  *) continue ;;
  esac
  key=${name#KAFKA_}
  key=${key,,}
  key=${key//___/-}
  key=${key//__/@}
  key=${key//_/.}
  key=${key//@/_}
  printf '%s=%s\n' "$key" "$value" >>"$conf"
  n=$((n + 1))
done < <(env -0)
if [ "$n" -eq 0 ]; then
  echo "kafka: no KAFKA_* server property in the environment (docker-compose.yml sets them)" >&2
  exit 2
fi
echo "kafka: $n server properties from the environment"

if [ -z "${CLUSTER_ID:-}" ]; then
  echo "kafka: CLUSTER_ID is required to format the storage (any base64url UUID)" >&2
  exit 2
fi
java -Xmx256m "${log[@]}" "${cp[@]}" kafka.tools.StorageTool format --ignore-formatted \
  -t "$CLUSTER_ID" -c "$conf"

# shellcheck disable=SC2086 # the options are lists of words
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g} -XX:+UseG1GC -Djava.awt.headless=true \
  "${log[@]}" ${KAFKA_OPTS:-} "${cp[@]}" kafka.Kafka "$conf"
