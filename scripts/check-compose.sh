#!/usr/bin/env bash
# Checks docker-compose.yml with the compose tool's own validation
# (`config -q`: syntax, schema, interpolation), without a Docker engine and
# without building or starting anything. Installs nothing: it uses
# `docker compose` (v2) if it works, else `docker-compose` (1.29 from Debian
# bookworm: apt-get install docker-compose), else fails.
#
#   scripts/check-compose.sh        from any directory
set -euo pipefail
cd "$(dirname "$0")/.."

# Required variables get dummy values for the check (a value already set is
# checked as it is).
export CODEMENTOR_JWT_SECRET="${CODEMENTOR_JWT_SECRET:-check-compose-dummy-secret-0123456789abcdef}"

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "check-compose: no compose tool is installed (neither 'docker compose' nor 'docker-compose');" >&2
  echo "check-compose: on Debian: apt-get install docker-compose" >&2
  exit 1
fi
echo "check-compose: $("${compose[@]}" version 2>/dev/null | head -n1)"

# The file as it is, and with the processors' opt-in privileged mode.
"${compose[@]}" -f docker-compose.yml config -q
CODEMENTOR_PROCESSOR_PRIVILEGED=true "${compose[@]}" -f docker-compose.yml config -q
echo "check-compose: docker-compose.yml is valid"
