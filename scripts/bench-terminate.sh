#!/bin/bash
# bench-terminate.sh [N] [K]   (default N 10000 people, K 5 terminations)
#
# A benchmark, not a test: it prints figures and asserts nothing. Generates a BambooHR export of
# N people (scripts/bench-generate.py), starts a throwaway slapd on 127.0.0.1 (olcDbNoSync,
# memberof, refint, ppolicy), loads it with one idsync sync, moves the feed away (terminate reads
# none), then runs `idsync terminate --employee ID --reason … --yes` for K different people, one
# after the other, and prints the end-to-end wall time of each (process start to exit: config,
# bind, lookup, disable with the ppolicy check, group removals, the re-read, audit records)
# with the step times from its receipt. Goal: one termination <= 1 s on loopback.
#
# Needs a release build (built if missing), slapd, ldap-utils and python3. Data and the slapd
# go under bench/terminate (gitignored), removed on exit unless BENCH_KEEP=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
IDSYNC=$ROOT/.build/release/idsync
WORK=$ROOT/bench/terminate
N=${1:-10000}
K=${2:-5}
AT=2026-12-04T07:00:00Z
export LDAPNOINIT=1
[[ $N =~ ^[0-9]+$ && $K =~ ^[0-9]+$ ]] || { echo "usage: bench-terminate.sh [N] [K]" >&2; exit 2; }

command -v slapd >/dev/null || export PATH=$PATH:/usr/sbin
if [[ ! -x $IDSYNC ]]; then (cd "$ROOT" && swift build -c release >&2); fi

DIR=$WORK/slapd
cleanup() {
    "$HERE/stop-slapd.sh" "$DIR" >/dev/null 2>&1 || true
    [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK/data"
log() { echo "bench-terminate: $*" >&2; }
now() { date +%s.%N; }

log "generating $N people"
python3 "$HERE/bench-generate.py" "$N" "$WORK/data" >/dev/null
printf 'dn: ou=contractors,ou=people,%s\nobjectClass: organizationalUnit\nou: contractors\n' \
    "dc=example,dc=org" > "$WORK/contractors.ldif"
PORT=
for _ in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + RANDOM % 30000 ))
    rc=0; "$HERE/throwaway-slapd.sh" "$DIR" "$port" "$WORK/contractors.ldif" >/dev/null || rc=$?
    if [[ $rc == 0 ]]; then PORT=$port; break; fi
    [[ $rc == 3 ]] || { log "throwaway-slapd.sh failed with $rc"; exit 1; }
done
[[ -n $PORT ]] || { log "no free port found"; exit 1; }

sed -e "s|ldap://127.0.0.1:[0-9]*|ldap://127.0.0.1:$PORT|" \
    -e "s|^  path: hr/day1.csv|  path: $WORK/data/day1.csv|" \
    -e "s|\.\./mappings/|$ROOT/mappings/|" \
    -e "s|path: exceptions.yaml|path: $ROOT/sample/exceptions.yaml|" \
    -e "s|password_file: .*|password_file: $DIR/idsync.pw|" \
    -e "s|^  path: \.\./demo/audit.jsonl|  path: $DIR/audit.jsonl|" \
    -e "s|^  path: \.\./demo/idsync.lock|  path: $DIR/idsync.lock|" \
    -e "s|max_bad_rows: .*|max_bad_rows: 1000000|" \
    -e "s|max_leavers: .*|max_leavers: {count: 1000000, percent: 100}|" \
    -e "s|max_group_removals: .*|max_group_removals: {count: 1000000, percent: 100}|" \
    -e "s|max_renames: .*|max_renames: {count: 1000000, percent: 100}|" \
    "$ROOT/sample/idsync.yaml" > "$DIR/idsync.yaml"

log "loading the directory with idsync sync"
rc=0; "$IDSYNC" sync --config "$DIR/idsync.yaml" --at "$AT" \
    --allow-changes 100000000 --reason "bench load" > "$WORK/load.out" 2>&1 || rc=$?
[[ $rc -le 1 ]] || { log "the load exited $rc"; tail -n 20 "$WORK/load.out" >&2; exit 1; }
mv "$WORK/data/day1.csv" "$WORK/data/day1.csv.away"      # the HR system is down

# K people with an enabled account: every 97th active row of the export.
mapfile -t IDS < <(awk -F, 'NR > 1 && $10 == "Active" { print $1 }' "$WORK/data/day1.csv.away" \
    | awk -v k="$K" 'NR % 97 == 0 && n < k { print; n++ }')

echo "idsync terminate, one person at a time, in a directory of $N people" \
    "(loopback, 2 cores shared)"
walls=()
for id in "${IDS[@]}"; do
    t0=$(now)
    rc=0; "$IDSYNC" terminate --config "$DIR/idsync.yaml" --employee "$id" --reason "bench" --yes \
        > "$WORK/terminate-$id.out" 2>&1 || rc=$?
    t1=$(now)
    wall=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
    walls+=("$wall")
    steps=$(grep -cE '^  (ok|done|FAILED) ' "$WORK/terminate-$id.out" || true)
    slowest=$(grep -E '^  (ok|done|FAILED) ' "$WORK/terminate-$id.out" \
        | sed -E 's/^  [A-Za-z]+ +([a-z-]+) .*  ([0-9]+) ms.*/\2 ms \1/' | sort -n | tail -n 1)
    printf '  employee %s: exit %s, %s s end to end, %s steps, slowest step: %s\n' \
        "$id" "$rc" "$wall" "$steps" "$slowest"
done
# The directory's own floor for the slowest step: one stock ldapmodify that takes one more
# enabled person out of all-staff (the group that holds everyone), as the same identity.
URL="ldap://127.0.0.1:$PORT/"
SVC="cn=idsync,ou=services,dc=example,dc=org"
STAFF="cn=all-staff,ou=groups,dc=example,dc=org"
dn=$(ldapsearch -x -LLL -o ldif-wrap=no -H "$URL" -D "$SVC" -y "$DIR/idsync.pw" -z 1 \
    -b "ou=people,dc=example,dc=org" "(&(memberOf=$STAFF)(!(pwdAccountLockedTime=*)))" 1.1 \
    2>/dev/null | sed -n "s/^dn: //p" | head -n 1 || true)
if [[ -n $dn ]]; then
    printf 'dn: %s\nchangetype: modify\ndelete: member\nmember: %s\n' "$STAFF" "$dn" \
        > "$WORK/floor.ldif"
    t0=$(now)
    ldapmodify -x -H "$URL" -D "$SVC" -y "$DIR/idsync.pw" -f "$WORK/floor.ldif" > /dev/null
    t1=$(now)
    python3 -c "print(f'floor: stock ldapmodify, one member out of all-staff: {$t1 - $t0:.3f} s')"
fi
python3 - "${walls[@]}" <<'PY'
import statistics, sys
w = sorted(float(x) for x in sys.argv[1:])
print(f"end to end: min {w[0]:.3f} s, median {statistics.median(w):.3f} s, "
      f"max {w[-1]:.3f} s (goal <= 1 s)")
PY
