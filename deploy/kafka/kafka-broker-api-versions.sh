#!/bin/sh
# What apache/kafka's bin/kafka-broker-api-versions.sh runs: docker-compose.yml's
# health check of the kafka service calls it by this path. A small JVM that
# starts fast: it runs every few seconds beside the broker.
exec java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
  -cp '/opt/kafka/libs/*' org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
