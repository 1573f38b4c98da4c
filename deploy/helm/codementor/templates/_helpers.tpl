{{/*
Names. fullname is <release>-codementor unless the release's name already
holds the chart's; every resource is fullname-<role>.
*/}}
{{- define "codementor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "codementor.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "codementor.labels" -}}
app.kubernetes.io/name: {{ include "codementor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{ include "codementor.commonLabels" . }}
{{- end }}

{{/* The labels beside the selector labels (a pod template's). */}}
{{- define "codementor.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: codementor
{{- end }}

{{/* Selector labels of one role: (dict "ctx" $ "role" "web"). */}}
{{- define "codementor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "codementor.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "codementor.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The Strimzi Kafka's name. */}}
{{- define "codementor.kafkaName" -}}
{{- printf "%s-kafka" (include "codementor.fullname" .) | trunc 50 | trimSuffix "-" }}
{{- end }}

{{/* CODEMENTOR_BROKERS: the Strimzi cluster's bootstrap service, or the values'. */}}
{{- define "codementor.brokers" -}}
{{- if .Values.kafka.strimzi.enabled }}
{{- printf "%s-kafka-bootstrap.%s.svc:9092" (include "codementor.kafkaName" .) .Release.Namespace }}
{{- else }}
{{- required "kafka.bootstrapServers is required (host:port of your Kafka brokers), or set kafka.strimzi.enabled=true" .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{/* The Secret holding the JWT secret, and the one holding the LLM key. */}}
{{- define "codementor.jwtSecretName" -}}
{{- .Values.auth.existingSecret | default (printf "%s-secrets" (include "codementor.fullname" .)) }}
{{- end }}
{{- define "codementor.jwtSecretKey" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretKey }}{{ else }}jwt-secret{{ end }}
{{- end }}
{{- define "codementor.reviewSecretName" -}}
{{- .Values.review.existingSecret | default (printf "%s-secrets" (include "codementor.fullname" .)) }}
{{- end }}
{{- define "codementor.reviewSecretKey" -}}
{{- if .Values.review.existingSecret }}{{ .Values.review.existingSecretKey }}{{ else }}openai-api-key{{ end }}
{{- end }}
{{/* Whether the processors get OPENAI_API_KEY at all. */}}
{{- define "codementor.reviewKeySet" -}}
{{- if or .Values.review.existingSecret .Values.review.apiKey }}true{{ end }}
{{- end }}

{{/*
The checks a schema cannot express, run by every template that includes
them (so `helm template -s` of any one file fails the same way).
*/}}
{{- define "codementor.validate" -}}
{{- if not .Values.auth.existingSecret }}
{{- $s := required "auth.jwtSecret is required (at least 32 bytes: openssl rand -hex 32), or name a Secret of yours in auth.existingSecret" .Values.auth.jwtSecret }}
{{- if lt (len $s) 32 }}
{{- fail (printf "auth.jwtSecret must be at least 32 bytes, got %d (openssl rand -hex 32)" (len $s)) }}
{{- end }}
{{- end }}
{{- $a := .Values.processor.autoscaling }}
{{- if and $a.enabled (lt (int $a.maxReplicas) (int $a.minReplicas)) }}
{{- fail (printf "processor.autoscaling.maxReplicas (%v) must be at least minReplicas (%v)" $a.maxReplicas $a.minReplicas) }}
{{- end }}
{{- if and .Values.processor.sandbox.userNamespace .Values.processor.sandbox.privileged }}
{{- fail "processor.sandbox.privileged and processor.sandbox.userNamespace exclude each other: a privileged pod runs in the node's user namespace (set userNamespace=false)" }}
{{- end }}
{{- if and (not .Values.processor.sandbox.userNamespace) (not .Values.processor.sandbox.privileged) }}
{{- fail "processor.sandbox: bwrap needs an unmasked /proc, which Kubernetes allows only in a user namespace (userNamespace=true, the default) or a privileged container (privileged=true)" }}
{{- end }}
{{- if and .Values.kafka.strimzi.enabled (gt (int .Values.kafka.replication) (int .Values.kafka.strimzi.replicas)) }}
{{- fail (printf "kafka.replication (%v) must not exceed kafka.strimzi.replicas (%v), the brokers" .Values.kafka.replication .Values.kafka.strimzi.replicas) }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (not .Values.kafka.strimzi.enabled) (not .Values.kafka.networkPolicy.cidrs) (not .Values.kafka.networkPolicy.peers) }}
{{- fail "kafka.networkPolicy: name where the brokers are (cidrs or peers), or the NetworkPolicies would let the pods reach any address on the Kafka port; or set networkPolicy.enabled=false" }}
{{- end }}
{{- $_ := include "codementor.brokers" . }}
{{- end }}

{{/* The environment every Kafka client role shares. */}}
{{- define "codementor.kafkaEnv" -}}
- name: CODEMENTOR_BROKERS
  value: {{ include "codementor.brokers" . | quote }}
- name: CODEMENTOR_PARTITIONS
  value: {{ .Values.kafka.partitions | quote }}
- name: CODEMENTOR_QUEUE_PARTITIONS
  value: {{ .Values.kafka.queuePartitions | quote }}
- name: CODEMENTOR_REPLICATION
  value: {{ .Values.kafka.replication | quote }}
- name: CODEMENTOR_STREAM_RETENTION
  value: {{ .Values.kafka.streamRetention | quote }}
- name: CODEMENTOR_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end }}

{{/* NetworkPolicy egress rules every role has: DNS and Kafka. */}}
{{- define "codementor.egressDNSAndKafka" -}}
- to:
    {{- toYaml .Values.networkPolicy.dns.peers | nindent 4 }}
  ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
- to:
    {{- if .Values.kafka.strimzi.enabled }}
    - podSelector:
        matchLabels:
          strimzi.io/cluster: {{ include "codementor.kafkaName" . }}
          strimzi.io/kind: Kafka
    {{- end }}
    {{- range .Values.kafka.networkPolicy.cidrs }}
    - ipBlock: {cidr: {{ . }}}
    {{- end }}
    {{- with .Values.kafka.networkPolicy.peers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - {protocol: TCP, port: {{ .Values.kafka.networkPolicy.port }}}
{{- end }}
