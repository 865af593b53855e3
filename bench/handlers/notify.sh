#!/bin/sh
# Latency probe: the first thing this handler does is tell the harness it
# started, through a FIFO the harness keeps open (dash starts in about a
# millisecond; nothing else is forked).
echo "$CMWATCH_RESOURCE_VERSION $CMWATCH_NAME" > "$BENCH_FIFO"
