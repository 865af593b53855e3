#!/bin/sh
# The handler of the replay golden-file test (test/e2e/write-back.test.ts):
# a Widget reconciled into a ConfigMap of settings, its status and an Event.
set -eu
event=$(cat)
name=$CMWATCH_NAME
size=$(printf '%s' "$event" | jq -r '.object.spec.size')
gen=$(printf '%s' "$event" | jq -r '.object.metadata.generation')
jq -cn --argjson size "$size" --argjson gen "$gen" \
  '{status: {phase: "Ready", size: $size, observedGeneration: $gen}}' >> "$CMWATCH_OUTPUT"
jq -cn --arg name "$name-settings" --arg size "$size" \
  '{apply: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: $name}, data: {size: $size}}}' >> "$CMWATCH_OUTPUT"
jq -cn --arg msg "$CMWATCH_EVENT_TYPE: size $size" \
  '{event: {type: "Normal", reason: "Reconciled", message: $msg}}' >> "$CMWATCH_OUTPUT"
