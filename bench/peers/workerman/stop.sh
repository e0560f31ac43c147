#!/usr/bin/env bash
# stop.sh PIDFILE
#
# Stops the Workerman peer that start.sh started with this PIDFILE: sends SIGINT to the master (what
# `php push.php stop` does; the master stops its worker and exits), waits at most STOP_TIMEOUT seconds
# (default 15) for both, then kills what is left with SIGKILL. Removes PIDFILE and PIDFILE.master.
# Only processes that are Workerman's master or worker are signalled (a stale pid is left alone).
#
# Exit: 0 stopped, or not running; 1 had to kill, or could not stop.
set -euo pipefail

die() {
    echo "workerman stop.sh: $*" >&2
    exit 1
}
[ $# -eq 1 ] || die "usage: stop.sh PIDFILE"
pidfile=$1
master_file=$pidfile.master

is_workerman() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "^WorkerMan: $2 process"; }
read_pid() { local p; p=$(cat "$1" 2>/dev/null || true); [[ $p =~ ^[0-9]+$ ]] && echo "$p" || true; }

worker=$(read_pid "$pidfile")
master=$(read_pid "$master_file")
[ -n "$worker" ] && ! is_workerman "$worker" worker && worker=''
[ -n "$master" ] && ! is_workerman "$master" master && master=''
if [ -z "$master" ] && [ -n "$worker" ]; then # no pid file from Workerman: the worker's parent
    parent=$(awk '{ print $4 }' "/proc/$worker/stat" 2>/dev/null || true)
    [ -n "$parent" ] && is_workerman "$parent" master && master=$parent
fi
if [ -n "$master" ]; then # with count = 1 the master has one worker, even if it was restarted
    for child in $(cat "/proc/$master/task/$master/children" 2>/dev/null || true); do
        is_workerman "$child" worker && [ "$child" != "$worker" ] && worker="$worker $child"
    done
fi
pids=$(echo $master $worker)
if [ -z "$pids" ]; then
    rm -f "$pidfile" "$master_file"
    echo "workerman stop.sh: not running ($pidfile)" >&2
    exit 0
fi

alive() { for p in $pids; do [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && return 0; done; return 1; }
wait_gone() { # wait_gone SECONDS
    local deadline=$((SECONDS + $1))
    while alive; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

if [ -n "$master" ]; then kill -INT "$master" 2>/dev/null || true; else kill -INT $worker 2>/dev/null || true; fi
status=0
if ! wait_gone "${STOP_TIMEOUT:-15}"; then
    echo "workerman stop.sh: still running after ${STOP_TIMEOUT:-15}s: killing $pids" >&2
    kill -KILL $pids 2>/dev/null || true
    wait_gone 5 || die "could not stop $pids"
    status=1
fi
rm -f "$pidfile" "$master_file"
exit "$status"
