#!/bin/bash
# bench.sh [--fsync] [--load-only] [N ...]   (default N: 10000 100000)
#
# A benchmark, not a test: it prints figures and asserts nothing. For each N it generates a
# BambooHR-style day-1 export of N people and a day-2 export with 1 % churn
# (scripts/bench-generate.py), starts ONE fresh throwaway slapd on 127.0.0.1 (olcDbNoSync) and measures:
#
#   1. cat of the day-1 feed > /dev/null                     (floor for reading the feed)
#   2. idsync sync of day 1 into the empty people subtree     (wall, changes, changes/s, peak RSS)
#      (with IDSYNC_TIMINGS=1: its stage and apply-phase times print under the table)
#   3. the same entries, dumped as the rootdn after step 2 (people, and the groups with their
#      members), loaded by stock `ldapadd -f` into a fresh slapd, twice: bound as the rootdn (which
#      slapd lets past every ACL) and as idsync's service identity (checked against the ACLs as
#      idsync's writes are)   (entries/s; memberships counted on both sides) and the ratio
#      idsync/ldapadd for each                                            (goal >= 1.5)
#      and once more by scripts/bench-pipelined-add.c, a bare libldap client that only sends the
#      adds, 64 in flight (idsync's default write_window): what pipelining alone gets from slapd
#   4. idsync plan of day 1 against the loaded directory (nothing to do)  (wall, peak RSS), and the
#      read floor: ldapsearch as the idsync service DN, paged, with the attributes idsync requests,
#      plus cat of the feed; ratio plan / (ldapsearch + cat)              (goal <= 1.2)
#      and the least wall the plan's CPU allows: (idsync's CPU + slapd's during the plan) / cores
#   5. the 1 % churn day: idsync plan, then idsync sync of day 2          (wall, changes, changes/s)
#   6. peak RSS per person: (plan's peak RSS - the plan's peak RSS in a 10-person run) / N  (goal <= 1.5 KB)
#   also: idsync validate of day 1 (feed and mapping only, no directory) as a stage figure.
#
# --fsync: additionally repeats step 2 and 3 at N=${BENCH_FSYNC_N:-3000} on slapds with fsync on
# (IDSYNC_SLAPD_SYNC=1); both are then disk-bound.
# --load-only: step 2 and 3 only (the initial load against ldapadd), for work on the apply path.
#
# Steps 2 and 3 also print each client's CPU (user + sys, from GNU time), the CPU slapd spent
# during the step (/proc/PID/stat before and after) and that CPU as a share of the step's wall:
# near 100 % means slapd was the bound.
#
# Each figure is ONE run on a 2-core machine where client and slapd share the cores: they are
# noisy (2x run-to-run spread has been seen here, see shared notes baseline-throughput.md).
#
# Needs: a release build (swift build -c release; the script builds it if missing), slapd and
# ldap-utils, python3, GNU time as /usr/bin/time for peak RSS (apt-get install -y time), and a C
# compiler with libldap-dev for the reference client.
# Data and slapd directories go under bench/ (gitignored), removed at the start of each run;
# BENCH_KEEP=1 keeps them after the run. Every slapd started here is stopped on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
IDSYNC=$ROOT/.build/release/idsync
WORK=$ROOT/bench/run
SUFFIX="dc=example,dc=org"
ROOT_DN="cn=admin,$SUFFIX"
SERVICE_DN="cn=idsync,ou=services,$SUFFIX"
PLACEHOLDER_DN="uid=placeholder,ou=services,$SUFFIX"
DAY1_AT=2026-12-04T07:00:00Z     # 02:00 in New York
DAY2_AT=2026-12-05T07:00:00Z
# What OpenLDAPDirectory.requestedAttributes asks for with the sample mapping (mapped attributes,
# login, uid, mail, employeeNumber, objectClass, member, pwdPolicySubentry, the lock, the state
# attribute, the protected attribute). Keep in step with Sources/Connectors/OpenLDAP/OpenLDAPDirectory.swift.
READ_ATTRIBUTES=(cn departmentnumber displayname employeenumber employeetype givenname idsyncstate mail
                 manager member objectclass pwdaccountlockedtime pwdpolicysubentry sn title uid)
