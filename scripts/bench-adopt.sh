#!/bin/bash
# bench-adopt.sh [N ...]   (default N: 10000)
#
# A benchmark, not a test: it prints figures and asserts nothing. For each N it makes a
# hand-built directory of about 0.9 N accounts without employee ids from a bench-generate.py
# export (scripts/bench-adopt.py), loads it into a throwaway slapd on 127.0.0.1 and measures
# on it: idsync adopt (the review files), idsync plan before adoption (every joiner looked up
# by the matcher, the probable ones held), and idsync adopt --apply of the rows written
# approved (unambiguous mail matches). Needs what scripts/bench.sh needs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
IDSYNC=$ROOT/.build/release/idsync
WORK=$ROOT/bench/adopt
export LDAPNOINIT=1
command -v slapd >/dev/null || export PATH=$PATH:/usr/sbin
[[ -x /usr/bin/time ]] || { echo "bench-adopt: /usr/bin/time missing: apt-get install -y time" >&2; exit 2; }
SIZES=("$@"); [[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000)
if [[ ! -x $IDSYNC ]]; then (cd "$ROOT" && swift build -c release >&2); fi

STARTED=()
cleanup() { for dir in "${STARTED[@]}"; do "$HERE/stop-slapd.sh" "$dir" || true; done; [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"; }
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK"

now() { date +%s.%N; }
measure() { # measure NAME CMD...: sets WALL and CPU (s), RSS_MB and RC; output in $WORK/NAME.out
    local name=$1; shift; local t0; t0=$(now)
    RC=0; /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || RC=$?
    WALL=$(python3 -c "print(round($(now) - $t0, 2))")
    RSS_MB=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/$name.time")
    CPU=$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$WORK/$name.time")
    if [[ $RC != 0 && $RC != 1 ]]; then
        echo "bench-adopt: $name exited $RC:"; tail -n 5 "$WORK/$name.out" "$WORK/$name.err"; exit 1
    fi >&2
}

for n in "${SIZES[@]}"; do
    data=$WORK/data-$n dir=$WORK/slapd-$n
    mkdir -p "$data"
    python3 "$HERE/bench-generate.py" "$n" "$data" >&2
    python3 "$HERE/bench-adopt.py" "$data/day1.csv" "$data"
    port=
    for _ in 1 2 3 4 5 6 7 8; do
        try=$(( 20000 + RANDOM % 30000 )); rc=0
        "$HERE/throwaway-slapd.sh" "$dir" "$try" >/dev/null || rc=$?
        if [[ $rc == 0 ]]; then port=$try; STARTED+=("$dir"); break; fi
        [[ $rc == 3 ]] || exit 1
    done
    [[ -n $port ]] || { echo "bench-adopt: no free port" >&2; exit 1; }
    ldapadd -x -H "ldap://127.0.0.1:$port/" -D cn=admin,dc=example,dc=org -y "$dir/admin.pw" \
        -f "$data/handmade.ldif" > /dev/null
    sed -e "s|ldap://127.0.0.1:[0-9]*|ldap://127.0.0.1:$port|" \
        -e "s|^  path: hr/day1.csv|  path: $data/feed.csv|" \
        -e "s|\.\./mappings/|$ROOT/mappings/|" \
        -e "s|password_file: .*|password_file: $dir/idsync.pw|" \
        -e "s|^  path: \.\./demo/audit.jsonl|  path: $dir/audit.jsonl|" \
        -e "s|^  path: \.\./demo/idsync.lock|  path: $dir/idsync.lock|" \
        -e "s|max_bad_rows: .*|max_bad_rows: 100|" \
        -e "s|max_privileged_grants: .*|max_privileged_grants: {count: 1000000, percent: 100}|" \
        -e "s|^  path: exceptions.yaml|  path: $ROOT/sample/exceptions.yaml|" \
        -e "s|max_joiners: .*|max_joiners: {count: 1000000, percent: 100}|" \
        "$ROOT/sample/idsync.yaml" > "$dir/idsync.yaml"
    accounts=$(grep -c '^dn:' "$data/handmade.ldif")

    measure "adopt-$n" "$IDSYNC" adopt --config "$dir/idsync.yaml" --out-dir "$data"
    echo "N=$n: $accounts hand-made accounts"
    echo "  idsync adopt: $WALL s wall, $CPU s CPU, peak RSS $RSS_MB MB; $(head -1 "$WORK/adopt-$n.out" | cut -d';' -f2-)"
    measure "plan-$n" "$IDSYNC" plan --config "$dir/idsync.yaml" --at 2026-12-04T07:00:00Z
    held=$(grep -c '^  probable-existing-account:' "$WORK/plan-$n.out" || true)
    created=$(grep -c '^  create-account' "$WORK/plan-$n.out" || true)
    echo "  idsync plan before adoption (exit $RC): $WALL s wall, $CPU s CPU, peak RSS $RSS_MB MB; $held people held, $created accounts to create"
    measure "apply-$n" "$IDSYNC" adopt --config "$dir/idsync.yaml" --apply "$data/adoption-review.csv" \
        --approved-by bench
    echo "  idsync adopt --apply: $WALL s wall, $CPU s CPU; $(head -1 "$WORK/apply-$n.out" | cut -d: -f2-)"
    "$HERE/stop-slapd.sh" "$dir"; STARTED=()
done
