#!/usr/bin/env bash
# A StaticSite operator (crd.yaml): each StaticSite is reconciled into a
# Deployment and a Service of its name, owned by it, and its status mirrors
# the Deployment's replica counts. Run it as (add -n NAMESPACE, or -A):
#
#   cmwatch staticsites.examples.cmwatch.io --snapshot deployments.apps --finalizer examples.cmwatch.io/unpublish --on SYNC,ADDED,MODIFIED,FINALIZE --resync 30s --exec examples/operator-children/static-site.sh
#
# It makes no API call: it asks cmwatch for the writes in $CMWATCH_OUTPUT
# (see "Operators in bash" in the README) and reads the Deployments from the
# snapshot ($CMWATCH_SNAPSHOT_DIR/deployments.apps.json).
#
# - SYNC, ADDED, MODIFIED: two apply lines (Deployment and Service; cmwatch
#   adds the ownerReference to the StaticSite, so deleting it lets the garbage
#   collector delete them) and a status line: observedGeneration, and replicas
#   and readyReplicas copied from the Deployment's status as the snapshot has
#   it (0 while the Deployment does not exist yet or reports none). A
#   Deployment's status changes trigger nothing by themselves, so --resync
#   30s re-runs every StaticSite (as SYNC) to keep the mirror current; the
#   applies, and a status patch that changes nothing, are then no-ops.
# - FINALIZE (the StaticSite is being deleted; cmwatch holds it with the
#   finalizer until this succeeds): one line "unpublished NS/NAME uid=UID
#   deletionTimestamp=T" is appended to $STATIC_SITE_LOG (default
#   static-sites.log in the working directory), standing for cleanup outside
#   Kubernetes. Nothing is applied for an object being deleted.
#
# Needs bash and jq. Event data reaches jq on stdin only.
set -euo pipefail

event=$(cat)
out=${CMWATCH_OUTPUT:?"no CMWATCH_OUTPUT: run this under cmwatch"}

if [ "${CMWATCH_EVENT_TYPE:-}" = FINALIZE ]; then
  line=$(jq -r --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    '.object.metadata | "\($now) unpublished \(.namespace)/\(.name) uid=\(.uid) deletionTimestamp=\(.deletionTimestamp)"' <<<"$event")
  printf '%s\n' "$line" >> "${STATIC_SITE_LOG:-static-sites.log}"
  echo "$line"
  exit 0
fi

deploys=${CMWATCH_SNAPSHOT_DIR:?"no CMWATCH_SNAPSHOT_DIR: run with --snapshot deployments.apps"}/deployments.apps.json
[ -f "$deploys" ] || { echo "no snapshot $deploys: run with --snapshot deployments.apps" >&2; exit 2; }

ops=$(jq -c --slurpfile deploys "$deploys" '
.object
| if .metadata.deletionTimestamp then empty else
  .metadata as $m
  | {"app.kubernetes.io/name": "static-site", "app.kubernetes.io/instance": $m.name} as $select
  | ($select + {"app.kubernetes.io/managed-by": "cmwatch"}) as $labels
  | ([$deploys[0].items[] | select(.metadata.namespace == $m.namespace and .metadata.name == $m.name)] | .[0]) as $d
  | {apply: {apiVersion: "apps/v1", kind: "Deployment",
             metadata: {name: $m.name, namespace: $m.namespace, labels: $labels},
             spec: {replicas: (.spec.replicas // 1), selector: {matchLabels: $select},
                    template: {metadata: {labels: $labels},
                               spec: {containers: [{name: "web", image: .spec.image, ports: [{name: "http", containerPort: 80}]}]}}}}},
    {apply: {apiVersion: "v1", kind: "Service",
             metadata: {name: $m.name, namespace: $m.namespace, labels: $labels},
             spec: {selector: $select, ports: [{name: "http", port: 80, targetPort: "http"}]}}},
    {status: {observedGeneration: $m.generation,
              replicas: ($d.status.replicas // 0), readyReplicas: ($d.status.readyReplicas // 0)}}
  end' <<<"$event")

if [ -n "$ops" ]; then printf '%s\n' "$ops" >> "$out"; fi
jq -rn --arg ops "$ops" --arg type "${CMWATCH_EVENT_TYPE:-}" '
  [$ops | splits("\n") | select(. != "") | fromjson] as $o
  | if $o == [] then "\($type): being deleted; nothing applied"
    else ($o | map(select(.status)) | .[0].status) as $s
      | "\($type): apply Deployment and Service, status replicas=\($s.replicas) readyReplicas=\($s.readyReplicas)" end'
