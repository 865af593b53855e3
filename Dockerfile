# cmwatch container image.
#
#   docker build -t cmwatch:0.1.0 .
#   docker run --rm cmwatch:0.1.0 --help
#
# Stage 1 compiles TypeScript and bundles it with the dev dependencies
# (`npm ci` runs the `prepare` script: tsc, then scripts/bundle.mjs writes
# dist/bundle/, which the bins import). Stage 2 installs the production
# dependencies alone; --ignore-scripts because `prepare` needs tsc and
# esbuild, which --omit=dev leaves out (no production dependency has install
# scripts).
# Stage 3 is the runtime: Node LTS slim, tini as PID 1, bash, curl and jq for
# book-style handlers, a non-root user.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini bash curl jq ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
# glibc's malloc keeps up to 8 arenas per core, one taken by each thread that
# allocates under contention (V8 compiles on background threads), and what a
# thread freed stays in its arena: 2 arenas kept cmwatch's steady RSS 1.5 to
# 3.4 MiB lower with 10,000 ConfigMaps on the real control plane (issue #18,
# bench/results of those runs, in git history before 8972ed9: the row "with
# MALLOC_ARENA_MAX=2"; now the row "as the container image runs it", with the
# flag below). glibc reads it when a
# process starts; handlers inherit it (harmless for them).
ENV MALLOC_ARENA_MAX=2
COPY package.json ./
COPY bin ./bin
COPY examples ./examples
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/bundle ./dist/bundle
# The node image's unprivileged user, by number so that Kubernetes'
# runAsNonRoot can check it.
USER 1000:1000
# tini is PID 1: it forwards SIGTERM to cmwatch (which drains its handlers
# and releases its lease) and reaps orphaned handler processes.
# --no-concurrent-recompilation: V8 optimises hot functions on the main
# thread instead of on a background thread, whose malloc arena kept what the
# compiles freed: 3.8 MiB less anonymous memory outside V8's heap and 3.2 MiB
# less steady RSS with 10,000 ConfigMaps on the real control plane, for the
# same CPU (issue #18; bench/results: the row "as the container image runs
# it", with MALLOC_ARENA_MAX=2 too; bench/image.ts names both). V8 reads the
# flag only when it starts, so the npm bin (a #! line that cannot carry flags
# portably) goes without it.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--no-concurrent-recompilation", "/app/bin/cmwatch.js"]
