# CodeMentor: one image for every role (web, processor, topics, broker, dev).
#
#   docker build -t codementor .
#   docker run --rm codementor              # prints the roles
#   podman build --pull=never -t codementor .   # with a local debian:bookworm-slim
#                                           # (scripts/test-containers.sh makes one)
#
# docker-compose.yml runs it with Apache Kafka: see the comments there, above
# all for the privileges the processor's sandbox needs. In short, the
# processor must run as root (below) in a container started with
#   --security-opt seccomp=unconfined     (bwrap needs clone/unshare with namespace
#                                          flags, mount, pivot_root: Docker's default
#                                          profile refuses them)
#   --security-opt apparmor=unconfined    (docker-default denies mount)
#   --security-opt systempaths=unconfined (Docker's masked and read-only /proc paths
#                                          make the kernel refuse bwrap's new /proc;
#                                          podman takes it too, as unmask=ALL)
# and no added capability. Without a writable /sys/fs/cgroup (any container
# that is not --privileged) the sandbox limits by rlimits only and says so in
# its log. web and topics need no privilege and run as uid 10001.
#
# Nothing in this file uses BuildKit-only syntax, so the classic builder (what
# docker-compose 1.29 uses by default) builds it as well as BuildKit.

# Every stage starts from debian:bookworm-slim, and from nothing else: Docker
# pulls it; where no registry is reachable, scripts/test-containers.sh makes
# it locally (mmdebstrap) and tags it with the same name. Each apt-get install
# cleans up after itself (apt-get clean: a base made without Docker's apt
# configuration keeps the downloaded packages otherwise).
#
# go.mod says `go 1.26.8`. The build stage takes that Go toolchain from the Go
# module proxy (the module golang.org/toolchain, what GOTOOLCHAIN=auto
# downloads), checked against a pinned SHA-256; any 1.26.x >= 1.26.8 works:
#   --build-arg GO_VERSION=1.26.9 --build-arg GO_SHA256=<sha256 of its linux-amd64 zip>
# GOPROXY (and GOFLAGS) pass through as build arguments, for a mirror.
ARG GO_VERSION=1.26.8
ARG GO_SHA256=30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7

