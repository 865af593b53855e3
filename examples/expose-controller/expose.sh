#!/usr/bin/env bash
# The book's expose-controller (Kubernetes Patterns, "Controller") as a
# cmwatch handler: when a Service that carries the annotation `expose` is
# added, create a networking.k8s.io/v1 Ingress with the Service's name: one
# rule, path = the annotation's value (pathType Prefix), backend = the Service
# on its first port. An Ingress of that name that already exists is left alone.
#
#   cmwatch svc -n default --handler-proxy --exec ./examples/expose-controller/expose.sh --on ADDED
#
# or, with a kubectl proxy as the ambassador (no --handler-proxy needed):
#
#   kubectl proxy --port=8001 &
#   cmwatch svc -n default --server http://localhost:8001 --exec ./examples/expose-controller/expose.sh --on ADDED
#
# Input (cmwatch's handler contract): the event {"type","object"} as JSON on
# stdin; CMWATCH_EVENT_TYPE and CMWATCH_SERVER (an API base URL that needs no
# credentials: a kubectl proxy, or cmwatch's own with --handler-proxy).
# Needs bash, curl and jq. Event data goes to jq on stdin and to curl as
# --data-binary @-, never through a shell eval.
#
# Exit status:
#   0   done, or nothing to do: not ADDED, not a Service, no `expose`
#       annotation, no port, or the Ingress exists (GET 200, or POST 409
#       AlreadyExists when another run created it first)
#   75  temporary failure: the API is unreachable, or answered 429 or 5xx
#       (cmwatch retries with backoff, not counted against --max-retries)
#   1   any other failure, e.g. 403 (RBAC) or 422 (the annotation is not a
#       valid path); the API's message is on stderr (cmwatch retries with
#       backoff, up to --max-retries)
set -euo pipefail

event=$(cat)   # read stdin: the event, one JSON line
[ "${CMWATCH_EVENT_TYPE:-}" = "ADDED" ] || exit 0

# fail STATUS MESSAGE: one line on stderr, then exit.
fail() {
  echo "expose: $2" >&2
  exit "$1"
}

jq -e 'type == "object"' >/dev/null 2>&1 <<<"$event" || fail 1 "stdin is not a JSON event (expected {\"type\",\"object\"})"
field() { jq -r "$1 // empty" <<<"$event"; }

kind=$(field '.object.kind')
name=$(field '.object.metadata.name')
ns=$(field '.object.metadata.namespace')
ns=${ns:-${CMWATCH_NAMESPACE:-}}
if [ -n "$kind" ] && [ "$kind" != "Service" ]; then
  echo "$ns/$name is a $kind, not a Service; nothing to do (run it with: cmwatch svc ...)"
  exit 0
fi
if [ "$(jq -r '.object.metadata.annotations // {} | has("expose")' <<<"$event")" != "true" ]; then
  echo "no expose annotation on service $ns/$name; nothing to do"
  exit 0
fi
if [ -z "$(field '.object.spec.ports[0].port')" ]; then
  echo "service $ns/$name has no port; nothing to expose" >&2
  exit 0
fi
[ -n "$name" ] && [ -n "$ns" ] || fail 1 "the event has no metadata.name or metadata.namespace"
[ -n "${CMWATCH_SERVER:-}" ] || fail 1 "CMWATCH_SERVER is not set (hint: run it under cmwatch, or set it to a kubectl proxy URL such as http://localhost:8001)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# request METHOD PATH [CURL ARGS...]: the HTTP status in $status, the body in
# $tmp/body. curl's own failure (no connection, timeout) exits 75.
request() {
  local method=$1 url="$CMWATCH_SERVER$2"
  shift 2
  if ! status=$(curl -sS --connect-timeout 10 --max-time 30 -X "$method" -H 'Accept: application/json' \
      -o "$tmp/body" -w '%{http_code}' "$@" "$url" 2>"$tmp/err"); then
    fail 75 "$method $url: $(head -n 1 "$tmp/err")"
  fi
}

# The API's reason for an error answer: a Status's message, else the body's start.
why() {
  local msg
  msg=$(jq -r 'if type == "object" then .message // empty else empty end' "$tmp/body" 2>/dev/null || true)
  [ -n "$msg" ] || msg=$(head -c 300 "$tmp/body" | tr '\n' ' ')
  echo "${msg:-no body}"
}

# api_failure METHOD PATH: exit 75 for 429/5xx (worth retrying), else 1.
api_failure() {
  local code=1
  if [ "$status" = 429 ] || [ "${status:0:1}" = 5 ]; then code=75; fi
  fail "$code" "$1 $CMWATCH_SERVER$2: HTTP $status: $(why)"
}

ingress="/apis/networking.k8s.io/v1/namespaces/$ns/ingresses"
request GET "$ingress/$name"
case "$status" in
  200) echo "ingress $ns/$name already exists; skipping"; exit 0 ;;
  404) ;;
  *) api_failure GET "$ingress/$name" ;;
esac

body=$(jq -c '.object as $s | {
  apiVersion: "networking.k8s.io/v1", kind: "Ingress",
  metadata: {name: $s.metadata.name},
  spec: {rules: [{http: {paths: [{
    path: $s.metadata.annotations.expose, pathType: "Prefix",
    backend: {service: {name: $s.metadata.name, port: {number: $s.spec.ports[0].port}}}
  }]}}]}
}' <<<"$event")
request POST "$ingress" -H 'Content-Type: application/json' --data-binary @- <<<"$body"
summary="path $(jq -r '.spec.rules[0].http.paths[0].path' <<<"$body") -> service $name port $(jq -r '.spec.rules[0].http.paths[0].backend.service.port.number' <<<"$body")"
case "$status" in
  201) echo "created ingress $ns/$name: $summary" ;;
  409)
    [ "$(jq -r '.reason? // empty' "$tmp/body" 2>/dev/null)" = AlreadyExists ] || api_failure POST "$ingress"
    echo "ingress $ns/$name already exists (created meanwhile); skipping" ;;
  *) api_failure POST "$ingress" ;;
esac
