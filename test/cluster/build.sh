#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kube-controller-manager from the Go module in
# this directory (k8s.io/kubernetes v1.36.3 + staging modules v0.36.3) and caches
# the binaries in ${CMWATCH_CLUSTER_CACHE:-$HOME/.cache/cmwatch-cluster}/<key>/,
# key = first 16 hex of sha256(go.sum + build.sh).
#
# stdout: only the bin dir, on the last line. Progress goes to stderr.
# Env:
#   CMWATCH_CLUSTER_CACHE       cache root (default ~/.cache/cmwatch-cluster)
#   CMWATCH_RECORD_BUILD_COST=1 on a cold build, also rewrite test/cluster/BUILD-COST.md
#   CMWATCH_MIN_FREE_GIB        free-disk floor for a cold build (default 8)
set -euo pipefail

K8S_VERSION=v1.36.3
K8S_MAJOR=1
K8S_MINOR=36

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[cluster-build] %s\n' "$*" >&2; }
die() { printf '[cluster-build] ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || die "go not found on PATH (need Go >= 1.26, e.g. /usr/local/go/bin)"

cache_root="${CMWATCH_CLUSTER_CACHE:-$HOME/.cache/cmwatch-cluster}"
key="$(cat "$here/go.sum" "$here/build.sh" | sha256sum | cut -c1-16)"
out="$cache_root/$key"
bins=(etcd kube-apiserver kube-controller-manager)

have_all() {
  local b
  for b in "${bins[@]}"; do [[ -x "$1/$b" ]] || return 1; done
  [[ -f "$1/.complete" ]]
}

if have_all "$out"; then
  log "cached: $out"
  echo "$out"
  exit 0
fi

mkdir -p "$cache_root"
# One builder at a time per cache root; a waiting one then finds the cache warm.
exec 9>"$cache_root/.lock"
if ! flock -n 9; then
  log "another build holds $cache_root/.lock; waiting"
  flock 9
fi
if have_all "$out"; then
  log "cached: $out"
  echo "$out"
  exit 0
fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
gover="$(go env GOVERSION)"
case "$gover" in
  go1.2[6-9]*|go1.[3-9]*) ;;
  *) die "need Go >= 1.26 (go.mod says go 1.26.0), found $gover";;
esac
gomodcache="$(go env GOMODCACHE)"
gocache="$(go env GOCACHE)"

# Free disk: the cold build needs module cache + build cache + binaries.
min_gib="${CMWATCH_MIN_FREE_GIB:-8}"
check_free() {
  local d="$1" p="$1" avail_kib
  while [[ ! -e "$p" ]]; do p="$(dirname "$p")"; done
  avail_kib="$(df -Pk "$p" | awk 'NR==2 {print $4}')"
  if (( avail_kib < min_gib * 1024 * 1024 )); then
    die "only $((avail_kib / 1024 / 1024)) GiB free on the filesystem of $d; a cold build needs >= ${min_gib} GiB (module cache, build cache, ~300 MB binaries). Free space or point CMWATCH_CLUSTER_CACHE/GOCACHE/GOMODCACHE elsewhere."
  fi
}
for d in "$cache_root" "$gomodcache" "$gocache"; do check_free "$d"; done

kib_of() { if [[ -d "$1" ]]; then du -sk "$1" 2>/dev/null | awk '{print $1}'; else echo 0; fi; }
mod_before="$(kib_of "$gomodcache")"
gocache_before="$(kib_of "$gocache")"

ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=$K8S_MAJOR -X $p.gitMinor=$K8S_MINOR -X $p.gitTreeState=clean"
done

tmp="$(mktemp -d "$cache_root/.build-$key.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

log "cold build into $out ($gover, $(nproc) cores, -p 2); this takes a while"
start="$(date +%s)"
(
  cd "$here"
  log "go mod download"
  go mod download
  log "go build etcd kube-apiserver kube-controller-manager"
  # One invocation so the three mains share one compile graph. Tags as in
  # kubernetes' hack/lib/golang.sh for release builds.
  go build -p 2 -trimpath -buildvcs=false -tags selinux,notest,grpcnotrace \
    -ldflags "$ld" -o "$tmp/" \
    go.etcd.io/etcd/server/v3 \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager
) >&2
# The package go.etcd.io/etcd/server/v3 yields a binary named "server".
mv "$tmp/server" "$tmp/etcd"
end="$(date +%s)"
secs=$((end - start))

for b in "${bins[@]}"; do [[ -x "$tmp/$b" ]] || die "build produced no $b"; done
"$tmp/kube-apiserver" --version >&2
"$tmp/etcd" --version >&2

mod_after="$(kib_of "$gomodcache")"
gocache_after="$(kib_of "$gocache")"
bin_kib="$(du -sk "$tmp" | awk '{print $1}')"
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
sizes="$(cd "$tmp" && for b in "${bins[@]}"; do printf '%s %s\n' "$b" "$(mib "$(du -k "$b" | awk '{print $1}')")"; done | paste -sd, - | sed 's/,/, /g')"

cost="$(cat <<EOF
# Cluster binaries: build cost

Measured by \`test/cluster/build.sh\` on a cold build ($(date -u +%Y-%m-%d)), key \`$key\`.

| what | value |
|---|---|
| machine | $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1024/1024}' /proc/meminfo), $gover, \`go build -p 2\` |
| wall time (go mod download + go build) | ${secs} s ($(( secs / 60 )) min $(( secs % 60 )) s) |
| binaries | $(mib "$bin_kib") total ($sizes) |
| GOMODCACHE growth during the build | $(mib $(( mod_after - mod_before ))) (now $(mib "$mod_after") in total) |
| GOCACHE growth during the build | $(mib $(( gocache_after - gocache_before ))) (now $(mib "$gocache_after") in total) |

GOMODCACHE growth excludes modules already downloaded before the build (for example by \`go mod tidy\`);
the totals show the full footprint when the caches started empty.
EOF
)"
printf '%s\n' "$cost" > "$tmp/BUILD-COST.md"
if [[ "${CMWATCH_RECORD_BUILD_COST:-}" == 1 ]]; then
  printf '%s\n' "$cost" > "$here/BUILD-COST.md"
fi
log "build took ${secs} s; binaries $(mib "$bin_kib"); GOMODCACHE +$(mib $(( mod_after - mod_before ))); GOCACHE +$(mib $(( gocache_after - gocache_before )))"

touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
log "built: $out"
echo "$out"
