#!/bin/bash
# Runs the sandbox package's tests on a pure cgroup v2 hierarchy (memory,
# pids and cpu controllers), in a virtme-ng guest booted over a
# copy-on-write snapshot of this machine's root file system.
#
# For a machine whose own hierarchy cannot be moved to v2 (controllers held
# by cgroup v1). Needs, once:
#   apt-get update && apt-get install -y qemu-system-x86 linux-image-amd64
#   pip install virtme-ng
# Usage: scripts/cgroup2-vm.sh [go test flags...]   (default: -v)
# Env: KERNEL (default: newest /boot/vmlinuz-*), MEM (4G), CPUS (2),
#      ACCEL=kvm|tcg (default tcg: this machine's /dev/kvm is PVM, which boots
#      only PVM-enabled guest kernels; a stock kernel hangs in early boot).
# Nothing under the repository or $HOME is written: /work/main, the Go build
# and module caches are copy-on-write overlays in the guest, /tmp is a tmpfs.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)

# In the guest (the script runs itself there: a command on the kernel's
# command line is limited to about 2 KiB).
if [ "${1:-}" = --in-guest ]; then
shift
set +e
echo "guest kernel: $(uname -r)"
mount -t tmpfs -o mode=1777,size=2g tmpfs /tmp
grep -q '^cgroup2 /sys/fs/cgroup ' /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
echo "mounts: $(grep cgroup /proc/mounts | tr '\n' ';')"
echo "cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "own group: $(cat /proc/self/cgroup)"
export HOME=/tmp/h PATH=/usr/local/go/bin:/usr/bin:/bin:/usr/sbin:/sbin
export GOCACHE=$GOCACHE_HOST GOMODCACHE=$GOMODCACHE_HOST GOFLAGS=-mod=readonly GOPROXY=off GOTOOLCHAIN=local
mkdir -p $HOME
# Snapshots of the boxes' groups while the tests run.
( while sleep 3; do
    for d in /sys/fs/cgroup/codementor/run-*; do
      [ -d "$d" ] || continue
      echo "== $d: cpu.max=$(cat $d/cpu.max 2>&1) cpu.weight=$(cat $d/cpu.weight 2>&1) pids.max=$(cat $d/pids.max 2>&1) memory.max=$(cat $d/memory.max 2>&1) memory.swap.max=$(cat $d/memory.swap.max 2>&1) procs=$(wc -l < $d/cgroup.procs)"
      break
    done
  done > /tmp/cg-snapshots.txt 2>&1 ) &
snap=$!
cd "$repo"
start=$(date +%s)
go test -count=1 -timeout 90m "$@" ./sandbox/ > /tmp/test.log 2>&1
rc=$?
kill $snap 2>/dev/null
echo "go test exit status: $rc, $(( $(date +%s) - start ))s"
grep -E 'sandbox ready|using cgroup' /tmp/test.log | head -5
echo "--- /sys/fs/cgroup/cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
for f in cgroup.controllers cgroup.subtree_control cpu.weight cpu.max pids.max memory.max; do
  echo "--- /sys/fs/cgroup/codementor/$f: $(cat /sys/fs/cgroup/codementor/$f 2>&1)"
done
ls /sys/fs/cgroup/ | grep -i codementor || true
echo "--- box group snapshots (first 15):"; sort -u /tmp/cg-snapshots.txt | head -15
echo "--- test summary:"
grep -E '^\s*--- (PASS|FAIL|SKIP)' /tmp/test.log
echo "--- test output (failures and tail):"
grep -n -B2 -A25 -E '^\s*--- FAIL' /tmp/test.log | head -400
echo "--- full test log:"
cat /tmp/test.log
exit $rc
fi

kernel=${KERNEL:-$(ls -v /boot/vmlinuz-* | tail -n 1)}
mem=${MEM:-4G}
cpus=${CPUS:-2}
accel=()
[ "${ACCEL:-tcg}" = tcg ] && accel=(--disable-kvm)
gocache=$(PATH=$PATH:/usr/local/go/bin go env GOCACHE 2>/dev/null || echo /root/.cache/go-build)
gomodcache=$(PATH=$PATH:/usr/local/go/bin go env GOMODCACHE 2>/dev/null || echo /root/go/pkg/mod)
[ $# -gt 0 ] || set -- -v
guest="GOCACHE_HOST=$gocache GOMODCACHE_HOST=$gomodcache $repo/scripts/cgroup2-vm.sh --in-guest $(printf '%q ' "$@")"

cd "$repo"
log=${LOG:-/tmp/cgroup2-vm.log}
echo "guest output also in $log"
time vng "${accel[@]}" --run "$kernel" --cpus "$cpus" --memory "$mem" \
	--overlay-rwdir "$repo" --overlay-rwdir "$(dirname "$gocache")" --overlay-rwdir "$(dirname "$gomodcache")" \
	--exec "$guest" 2>&1 | tee "$log"
