#!/usr/bin/env bash
# The book's ConfigWatcher operator (Kubernetes Patterns, "Operator"), rewritten
# for cmwatch: when a ConfigMap changes, restart (delete) the pods selected by
# every ConfigWatcher that names it, and report in the ConfigWatcher's status.
#
# Run it as (add -n NAMESPACE, or -A):
#
#   cmwatch configmaps cw --snapshot cw --snapshot pods --on SYNC,ADDED,MODIFIED --exec examples/operator/config-watcher.sh
#
# It makes no API call and needs no --handler-proxy: it reads the ConfigWatchers
# and the pods from the snapshots ($CMWATCH_SNAPSHOT_DIR) and asks cmwatch, in
# $CMWATCH_OUTPUT, for the writes (see "Operators in bash" in the README):
#
# - a ConfigMap MODIFIED: for each ConfigWatcher of its namespace whose
#   spec.configMap is its name and whose status.observedConfigHash is not
#   already this content ($CMWATCH_CONTENT_HASH): one delete line per pod whose
#   labels contain every pair of spec.podSelector (with the pod's UID as
#   precondition, so a replacement is never deleted), a status line
#   (lastRestart: RFC 3339 UTC, restartedPods: the number of pods deleted,
#   observedConfigHash, a Ready condition) and a Normal Event "PodsRestarted";
# - a ConfigMap SYNC (cmwatch starting) or ADDED: the same, but only for
#   ConfigWatchers whose observedConfigHash differs, so a change made while
#   cmwatch was down is caught and a restart with nothing changed restarts
#   nothing. A ConfigWatcher with no observedConfigHash yet gets the hash
#   recorded and nothing restarted (there is nothing to compare with);
# - a ConfigWatcher SYNC, ADDED or MODIFIED: its selector is checked and its
#   Ready condition written; it restarts nothing (only the ConfigMap's events
#   carry the ConfigMap's content hash). Its first restart comes with the next
#   change of its ConfigMap; its hash is recorded at cmwatch's next start;
# - an empty or invalid spec.podSelector (a key or value that is not a valid
#   label) deletes nothing: a Warning Event "InvalidSelector" and the condition
#   Ready=False, reason InvalidSelector (on the ConfigWatcher's own events, and
#   on each MODIFIED of its ConfigMap, which it then does not act on).
#
# Event data never reaches a command line: the event goes to jq on stdin, the
# snapshots as files. Needs bash and jq. Exit 0: done (cmwatch then applies the
# lines); non-zero: cmwatch retries the whole run.
set -euo pipefail

snap=${CMWATCH_SNAPSHOT_DIR:?"no CMWATCH_SNAPSHOT_DIR: run with --snapshot cw --snapshot pods"}
out=${CMWATCH_OUTPUT:?"no CMWATCH_OUTPUT: run this under cmwatch"}
cws=$snap/configwatchers.k8spatterns.com.json
pods=$snap/pods.json
for f in "$cws" "$pods"; do
  [ -f "$f" ] || { echo "no snapshot $f: run with --snapshot cw --snapshot pods" >&2; exit 2; }
done

case "${CMWATCH_RESOURCE:-}" in
  configmaps) mode=configmap ;;
  configwatchers.k8spatterns.com) mode=watcher ;;
  *) echo "not a ConfigMap or a ConfigWatcher (${CMWATCH_RESOURCE:-unset}); nothing to do"; exit 0 ;;
esac

