#!/usr/bin/env bash
# Runs the sandbox's tests under the restrictions the Helm chart gives the
# processor container, as far as a host without Kubernetes can: a read-only
# root filesystem with a fresh writable /tmp (the chart's emptyDirs),
# no_new_privs (allowPrivilegeEscalation: false), and only the capabilities of
# values.yaml's processor.sandbox.capabilities. Not covered: the pod's user
# namespace (hostUsers: false), the runtime's masked /proc and seccomp and
# AppArmor profiles (the chart unmasks or unconfines them; the host has none).
# Needs root, unshare and setpriv (util-linux). Not part of make test: it
# builds the sandbox's tests and runs every language (minutes).
#
#   sudo scripts/chart/sandbox-as-pod.sh                       # TestBehaviour's bwrap mode
#   sudo scripts/chart/sandbox-as-pod.sh -test.run TestRunsIsolated -test.v
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${1:-}" != --inside ]; then
  mkdir -p bin
  # Not under /tmp, which the restricted run replaces.
  bin=$(mktemp -d "$PWD/bin/sandbox-as-pod.XXXXXX")
  chmod 755 "$bin" # the boxes' uids read the helper from here
  trap 'rm -rf "$bin"' EXIT
  go test -c -o "$bin/sandbox.test" ./sandbox
  CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$bin/codementor-sandbox-init" ./cmd/sandbox-init
  [ $# -gt 0 ] || set -- -test.run 'TestBehaviour/^bwrap$/' -test.v
  unshare --mount --propagation private "$0" --inside "$bin" "$@"
  exit
fi
shift
bin=$1
shift
# In this mount namespace only.
mount -o remount,bind,ro /
mount -t tmpfs -o mode=1777 tmpfs /tmp
caps=$(sed -n '/^    capabilities: \[/{s/.*\[\(.*\)\].*/\1/;s/ //g;p}' deploy/helm/codementor/values.yaml | tr 'A-Z' 'a-z')
bounding="-all$(printf ',+%s' ${caps//,/ })"
echo "sandbox-as-pod: read-only root, no_new_privs, capabilities $caps"
exec setpriv --no-new-privs --inh-caps -all --ambient-caps -all --bounding-set "$bounding" \
  env CODEMENTOR_SANDBOX_INIT="$bin/codementor-sandbox-init" "$bin/sandbox.test" "$@"
