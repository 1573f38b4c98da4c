#!/usr/bin/env bash
# Checks the Helm chart deploy/helm/codementor without a cluster:
#   1. `helm lint --strict` with each value set of the chart's ci/*.yaml;
#   2. `helm template` with each, then every rendered manifest validated with
#      `kubernetes-validate --strict` for each Kubernetes version below, and
#      every custom resource (ScaledObject, Kafka, KafkaNodePool,
#      ServiceMonitor) against its CRD's schema in third_party/, unknown
#      fields refused (scripts/chart/validate_crs.py);
#   3. what the chart promises of its manifests (NetworkPolicies, secrets,
#      security contexts, probes, autoscaling): scripts/chart/assert_rendered.py;
#   4. that bad values fail with the expected message, and that the
#      assertions reject manifests that break their promises
#      (deploy/helm/checks/): none of the above can pass vacuously.
# Needs bin/tools/helm and the venv .venv/chart, which
# `./scripts/install-deps.sh chart` installs; installs nothing itself.
#
#   scripts/check-chart.sh        from any directory
set -euo pipefail
cd "$(dirname "$0")/.."

chart=deploy/helm/codementor
checks=deploy/helm/checks
helm=bin/tools/helm
venv=.venv/chart
# The oldest Kubernetes the chart supports (Chart.yaml's kubeVersion: user
# namespaces on by default) and the first where they are stable.
kube_versions=(1.33.0 1.36.0)
# The release's name and namespace in every rendering.
release=(ci "$chart" --namespace codementor)
crds=(third_party/keda/keda.sh_scaledobjects.yaml
  third_party/strimzi/040-Crd-kafka.yaml third_party/strimzi/045-Crd-kafkanodepool.yaml
  third_party/prometheus-operator/monitoring.coreos.com_servicemonitors.yaml)

if [ ! -x "$helm" ] || [ ! -x "$venv/bin/kubernetes-validate" ]; then
  echo "check-chart: $helm or $venv is missing: run ./scripts/install-deps.sh chart" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "check-chart: $("$helm" version --template '{{.Version}}') ($(go version -m "$helm" | awk '$1 == "mod" { print $3 }')), kubernetes-validate $("$venv/bin/kubernetes-validate" --version)"

# 1-3: every value set must pass.
ci_files=("$chart"/ci/*.yaml)
for values in "${ci_files[@]}"; do
  name=$(basename "$values" .yaml)
  "$helm" lint --strict --quiet --kube-version "${kube_versions[-1]}" "$chart" -f "$values" >"$out/lint.txt" 2>&1 ||
    { cat "$out/lint.txt" >&2; echo "check-chart: helm lint failed with $values" >&2; exit 1; }
  "$helm" template "${release[@]}" --kube-version "${kube_versions[-1]}" -f "$values" >"$out/$name.yaml"
  for v in "${kube_versions[@]}"; do
    # Custom resources only draw a warning here ("Couldn't find schema"):
    # validate_crs.py checks them below.
    "$venv/bin/kubernetes-validate" --strict --quiet --no-warn -k "$v" "$out/$name.yaml" ||
      { echo "check-chart: $values: a manifest is invalid for Kubernetes $v" >&2; exit 1; }
  done
  "$venv/bin/python" scripts/chart/assert_rendered.py "$chart/values.yaml,$values" "$out/$name.yaml" >"$out/assert.txt" ||
    { cat "$out/assert.txt" >&2; exit 1; }
  echo "check-chart: $values: lint, $(grep -c '^kind:' "$out/$name.yaml") manifests valid for Kubernetes ${kube_versions[*]}, assertions hold"
done
"$venv/bin/python" scripts/chart/validate_crs.py "${crds[@]}" -- "$out"/*.yaml >"$out/crs.txt" ||
  { cat "$out/crs.txt" >&2; exit 1; }
echo "check-chart: $(tail -n1 "$out/crs.txt" | sed 's/^validate_crs: //')"
# Each CR kind the chart can render was seen at least once.
for kind in ScaledObject Kafka KafkaNodePool ServiceMonitor; do
  grep -q "^ok .*: $kind/" "$out/crs.txt" || { echo "check-chart: no value set rendered a $kind" >&2; exit 1; }
done

# 4. Must fail, with the expected message.
# must_fail VALUES WHAT COMMAND...: COMMAND must fail, saying the text of
# VALUES's "# expect:" line.
must_fail() {
  local values=$1 what=$2 want
  shift 2
  want=$(sed -n 's/^# expect: //p' "$values")
  [ -n "$want" ] || { echo "check-chart: $values has no '# expect:' line" >&2; exit 1; }
  if "$@" >"$out/err.txt" 2>&1; then
    echo "check-chart: $what passed $values, but must fail with: $want" >&2
    exit 1
  fi
  grep -qF -- "$want" "$out/err.txt" ||
    { echo "check-chart: $what failed $values, but not with \"$want\":" >&2; cat "$out/err.txt" >&2; exit 1; }
  n=$((n + 1))
}
n=0
for values in "$checks"/fail-render/*.yaml; do
  must_fail "$values" "helm template" "$helm" template "${release[@]}" -f "$values"
done
for values in "$checks"/fail-assert/*.yaml; do
  "$helm" template "${release[@]}" -f "$values" >"$out/bad.yaml"
  mutation=$(sed -n 's/^# mutate: //p' "$values")
  if [ -n "$mutation" ]; then
    sed -i -e "$mutation" "$out/bad.yaml"
  fi
  must_fail "$values" "the assertions" "$venv/bin/python" scripts/chart/assert_rendered.py "$chart/values.yaml,$values" "$out/bad.yaml"
done
echo "check-chart: $n bad value sets and broken manifests refused with the expected message"
echo "check-chart: ${#ci_files[@]} value sets passed"
