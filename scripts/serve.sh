#!/usr/bin/env bash
# The web server with the database task worker beside it: the worker runs the daily jobs (queued
# here for today and tomorrow unless already queued) and every other background task. When the
# server stops, or this script is stopped (Ctrl-C, kill), the worker stops too.
# Usage: scripts/serve.sh <bin dir> <host:port>
set -euo pipefail

bin=$1
addr=$2
pids=()
stop() {
  trap - EXIT INT TERM
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

"$bin/bianmin" daily_jobs --schedule
"$bin/bianmin" db_worker --queue-name default --interval 2 --no-reload &
pids+=($!)
# In the background so that a signal reaches this script at once (bash runs traps only between
# foreground commands); the script waits on the server and ends with it.
"$bin/bianmin" runserver --insecure "$addr" &
pids+=($!)
wait "${pids[1]}"
