#!/usr/bin/env bash
# Installs what CodeMentor needs on a Debian machine and is missing:
# bubblewrap (the sandbox), the toolchains of the judged languages (from
# Debian, and TypeScript from npm, pinned), npm (to bundle the learner's page
# and install TypeScript), Maven and kcat (to fetch, start and check Apache
# Kafka), the compose tool (to check docker-compose.yml), Chromium (the
# browser tests) with the argument `test`, schemathesis (the API's fuzzer,
# `make test-api`) with the argument `api`, the Judge0 Python SDK (the system
# suite's Judge0 tests) with the argument `test`, Helm and kubernetes-validate
# (to check the Helm chart, `make chart-check`) with the argument `chart`,
# podman and its tools with podman-compose (the container test,
# `make test-containers`) with the argument `containers`, and the Go modules.
# (`make test` runs `install-deps.sh chart` in the background, at low
# priority, while the tests run: Helm takes minutes to build.)
# Idempotent: a second run installs nothing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# schemathesis, from PyPI, pinned, in a venv of its own (scripts/schemathesis.sh).
schemathesis_version=4.32.5
schemathesis_venv=$root/.venv/schemathesis
# The Judge0 Python SDK, from PyPI, pinned, in a venv of its own: the system
# suite drives the Judge0 API with it (systemtest/judge0_test.go).
judge0_sdk_version=0.0.8
judge0_venv=$root/.venv/judge0
# Helm, built from the Go module proxy (no prebuilt binary can be fetched
# here) into bin/tools, pinned: it lints and renders the chart
# (scripts/check-chart.sh). The build takes about three minutes on two cores.
helm_version=v4.3.2
helm_bin=$root/bin/tools/helm
# kubernetes-validate (Kubernetes' own schemas, for the rendered manifests)
# and jsonschema and PyYAML (the custom resources against their CRDs), from
# PyPI, pinned, in a venv of their own.
kubernetes_validate_version=1.37.0
jsonschema_version=4.26.0
pyyaml_version=6.0.3
chart_venv=$root/.venv/chart
# TypeScript (the typescript language), from npm, pinned, installed globally
# with node's declarations: the sandbox finds tsc on PATH and the @types
# directory beside it (sandbox/internal/toolchain, findTypeScript).
typescript_version=5.9.3
# podman-compose, from PyPI, pinned, in a venv of its own: the container test
# (scripts/test-containers.sh) runs docker-compose.yml with it.
podman_compose_version=1.6.0
podman_compose_venv=$root/.venv/podman-compose
types_node_version=20.19.43

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[ -x /usr/bin/python3 ] || missing+=(python3)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v prlimit >/dev/null 2>&1 || missing+=(util-linux)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
# The sandbox runs these at fixed paths: Debian's rustc, not a rustup one
# under a home directory (which the sandbox does not bind).
[ -x /usr/bin/rustc ] || missing+=(rustc)
[ -x /usr/bin/kotlinc ] || missing+=(kotlin)
[ -x /usr/bin/ruby ] || missing+=(ruby)
[ -x /usr/bin/php ] || missing+=(php-cli)
[ -x /usr/bin/mono ] || missing+=(mono-runtime)
[ -f /usr/lib/mono/4.5/mcs.exe ] || missing+=(mono-mcs)
[ -x /usr/bin/lua5.4 ] && [ -x /usr/bin/luac5.4 ] || missing+=(lua5.4)
[ -x /usr/bin/perl ] || missing+=(perl)
[ -x /bin/bash ] || missing+=(bash)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
# The compose tool checks docker-compose.yml (no Docker engine needed).
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
# Debian's Chromium runs the browser tests headless (never a downloaded
# browser); only `make test` asks for it (install-deps.sh test).
if [ "${1:-}" = test ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fi
# The container test: rootful podman with runc, netavark and aardvark-dns
# (the compose network's names), the overlay storage's and the network's
# tools, and mmdebstrap (the base image, made locally).
if [ "${1:-}" = containers ]; then
  for p in podman buildah runc netavark aardvark-dns fuse-overlayfs slirp4netns uidmap mmdebstrap iptables; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
fi
if [ "${1:-}" = test ] || [ "${1:-}" = api ] || [ "${1:-}" = containers ] || [ "${1:-}" = chart ]; then
  # Debian's python3 makes venvs only with python3-venv (ensurepip).
  /usr/bin/python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The pinned TypeScript, unless npm's global node_modules has it already.
npm_root=$(npm root -g)
installed_version() {
  node -e 'try { console.log(require(process.argv[1]).version) } catch { }' "$npm_root/$1/package.json"
}
if [ "$(installed_version typescript)" != "$typescript_version" ] ||
  [ "$(installed_version @types/node)" != "$types_node_version" ]; then
  echo "install-deps: installing typescript@$typescript_version @types/node@$types_node_version (npm -g)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || [ -w "$npm_root" ] || sudo="sudo"
  $sudo npm install -g --no-audit --no-fund --loglevel=error "typescript@$typescript_version" "@types/node@$types_node_version"
fi

if [ "${1:-}" = api ] &&
  [ "$("$schemathesis_venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $schemathesis_version" ]; then
  echo "install-deps: installing schemathesis $schemathesis_version into ${schemathesis_venv#"$root"/}"
  /usr/bin/python3 -m venv "$schemathesis_venv"
  "$schemathesis_venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

if [ "${1:-}" = containers ] &&
  [ "$("$podman_compose_venv/bin/python" -c 'import importlib.metadata as m; print(m.version("podman-compose"))' 2>/dev/null)" != "$podman_compose_version" ]; then
  echo "install-deps: installing podman-compose $podman_compose_version into ${podman_compose_venv#"$root"/}"
  /usr/bin/python3 -m venv "$podman_compose_venv"
  "$podman_compose_venv/bin/pip" install --quiet --disable-pip-version-check "podman-compose==$podman_compose_version"
fi

if [ "${1:-}" = test ] &&
  [ "$("$judge0_venv/bin/python" -c 'import judge0; print(judge0.__version__)' 2>/dev/null)" != "$judge0_sdk_version" ]; then
  echo "install-deps: installing the Judge0 Python SDK $judge0_sdk_version into ${judge0_venv#"$root"/}"
  /usr/bin/python3 -m venv "$judge0_venv"
  "$judge0_venv/bin/pip" install --quiet --disable-pip-version-check "judge0==$judge0_sdk_version"
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-deps: Go 1.26 or newer is required (https://go.dev/doc/install)" >&2
  exit 1
fi
go mod download

if [ "${1:-}" = chart ] &&
  ! go version -m "$helm_bin" 2>/dev/null | grep -qE "^[[:space:]]+mod[[:space:]]+helm.sh/helm/v4[[:space:]]+$helm_version([[:space:]]|\$)"; then
  echo "install-deps: building helm $helm_version into ${helm_bin#"$root"/} (a few minutes)"
  GOBIN=$(dirname "$helm_bin") go install "helm.sh/helm/v4/cmd/helm@$helm_version"
fi

if [ "${1:-}" = chart ] &&
  [ "$("$chart_venv/bin/python" -c 'from importlib.metadata import version as v; print(v("kubernetes-validate"), v("jsonschema"), v("PyYAML"))' 2>/dev/null)" != \
    "$kubernetes_validate_version $jsonschema_version $pyyaml_version" ]; then
  echo "install-deps: installing kubernetes-validate $kubernetes_validate_version, jsonschema $jsonschema_version and PyYAML $pyyaml_version into ${chart_venv#"$root"/}"
  /usr/bin/python3 -m venv "$chart_venv"
  "$chart_venv/bin/pip" install --quiet --disable-pip-version-check \
    "kubernetes-validate==$kubernetes_validate_version" "jsonschema==$jsonschema_version" "PyYAML==$pyyaml_version"
fi
