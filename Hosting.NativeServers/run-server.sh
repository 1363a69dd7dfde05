#!/bin/sh
# Runs a server under DCP, Aspire's orchestrator, which stops a process with SIGTERM.
# Usage: run-server.sh <stop-signal> <server command> [arguments...]
#   <stop-signal>   what the server gets when DCP stops it. PostgreSQL takes SIGTERM as a *smart* shutdown
#                   that waits for every client to leave (DCP kills it first and the next start recovers
#                   from a crash); SIGINT is its fast shutdown.
#   SERVER_COMPANION a command started before the server and stopped after it (RabbitMQ's private epmd,
#                   which the node would otherwise start as a daemon that outlives it).
# DCP kills this script a few seconds after asking it to stop, and then waits until nothing holds its
# output open. The server and the companion therefore die with the script (--pdeathsig): a server still
# shutting down on a loaded machine would otherwise be orphaned, DCP would give up on the stop (state
# Unknown) and the companion would never stop. Both servers recover from being killed.
signal=$1
shift
companion=
if [ -n "$SERVER_COMPANION" ]; then
  setpriv --pdeathsig KILL -- $SERVER_COMPANION &
  companion=$!
  sleep 0.2
fi
# The server's stderr joins its stdout: PostgreSQL writes every line there, routine ones too, and carries the
# severity in the line itself (LOG, ERROR, FATAL). Aspire takes stderr for errors (red in the dashboard, and at
# Error in the AppHost's log), so a clean start would otherwise be a page of errors.
setpriv --pdeathsig KILL -- "$@" 2>&1 &
server=$!
stop() {
  echo "run-server.sh: stopping: SIG$signal to $server"
  kill -s "$signal" "$server" 2>/dev/null
}
trap stop TERM INT
# wait returns early when a trapped signal arrives: wait again until the server is gone.
status=0
while kill -0 "$server" 2>/dev/null; do
  wait "$server"
  status=$?
done
# An exit after a stop is no error; any other exit is one.
if [ "$status" -eq 0 ]; then
  echo "run-server.sh: server $server exited with status $status"
else
  echo "run-server.sh: server $server exited with status $status" >&2
fi
if [ -n "$companion" ]; then
  kill "$companion" 2>/dev/null
  wait "$companion" 2>/dev/null
fi
exit "$status"
