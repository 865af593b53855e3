#!/usr/bin/env bash
# Logs one line per event: its type, key, resource version and data keys.
#
#   cmwatch -n default --on ADDED,MODIFIED,DELETED --exec examples/handlers/log-event.sh
#
# Optional: LOG_EVENT_FILE=/path appends the line to that file as well.
set -euo pipefail

event=$(cat)
keys=$(jq -r '(.object.data // {}) | keys | join(",")' <<<"$event")
line="$CMWATCH_EVENT_TYPE $CMWATCH_NAMESPACE/$CMWATCH_NAME rv=$CMWATCH_RESOURCE_VERSION keys=${keys:-none}"
echo "$line"
if [ -n "${LOG_EVENT_FILE:-}" ]; then
  echo "$line" >> "$LOG_EVENT_FILE"
fi