export LDAPNOINIT=1              # client tools and idsync ignore ldap.conf and LDAP* variables

FSYNC=0
LOAD_ONLY=0
SIZES=()
for arg in "$@"; do
    case $arg in
        --fsync) FSYNC=1 ;;
        --load-only) LOAD_ONLY=1 ;;
        -h|--help) sed -n '2,41p' "$0"; exit 0 ;;
        *) [[ $arg =~ ^[0-9]+$ ]] || { echo "bench: N must be a number, got '$arg'" >&2; exit 2; }
           SIZES+=("$arg") ;;
    esac
done
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000 100000)

[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing: apt-get install -y time" >&2; exit 2; }
command -v slapd >/dev/null || export PATH=$PATH:/usr/sbin
if [[ ! -x $IDSYNC ]]; then (cd "$ROOT" && swift build -c release >&2); fi

STARTED=()
cleanup() {
    local dir
    for dir in "${STARTED[@]}"; do "$HERE/stop-slapd.sh" "$dir" || true; done
    [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK"

# The reference client of step 3 (bench-pipelined-add.c), built fresh for each run.
PIPELINED_ADD=$WORK/bench-pipelined-add
"${CC:-cc}" -O2 -o "$PIPELINED_ADD" "$HERE/bench-pipelined-add.c" -lldap -llber

log() { echo "bench: $*" >&2; }
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }

# start_slapd DIR: a throwaway slapd on a free 127.0.0.1 port, with ou=contractors (the
# placement container) loaded; sets PORT_OF[DIR]. Inherits IDSYNC_SLAPD_SYNC.
declare -A PORT_OF
start_slapd() {
    local dir=$1 port rc
    printf 'dn: ou=contractors,ou=people,%s\nobjectClass: organizationalUnit\nou: contractors\n' "$SUFFIX" \
        > "$WORK/contractors.ldif"
    for _ in 1 2 3 4 5 6 7 8; do
        port=$(( 20000 + RANDOM % 30000 ))
        rc=0; "$HERE/throwaway-slapd.sh" "$dir" "$port" "$WORK/contractors.ldif" >/dev/null || rc=$?
        if [[ $rc == 0 ]]; then STARTED+=("$dir"); PORT_OF[$dir]=$port; return 0; fi
        [[ $rc == 3 ]] || { log "throwaway-slapd.sh $dir $port failed with $rc"; exit 1; }
    done
    log "no free port found"; exit 1
}

# write_config DIR FEED: an idsync.yaml for the slapd in DIR, made from sample/idsync.yaml with
# the port, feed, password file, audit and lock rewritten, mappings by absolute path, and
# budgets large enough for a first load and a churn day.
write_config() {
    local dir=$1 feed=$2
    sed -e "s|ldap://127.0.0.1:[0-9]*|ldap://127.0.0.1:${PORT_OF[$dir]}|" \
        -e "s|^  path: hr/day1.csv|  path: $feed|" \
        -e "s|\.\./mappings/|$ROOT/mappings/|" \
        -e "s|password_file: .*|password_file: $dir/idsync.pw|" \
        -e "s|^  path: \.\./demo/audit.jsonl|  path: $dir/audit.jsonl|" \
        -e "s|^  path: \.\./demo/idsync.lock|  path: $dir/idsync.lock|" \
        -e "s|max_bad_rows: .*|max_bad_rows: 100|" \
        -e "s|max_feed_shrink_percent: .*|max_feed_shrink_percent: 100|" \
        -e "s|max_leavers: .*|max_leavers: {count: 1000000, percent: 100}|" \
        -e "s|max_group_removals: .*|max_group_removals: {count: 1000000, percent: 100}|" \
        -e "s|max_renames: .*|max_renames: {count: 1000000, percent: 100}|" \
        -e "s|max_joiners: .*|max_joiners: {count: 1000000, percent: 100}|" \
        -e "s|max_privileged_grants: .*|max_privileged_grants: {count: 1000000, percent: 100}|" \
        -e "s|^  path: exceptions.yaml|  path: $ROOT/sample/exceptions.yaml|" \
        "$ROOT/sample/idsync.yaml" > "$dir/idsync.yaml"
}

# measure NAME CMD...: runs CMD under GNU time; sets WALL (s, from date deltas), RSS_KB,
# CPU (user + sys s) and RC. Output goes to $WORK/NAME.out and .err.
measure() {
    local name=$1; shift
    local t0 t1
    t0=$(now)
    RC=0; /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || RC=$?
    t1=$(now)
    WALL=$(calc "round($t1 - $t0, 3)")
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
    CPU=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$WORK/$name.time")
}

# slapd_cpu DIR: seconds of CPU (user + sys) the slapd of DIR has used so far.
slapd_cpu() {
    local pid; pid=$(cat "$1/slapd.pid")
    awk -v tick="$(getconf CLK_TCK)" '{print ($14 + $15) / tick}' "/proc/$pid/stat"
}

# put_cpu TAG CLIENT SLAPD_BEFORE SLAPD_AFTER: the client's and slapd's CPU for the last measure.
put_cpu() {
    local tag=$1 client=$2 slapd
    slapd=$(calc "round($4 - $3, 2)")
    SLAPD_CPU=$slapd
    put "  $client CPU user+sys s" "$tag" "$CPU"
    put "  slapd CPU s during $client (busy % of wall)" "$tag" \
        "$slapd ($(calc "round(100 * $slapd / $WALL)") %)"
}

# ok_changes DIR: changes the last idsync sync in DIR recorded as applied in its audit log.
ok_changes() { grep '"event":"change"' "$1/audit.jsonl" | grep -c '"result":"ok"' || true; }
planned_changes() { sed -n 's/^joiners .*changes \([0-9]*\)$/\1/p' "$WORK/$1.out"; }

check() { # check NAME: stops the bench if the step did not exit 0
    [[ $RC == 0 ]] && return 0
    log "$1 exited $RC; last lines of its output:"; tail -n 15 "$WORK/$1.out" "$WORK/$1.err" >&2
    exit 1
}

declare -A R HAVE_ROW   # R[metric|N] = text; rows print in the order first put
ROWS=()
STAGES=()               # idsync's stage and apply-phase times of each initial load (IDSYNC_TIMINGS)
put() { R["$1|$2"]=$3; [[ -n ${HAVE_ROW["$1"]:-} ]] || { HAVE_ROW["$1"]=1; ROWS+=("$1"); }; }

# load_and_floor TAG N DATA: steps 2 and 3 (sync of day 1; dump; ldapadd into two fresh slapds).
load_and_floor() {
    local tag=$1 n=$2 data=$3
    local dir=$WORK/$tag-a dir2=$WORK/$tag-b dir3=$WORK/$tag-c url changes units
    start_slapd "$dir"
    write_config "$dir" "$data/day1.csv"
    url="ldap://127.0.0.1:${PORT_OF[$dir]}/"
    log "$tag: idsync sync of day 1 ($n people)"
    local before; before=$(slapd_cpu "$dir")
    IDSYNC_TIMINGS=1 measure "$tag-load" "$IDSYNC" sync --config "$dir/idsync.yaml" --at "$DAY1_AT" \
        --out "$WORK/$tag-load.report"
    check "$tag-load"
    STAGES+=("$tag: $(sed -n 's/^idsync timings: //p' "$WORK/$tag-load.err" | paste -sd ';' | sed 's/;/; /g')")
    changes=$(ok_changes "$dir")
    put "idsync sync day 1: wall s" "$tag" "$WALL"
    put_cpu "$tag" idsync "$before" "$(slapd_cpu "$dir")"
    put "  changes applied" "$tag" "$changes"
    put "  changes/s" "$tag" "$(calc "round($changes / $WALL)")"
    put "  peak RSS MB" "$tag" "$(calc "round($RSS_KB / 1024, 1)")"
    LOAD_RATE=$(calc "$changes / $WALL")
    local idsync_slapd=$SLAPD_CPU

    log "$tag: dump what idsync created, load it with ldapadd into fresh slapds (rootdn, service identity)"
    ldapsearch -x -LLL -o ldif-wrap=no -H "$url" -D "$ROOT_DN" -y "$dir/admin.pw" \
        -b "ou=people,$SUFFIX" "(uid=*)" '*' > "$WORK/$tag-floor.ldif"
    ldapsearch -x -LLL -o ldif-wrap=no -H "$url" -D "$ROOT_DN" -y "$dir/admin.pw" \
        -b "ou=groups,$SUFFIX" "(objectClass=groupOfNames)" '*' >> "$WORK/$tag-floor.ldif"
    ENTRIES=$(grep -c '^dn:' "$WORK/$tag-floor.ldif")
    MEMBERS=$(grep '^member:' "$WORK/$tag-floor.ldif" | grep -vc "^member: $PLACEHOLDER_DN\$" || true)
    units=$(( ENTRIES + MEMBERS ))
    put "entries + memberships loaded" "$tag" "$ENTRIES + $MEMBERS = $units"
    ldapadd_floor "$tag" "$dir2" rootdn "$ROOT_DN" admin.pw "$units" "$idsync_slapd"
    ldapadd_floor "$tag" "$dir3" "service DN" "$SERVICE_DN" idsync.pw "$units" "$idsync_slapd"
    pipelined_ceiling "$tag" "$WORK/$tag-d" "$units"
}

# pipelined_ceiling TAG DIR UNITS: the same dump added by bench-pipelined-add.c as the service
# identity, 64 adds in flight (idsync's default write_window), into a fresh slapd in DIR. It
# does nothing but the writes, so its rate is what pipelining alone gets from this slapd: the
# most a client sending these writes could reach.
pipelined_ceiling() {
    local tag=$1 dir=$2 units=$3 url before
    start_slapd "$dir"
    url="ldap://127.0.0.1:${PORT_OF[$dir]}/"
    before=$(slapd_cpu "$dir")
    measure "$tag-pipelined" "$PIPELINED_ADD" "$url" "$SERVICE_DN" "$dir/idsync.pw" \
        "$WORK/$tag-floor.ldif" 64
    check "$tag-pipelined"
    put "bare pipelined adder (window 64), service DN: wall s" "$tag" "$WALL"
    put_cpu "$tag" "adder" "$before" "$(slapd_cpu "$dir")"
    put "  adder/ldapadd rate, service DN" "$tag" "$(calc "round($LDAPADD_WALL / $WALL, 2)")"
    put "  idsync/adder rate" "$tag" "$(calc "round($LOAD_RATE / ($units / $WALL), 2)")"
    "$HERE/stop-slapd.sh" "$dir"
}

# ldapadd_floor TAG DIR WHO BIND_DN PASSWORD_FILE UNITS IDSYNC_SLAPD_CPU: stock ldapadd of the
# dump into a fresh slapd in DIR, bound as BIND_DN. Twice per load: as the rootdn, which slapd
# lets past every ACL, and as idsync's service identity, whose writes slapd checks against
# the ACLs as it checks idsync's (the same-identity comparison; the read floor binds so too).
ldapadd_floor() {
    local tag=$1 dir=$2 who=$3 bind=$4 password=$5 units=$6 idsync_slapd=$7 url before
    start_slapd "$dir"
    url="ldap://127.0.0.1:${PORT_OF[$dir]}/"
    before=$(slapd_cpu "$dir")
    measure "$tag-ldapadd" ldapadd -x -H "$url" -D "$bind" -y "$dir/$password" -f "$WORK/$tag-floor.ldif"
    check "$tag-ldapadd"
    put "ldapadd floor as the $who: wall s" "$tag" "$WALL"
    put_cpu "$tag" "ldapadd, $who" "$before" "$(slapd_cpu "$dir")"
    put "  per s ($who)" "$tag" "$(calc "round($units / $WALL)")"
    put "  idsync/ldapadd rate, $who (goal >= 1.5)" "$tag" "$(calc "round($LOAD_RATE / ($units / $WALL), 2)")"
    put "  slapd CPU us/unit: idsync, ldapadd ($who)" "$tag" \
        "$(calc "round(1e6 * $idsync_slapd / $units)"), $(calc "round(1e6 * $SLAPD_CPU / $units)")"
    LDAPADD_WALL=$WALL
    "$HERE/stop-slapd.sh" "$dir"
}

bench_size() {
    local n=$1 tag=$1 data=$WORK/data-$1 dir=$WORK/$1-a url cat_wall floor
    mkdir -p "$data"
    log "$n: generating"
    python3 "$HERE/bench-generate.py" "$n" "$data" >&2
    put "feed MB" "$tag" "$(calc "round($(stat -c %s "$data/day1.csv") / 1e6, 1)")"

    measure "$tag-cat" cat "$data/day1.csv"
    cat_wall=$WALL
    put "cat feed: wall s" "$tag" "$cat_wall"

    load_and_floor "$tag" "$n" "$data"
    if [[ $LOAD_ONLY == 1 ]]; then "$HERE/stop-slapd.sh" "$dir"; return 0; fi

    write_config "$dir" "$data/day1.csv"
    measure "$tag-validate" "$IDSYNC" validate --config "$dir/idsync.yaml"
    check "$tag-validate"
    put "idsync validate day 1: wall s" "$tag" "$WALL"
    put "  peak RSS MB " "$tag" "$(calc "round($RSS_KB / 1024, 1)")"

    log "$tag: steady-state plan and read floor"
    local before; before=$(slapd_cpu "$dir")
    measure "$tag-plan1" "$IDSYNC" plan --config "$dir/idsync.yaml" --at "$DAY1_AT"
    check "$tag-plan1"
    local plan_wall=$WALL plan_rss=$RSS_KB plan_cpu=$CPU
    put "idsync plan day 1 (steady): wall s" "$tag" "$plan_wall"
    put_cpu "$tag" "idsync plan" "$before" "$(slapd_cpu "$dir")"
    local plan_slapd=$SLAPD_CPU
    put "  planned changes" "$tag" "$(planned_changes "$tag-plan1")"
    put "  peak RSS MB  " "$tag" "$(calc "round($plan_rss / 1024, 1)")"
    url="ldap://127.0.0.1:${PORT_OF[$dir]}/"
    before=$(slapd_cpu "$dir")
    measure "$tag-read" ldapsearch -x -H "$url" -D "$SERVICE_DN" -y "$dir/idsync.pw" -b "$SUFFIX" \
        -E pr=1000/noprompt "(|(uid=*)(mail=*)(employeeNumber=*)(objectClass=groupOfNames))" "${READ_ATTRIBUTES[@]}"
    check "$tag-read"
    put "ldapsearch read floor: wall s" "$tag" "$WALL"
    put_cpu "$tag" "ldapsearch" "$before" "$(slapd_cpu "$dir")"
    put "  entries read" "$tag" "$(grep -c '^dn:' "$WORK/$tag-read.out")"
    floor=$(calc "$WALL + $cat_wall")
    put "plan/(read+cat) (goal <= 1.2)" "$tag" "$(calc "round($plan_wall / $floor, 2)")"
    # The least wall the plan's CPU allows: idsync's and slapd's CPU spread over both cores
    # with no wait at all. Above 1.2 x the floor, the goal needs less CPU, not more overlap.
    local least; least=$(calc "($plan_cpu + $plan_slapd) / $(nproc)")
    put "  plan's CPU (idsync + slapd) / cores: s" "$tag" "$(calc "round($least, 2)")"
    put "  that / (read+cat)" "$tag" "$(calc "round($least / $floor, 2)")"
    put "plan peak RSS per person B (goal <= 1536)" "$tag" "$(calc "round(($plan_rss - $BASE_RSS_KB) * 1024 / $n)")"

    log "$tag: churn day"
    write_config "$dir" "$data/day2.csv"
    measure "$tag-plan2" "$IDSYNC" plan --config "$dir/idsync.yaml" --at "$DAY2_AT"
    check "$tag-plan2"
    put "idsync plan day 2 (1% churn): wall s" "$tag" "$WALL"
    put "  planned changes " "$tag" "$(planned_changes "$tag-plan2")"
    local before; before=$(ok_changes "$dir")
    measure "$tag-sync2" "$IDSYNC" sync --config "$dir/idsync.yaml" --at "$DAY2_AT" --out "$WORK/$tag-sync2.report"
    check "$tag-sync2"
    local changes=$(( $(ok_changes "$dir") - before ))
    put "idsync sync day 2: wall s" "$tag" "$WALL"
    put "  changes applied " "$tag" "$changes"
    put "  changes/s " "$tag" "$(calc "round($changes / $WALL)")"
    put "  peak RSS MB   " "$tag" "$(calc "round($RSS_KB / 1024, 1)")"
    "$HERE/stop-slapd.sh" "$dir"
}

# The fixed base for RSS per person: the steady-state plan of a 10-person run.
base_rss() {
    local data=$WORK/data-10 dir=$WORK/base
    python3 "$HERE/bench-generate.py" 10 "$data" >/dev/null
    start_slapd "$dir"
    write_config "$dir" "$data/day1.csv"
    measure base-load "$IDSYNC" sync --config "$dir/idsync.yaml" --at "$DAY1_AT"; check base-load
    measure base-plan "$IDSYNC" plan --config "$dir/idsync.yaml" --at "$DAY1_AT"; check base-plan
    BASE_RSS_KB=$RSS_KB
    "$HERE/stop-slapd.sh" "$dir"
}

print_table() {
    local columns=("$@") row col
    printf '%-56s' "N"; for col in "${columns[@]}"; do printf ' %24s' "$col"; done; echo
    for row in "${ROWS[@]}"; do
        local any=0
        for col in "${columns[@]}"; do [[ -n ${R["$row|$col"]:-} ]] && any=1; done
        [[ $any == 1 ]] || continue
        printf '%-56s' "$row"
        for col in "${columns[@]}"; do printf ' %24s' "${R["$row|$col"]:--}"; done
        echo
    done
}

[[ $LOAD_ONLY == 1 ]] || base_rss
for n in "${SIZES[@]}"; do bench_size "$n"; done
echo "idsync bench $(git -C "$ROOT" rev-parse --short HEAD), $(date -u +%FT%TZ), $(nproc) cores, slapd olcDbNoSync;"
[[ $LOAD_ONLY == 1 ]] ||
    echo "one run per figure, noisy. Base RSS (plan, 10 people):" \
         "$(calc "round($BASE_RSS_KB / 1024, 1)") MB"
print_table "${SIZES[@]}"
echo "initial load stages:"; printf '  %s\n' "${STAGES[@]}"

if [[ $FSYNC == 1 ]]; then
    n=${BENCH_FSYNC_N:-3000}
    ROWS=(); HAVE_ROW=()
    mkdir -p "$WORK/data-fsync"
    python3 "$HERE/bench-generate.py" "$n" "$WORK/data-fsync" >&2
    export IDSYNC_SLAPD_SYNC=1
    load_and_floor "fsync-$n" "$n" "$WORK/data-fsync"
    unset IDSYNC_SLAPD_SYNC
    echo
    echo "with fsync (IDSYNC_SLAPD_SYNC=1), disk-bound:"
    print_table "fsync-$n"
    echo "initial load stages:"; printf '  %s\n' "${STAGES[@]: -1}"
fi