ops=$(jq -c \
  --arg mode "$mode" \
  --arg type "${CMWATCH_EVENT_TYPE:-}" \
  --arg hash "${CMWATCH_CONTENT_HASH:-}" \
  --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --slurpfile cws "$cws" \
  --slurpfile pods "$pods" '
# Label syntax, as the API server checks it (apimachinery validation).
def label_name: length > 0 and length <= 63 and test("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
def dns_subdomain: length > 0 and length <= 253 and test("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
def label_key: if contains("/") then (split("/") | length == 2 and (.[0] | dns_subdomain) and (.[1] | label_name)) else label_name end;
def label_value: length <= 63 and test("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

# Why a ConfigWatcher selector cannot be used (an empty one would select every pod), or null.
def selector_problem:
  (.spec.podSelector // null) as $s
  | if ($s | type) != "object" then "spec.podSelector is not a map of labels"
    elif ($s | length) == 0 then "spec.podSelector is empty (it would select every pod)"
    else
      ([$s | to_entries[] | select((.value | type) != "string" or (.key | label_key | not) or (.value | label_value | not))] | .[0]) as $bad
      | if $bad == null then null
        else "spec.podSelector: \($bad.key[0:80] | tojson): \($bad.value | tostring | .[0:80] | tojson) is not a valid label key and value" end
    end;

def selector_text: [.spec.podSelector | to_entries[] | "\(.key)=\(.value)"] | join(",");
def ref: {apiVersion: "k8spatterns.com/v1", kind: "ConfigWatcher", name: .metadata.name, namespace: .metadata.namespace};

# The Ready condition; its lastTransitionTime changes only when its status does.
def ready($status; $reason; $message):
  ([.status.conditions // [] | .[] | select(.type == "Ready")] | .[0]) as $old
  | {type: "Ready", status: $status, reason: $reason, message: $message,
     observedGeneration: .metadata.generation,
     lastTransitionTime: (if $old != null and $old.status == $status then $old.lastTransitionTime else $now end)};

def watching: ready("True"; "Watching"; "restarts pods \(selector_text) when ConfigMap \(.spec.configMap) changes");

def invalid($why; $cm):
  ref as $of
  | {status: {conditions: [ready("False"; "InvalidSelector"; $why)]}, of: $of},
    {event: {type: "Warning", reason: "InvalidSelector",
             message: ("\($why); no pod restarted" + (if $cm then " for the change of ConfigMap \(.spec.configMap)" else "" end))}, of: $of};

# Live pods of the ConfigWatcher namespace whose labels contain every pair of its selector.
def selected_pods:
  . as $cw
  | [$pods[0].items[]
     | select(.metadata.namespace == $cw.metadata.namespace and (.metadata.deletionTimestamp | not))
     | select(. as $p | $cw.spec.podSelector | to_entries | all(.[]; ($p.metadata.labels // {})[.key] == .value))];

def restart:
  ref as $of | selected_pods as $ps
  | ($ps[] | {delete: {apiVersion: "v1", kind: "Pod", name: .metadata.name, namespace: .metadata.namespace, uid: .metadata.uid}}),
    {status: {lastRestart: $now, restartedPods: ($ps | length), observedConfigHash: $hash, conditions: [watching]}, of: $of},
    {event: {type: "Normal", reason: "PodsRestarted",
             message: "ConfigMap \(.spec.configMap) changed (content \($hash)): deleted \($ps | length) pod(s) matching \(selector_text)"}, of: $of};

def on_configmap:
  .object.metadata as $cm
  | $cws[0].items[]
  | select(.metadata.namespace == $cm.namespace and .spec.configMap == $cm.name and (.metadata.deletionTimestamp | not))
  | selector_problem as $why
  | (.status.observedConfigHash // null) as $seen
  | if $why != null then (if $type == "MODIFIED" then invalid($why; true) else empty end)
    elif $seen == $hash then empty
    elif $type == "MODIFIED" or $seen != null then restart
    else {status: {observedConfigHash: $hash, conditions: [watching]}, of: ref}
    end;

def on_watcher:
  .object | selector_problem as $why
  | if $why != null then invalid($why; false) else {status: {conditions: [watching]}, of: ref} end;

if $mode == "configmap" then on_configmap else on_watcher end
')

if [ -n "$ops" ]; then printf '%s\n' "$ops" >> "$out"; fi
# One summary line on stdout (cmwatch logs it with the handler and the object).
jq -rn --arg ops "$ops" --arg type "${CMWATCH_EVENT_TYPE:-}" --arg hash "${CMWATCH_CONTENT_HASH:-}" --arg mode "$mode" '
  [$ops | splits("\n") | select(. != "") | fromjson] as $o
  | "\($mode) \($type) hash=\($hash): \([$o[] | select(.delete)] | length) pod(s) to delete, "
    + "\([$o[] | select(.status)] | length) status update(s), \([$o[] | select(.event)] | map(.event.reason) | join(",") | if . == "" then "no events" else "events " + . end)"'
