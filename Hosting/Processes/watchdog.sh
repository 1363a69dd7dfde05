#!/bin/bash
# Watchdog for the processes an AppHost (or a test fixture) starts.
# Its standard input is a pipe whose write end only the parent holds. The parent sends
# "+ <pgid> <signal>" when it starts a process group and "- <pgid>" when it has stopped it.
# When the pipe closes -- the parent exited, crashed or was killed with SIGKILL -- every group
# still registered gets its stop signal, then SIGKILL after a grace period. Nothing outlives the parent.
declare -A groups
while IFS=' ' read -r op pgid sig; do
  case "$op" in
    +) groups[$pgid]=$sig ;;
    -) unset "groups[$pgid]" ;;
  esac
done
[ ${#groups[@]} -eq 0 ] && exit 0
for pgid in "${!groups[@]}"; do kill -s "${groups[$pgid]}" -- "-$pgid" 2>/dev/null; done
for _ in $(seq 1 150); do
  alive=0
  for pgid in "${!groups[@]}"; do kill -0 -- "-$pgid" 2>/dev/null && alive=1; done
  [ $alive -eq 0 ] && exit 0
  sleep 0.1
done
for pgid in "${!groups[@]}"; do kill -s KILL -- "-$pgid" 2>/dev/null; done
exit 0
