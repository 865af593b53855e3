#!/usr/bin/env bash
# The book's controller logic as a cmwatch handler: when a ConfigMap that
# carries a pod selector is modified, delete the matching pods in its
# namespace so their Deployment recreates them with the new config.
#
#   cmwatch -n default --handler-proxy --exec examples/handlers/restart-pods.sh
#
# --handler-proxy gives the handler a CMWATCH_SERVER that needs no credentials
# (cmwatch's own authenticating proxy on 127.0.0.1). Behind `kubectl proxy`
# (`--server http://localhost:8001`) it is not needed; without either, curl
# would need the cluster's CA and a token of its own.
#
# Input (cmwatch's handler contract): the event as JSON on stdin, and
# CMWATCH_EVENT_TYPE, CMWATCH_NAMESPACE, CMWATCH_NAME, CMWATCH_SELECTOR and
# CMWATCH_SERVER (the API base: the handler proxy or kubectl proxy) in the environment.
# Needs curl and jq. Exit 0 = done, non-zero = cmwatch retries with backoff.
set -euo pipefail

event=$(cat)   # read stdin: the event, one JSON line
[ "${CMWATCH_EVENT_TYPE:-}" = "MODIFIED" ] || exit 0

selector=${CMWATCH_SELECTOR:-}
if [ -z "$selector" ]; then
  # No annotation: never fall back to a previous selector, never send an empty one.
  echo "no pod selector annotation on $CMWATCH_NAMESPACE/$CMWATCH_NAME; nothing to do"
  exit 0
fi

ns=$(jq -r '.object.metadata.namespace' <<<"$event")
pods_url="$CMWATCH_SERVER/api/v1/namespaces/$ns/pods"

# The selector is passed URL-encoded as data, never spliced into a shell string.
pods=$(curl -sSf -G --data-urlencode "labelSelector=$selector" "$pods_url" | jq -r '.items[].metadata.name')
if [ -z "$pods" ]; then
  echo "no pods match '$selector' in $ns"
  exit 0
fi

status=0
while read -r pod; do
  if curl -sSf -X DELETE -o /dev/null "$pods_url/$pod"; then
    echo "deleted pod $ns/$pod"
  else
    echo "failed to delete pod $ns/$pod" >&2
    status=1
  fi
done <<<"$pods"
exit "$status"