# ---------------------------------------------------------------------------
# Node.js (Debian's 18, the runtime's too) and npm: TypeScript for the judge,
# then the learner's page. A change to the page rebuilds from its npm ci on.
# ---------------------------------------------------------------------------
FROM debian:bookworm-slim AS node
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates nodejs npm; \
    apt-get clean; rm -rf /var/lib/apt/lists/*
# Node's own CA list otherwise: this one also holds what the base image adds
# to /usr/local/share/ca-certificates (an intercepting proxy's CA).
ENV NODE_OPTIONS=--use-openssl-ca
# TypeScript (the typescript language): npm's typescript and node's
# declarations, pinned as scripts/install-deps.sh pins them, installed into
# /usr/local/lib/node_modules (npm's global prefix on Debian), copied as they
# are into the runtime image (under /usr, which every box binds).
RUN npm install -g --no-audit --no-fund --loglevel=error typescript@5.9.3 @types/node@20.19.43
# The learner's page: npm packages from the lock file, bundled by esbuild
# into web/ui/dist (what `make ui` does on a host).
WORKDIR /ui
COPY web/ui/package.json web/ui/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ui/build.mjs ./
COPY web/ui/src ./src
COPY web/ui/public ./public
RUN node build.mjs

# ---------------------------------------------------------------------------
# Build stage: the codementor binary, and the Go toolchain the judge runs.
# ---------------------------------------------------------------------------
FROM debian:bookworm-slim AS build
ARG GO_VERSION
ARG GO_SHA256
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl unzip; \
    apt-get clean; rm -rf /var/lib/apt/lists/*; \
    zip=v0.0.1-go${GO_VERSION}.linux-amd64.zip; \
    curl -fsSL -o /tmp/go.zip "https://proxy.golang.org/golang.org/toolchain/@v/$zip"; \
    echo "${GO_SHA256}  /tmp/go.zip" | sha256sum -c -; \
    unzip -q /tmp/go.zip -d /tmp/go; \
    mv "/tmp/go/golang.org/toolchain@v0.0.1-go${GO_VERSION}.linux-amd64" /usr/local/go; \
    rm -rf /tmp/go /tmp/go.zip; \
    /usr/local/go/bin/go version
ENV PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local CGO_ENABLED=0
ARG GOPROXY
ARG GOFLAGS
WORKDIR /src
# Modules first, so that a source change does not download them again (the
# embedded broker's module is replaced by the patched copy in third_party).
COPY go.mod go.sum ./
COPY third_party/kfake/go.mod third_party/kfake/go.sum ./third_party/kfake/
RUN go mod download
COPY . .
# The binary embeds the page (package web/ui).
COPY --from=node /ui/dist ./web/ui/dist
# The sandbox's helper goes beside it: a small program of its own, the only
# one of ours a box can read (it holds no question and no secret).
RUN go build -trimpath -o /opt/codementor/bin/codementor ./cmd/codementor && \
    go build -trimpath -ldflags='-s -w' -o /opt/codementor/bin/codementor-sandbox-init ./cmd/sandbox-init

# ---------------------------------------------------------------------------
# Runtime: Debian bookworm with the sandbox and the judged languages.
# ---------------------------------------------------------------------------
FROM debian:bookworm-slim

# What the processor's sandbox (sandbox/doc.go, "Requirements") and its
# language table (sandbox/internal/toolchain/languages.go) need; scripts/install-deps.sh installs
# the same list on a host:
#   bubblewrap               bwrap, the sandbox itself (0.8 in bookworm: --disable-userns)
#   util-linux, coreutils    /usr/bin/prlimit and env, run inside the sandbox
#   python3                  /usr/bin/python3 (python)
#   gcc, g++, libc6-dev      /usr/bin/gcc, /usr/bin/g++ and the C/C++ headers (c, cpp)
#   openjdk-17-jdk-headless  javac and java, found through /usr/bin/javac (java)
#   nodejs                   /usr/bin/node (javascript, and typescript's tsc; Debian's Node 18)
#   rustc                    /usr/bin/rustc (rust; it links with gcc)
#   kotlin                   /usr/bin/kotlinc, the compiler's jars under /usr/share (kotlin;
#                            the JVM is the JDK's)
#   mono-mcs, mono-runtime   /usr/lib/mono/4.5/mcs.exe and /usr/bin/mono (csharp)
#   ruby, php-cli, perl,     /usr/bin/ruby, /usr/bin/php, /usr/bin/perl, /usr/bin/lua5.4
#   lua5.4, bash             and luac5.4, /bin/bash (ruby, php, perl, lua, bash)
#   ca-certificates          TLS to the LLM server (OPENAI_BASE_URL)
# Go (go) is the build stage's toolchain, copied below to /usr/local/go: the
# sandbox looks for /usr/local/go/bin/go first (sandbox/toolchains.go) and
# binds its GOROOT into the sandbox read-only.
# The slim image drops /usr/share/man, and the JDK's postinst fails without
# /usr/share/man/man1 (its update-alternatives links man pages there).
RUN set -eux; \
    mkdir -p /usr/share/man/man1; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        bubblewrap util-linux coreutils ca-certificates \
        python3 gcc g++ libc6-dev openjdk-17-jdk-headless nodejs \
        rustc kotlin mono-mcs mono-runtime ruby php-cli perl lua5.4 bash; \
    apt-get clean; rm -rf /var/lib/apt/lists/*; \
    bwrap --version; prlimit --version; python3 --version; gcc --version | head -n1; \
    javac -version; node --version; rustc --version; mono --version | head -n1; \
    ruby --version; php -n --version | head -n1; lua5.4 -v

# TypeScript: tsc is found on PATH (sandbox/internal/toolchain, findTypeScript).
COPY --from=node /usr/local/lib/node_modules/typescript /usr/local/lib/node_modules/typescript
COPY --from=node /usr/local/lib/node_modules/@types /usr/local/lib/node_modules/@types
RUN ln -s ../lib/node_modules/typescript/bin/tsc /usr/local/bin/tsc && tsc --version

COPY --from=build /usr/local/go /usr/local/go
# Not under /usr: every box binds /usr, and the service's executable embeds
# the starter questions with their hidden tests (the sandbox refuses to start
# where a box could read it).
COPY --from=build /opt/codementor/bin/ /opt/codementor/bin/
ENV PATH=/usr/local/go/bin:$PATH

# Users and directories.
#   codementor (uid 10001)  runs web and topics: they need no privilege at all.
#   root                    runs the processor (docker-compose.yml sets user: root):
#                           its sandbox starts bwrap as root and has it drop to the
#                           unprivileged uid 65534 (nobody) before any namespace is
#                           made (sandbox/run.go, procAttr), hands each work dir to
#                           nobody for the compilation and takes it back before the
#                           runs, and creates the per-sandbox cgroups where they are
#                           writable. Run as any other user, the sandbox runs
#                           learners' code as that same user and never uses cgroups.
#   uid 65534 (nobody)      what learners' code runs as, inside bubblewrap; it owns
#                           nothing in the image.
# /var/lib/codementor is 0755 so that nobody can reach the sandbox work dir
# below it (every parent of --sandbox-dir must be o+x); the data dirs are
# private. Compose mounts volumes on the leaf directories, and Docker copies
# these owners and modes into a new volume.
RUN set -eux; \
    groupadd --system --gid 10001 codementor; \
    useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/codementor/web \
        --no-create-home --shell /usr/sbin/nologin codementor; \
    install -d -m 0755 -o root -g root /var/lib/codementor; \
    install -d -m 0700 -o codementor -g codementor /var/lib/codementor/web; \
    install -d -m 0700 -o root -g root /var/lib/codementor/processor; \
    install -d -m 0711 -o root -g root /var/lib/codementor/sandbox

WORKDIR /var/lib/codementor
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/opt/codementor/bin/codementor"]
