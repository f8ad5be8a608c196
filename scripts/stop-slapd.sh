#!/bin/bash
# stop-slapd.sh DIR: stops the slapd that throwaway-slapd.sh started in DIR and waits until it
# is gone.
# Sends TERM to the pid in DIR/slapd.pid only. Exit 0 also when nothing was running.
set -euo pipefail
DIR=$(realpath -m "${1:?usage: stop-slapd.sh DIR}")
PIDFILE=$DIR/slapd.pid

[[ -s $PIDFILE ]] || exit 0
PID=$(cat "$PIDFILE")

# gone PID: true once the process has exited. A zombie (state Z) counts as gone: its parent,
# the shell that started it, has already exited and init reaps it later.
gone() {
    [[ -r /proc/$1/stat ]] || return 0
    [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

kill -TERM "$PID" 2>/dev/null || exit 0
for _ in $(seq 500); do
    gone "$PID" && exit 0
    sleep 0.02
done
echo "stop-slapd: slapd $PID did not exit within 10 s of TERM" >&2
exit 1
