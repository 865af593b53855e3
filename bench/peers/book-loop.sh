#!/bin/bash
# The book's controller (Kubernetes Patterns, chapter "Controller"): a watch
# through curl, one jq per field of each event. Benchmarked as the book wrote
# it, except the pod deletion at the end (a list of pods by the selector and a
# curl -X DELETE per pod), which is replaced by ACTION: a no-op (:) for event
# throughput, /bin/true for handler throughput.
#
# usage: book-loop.sh BASE_URL NAMESPACE [ACTION]
base=$1
namespace=$2
action=${3:-:}
ns=namespaces/$namespace

curl -N -s "$base/api/v1/${ns}/configmaps?watch=true" |
while read -r event
do
  type=$(echo "$event" | jq -r '.type')
  config_map=$(echo "$event" | jq -r '.object.metadata.name')
  annotations=$(echo "$event" | jq -r '.object.metadata.annotations')

  if [ "$annotations" != "null" ]; then
    selector=$(echo $annotations | \
     jq -r "\
       to_entries                                           |\
       .[]                                                  |\
       select(.key == \"k8spatterns.io/podDeleteSelector\") |\
       .value                                               |\
       @uri                                                 \
     ")
  fi
  echo "Type: $type ConfigMap: $config_map Selector: $selector"

  if [ $type = "MODIFIED" ] && [ -n "$selector" ]; then
    # The book: pods=$(curl -s $base/api/v1/${ns}/pods?labelSelector=$selector | jq -r .items[].metadata.name)
    #           for pod in $pods; do curl -s -X DELETE $base/api/v1/${ns}/pods/$pod; done
    $action
  fi
done
