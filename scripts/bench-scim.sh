#!/bin/bash
# bench-scim.sh: how long idsync takes to read N users over SCIM on loopback.
#
#   scripts/bench-scim.sh [--scim2 M] [N]        (defaults: N 100000, M 5000; --scim2 0 skips it)
#
# 1. scripts/scim-standin.py (rfc mode: RFC paging, pages of up to 1000) serving N generated
#    users: `idsync validate` (the whole SCIM read and the mapping to people, no directory) with
#    page_size 1000, and as the floor curl fetching the same pages into /dev/null.
# 2. scim2-server from PyPI (the .venv-scim of install-deps.sh) seeded with M users through
#    POST /Bulk: the seeding time, and `idsync validate` reading them. scim2-server serializes
#    each resource through pydantic (milliseconds each), so 100,000 would take many minutes
#    to seed and to serve; its figure is the server's, not idsync's.
# Prints wall times, users per second, idsync's user CPU time (steadier than the wall time on a
# busy machine) and peak RSS. Needs a release build (built if
# missing), python3, curl and /usr/bin/time. Everything listens on 127.0.0.1 only.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
IDSYNC=$ROOT/.build/release/idsync
WORK=$ROOT/bench/scim

USERS=100000
SCIM2_USERS=5000
while [[ $# -gt 0 ]]; do
    case $1 in
        --scim2) SCIM2_USERS=$2; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) [[ $1 =~ ^[0-9]+$ ]] || { echo "bench-scim: N must be a number, got '$1'" >&2; exit 2; }
           USERS=$1 ;;
    esac
    shift
done

[[ -x /usr/bin/time ]] || { echo "bench-scim: /usr/bin/time missing: apt-get install -y time" >&2; exit 2; }
command -v curl >/dev/null || { echo "bench-scim: curl missing: apt-get install -y curl" >&2; exit 2; }
if [[ ! -x $IDSYNC ]]; then (cd "$ROOT" && swift build -c release >&2); fi

SERVERS=()
cleanup() {
    local pid
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK"; chmod 700 "$WORK"

log() { echo "bench-scim: $*" >&2; }
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }

# A random token for this run: in a 0600 file for idsync, in the environment for the servers.
IDSYNC_SCIM_TOKEN=$(python3 -c "import secrets; print(secrets.token_urlsafe(24))")
export IDSYNC_SCIM_TOKEN
(umask 077 && printf '%s\n' "$IDSYNC_SCIM_TOKEN" > "$WORK/scim.token")
(umask 077 && printf 'unused\n' > "$WORK/bind.pw")

# start NAME PROGRAM ARGS...: starts a server that prints "PORT n"; sets PORT.
start() {
    local name=$1; shift
    "$@" > "$WORK/$name.log" 2>&1 &
    SERVERS+=($!)
    for _ in $(seq 1 600); do
        PORT=$(sed -n 's/^PORT //p' "$WORK/$name.log")
        [[ -n $PORT ]] && return 0
        kill -0 "${SERVERS[-1]}" 2>/dev/null || { log "$name exited: $(cat "$WORK/$name.log")"; exit 1; }
        sleep 0.1
    done
    log "$name announced no port"; exit 1
}

# config PORT: an idsync.yaml whose feed is the SCIM server on PORT (the directory is never asked).
config() {
    local hr=urn:example:params:scim:schemas:extension:hr:2.0:User
    cat > "$WORK/idsync-$1.yaml" <<YAML
site: {time_zone: America/New_York}
feed:
  type: scim
  url: http://127.0.0.1:$1/v2
  token_file: scim.token
  page_size: 1000
  layout: $ROOT/mappings/scim.yaml
  attributes: {hire_date: "$hr:hireDate", termination_date: "$hr:terminationDate", job_code: "$hr:jobCode"}
directory:
  url: ldap://127.0.0.1:9
  bind_dn: cn=idsync,ou=services,dc=example,dc=org
  password_file: bind.pw
  base: dc=example,dc=org
  people: ou=people,dc=example,dc=org
  groups: ou=groups,dc=example,dc=org
  placeholder_member: uid=placeholder,ou=services,dc=example,dc=org
  password_policy: cn=default,ou=policies,dc=example,dc=org
mapping: $ROOT/mappings/accounts.yaml
roles: $ROOT/mappings/roles.yaml
audit: {path: audit.jsonl}
lock: {path: idsync.lock}
YAML
    echo "$WORK/idsync-$1.yaml"
}

# validate CONFIG COUNT LABEL: times idsync validate and prints the figures.
validate() {
    local began ended seconds rss
    began=$(now)
    /usr/bin/time -f '%M %U' -o "$WORK/rss" "$IDSYNC" validate --config "$1" > "$WORK/validate.out"
    ended=$(now)
    grep -q " $2 people" "$WORK/validate.out" || { log "validate read: $(cat "$WORK/validate.out")"; exit 1; }
    seconds=$(calc "round($ended - $began, 2)")
    read -r rss cpu < "$WORK/rss"
    printf '%-58s %8s s %9s users/s  (CPU %s s, peak RSS %s MB)\n' "$3" "$seconds" \
        "$(calc "round($2 / ($ended - $began))")" "$cpu" "$(calc "round($rss / 1024)")"
}

log "1. the stand-in serving $USERS generated users"
start standin python3 "$HERE/scim-standin.py" rfc --generate "$USERS"
STANDIN=$PORT
for (( start = 1; start <= USERS; start += 1000 )); do
    echo "url = \"http://127.0.0.1:$STANDIN/v2/Users?startIndex=$start&count=1000\""
    echo "output = /dev/null"
done > "$WORK/curl.cfg"
printf 'Authorization: Bearer %s\n' "$IDSYNC_SCIM_TOKEN" > "$WORK/curl-header"
began=$(now)
curl -sf -H "@$WORK/curl-header" --config "$WORK/curl.cfg"
ended=$(now)
printf '%-58s %8s s %9s users/s\n' "floor: curl of the same $(( (USERS + 999) / 1000 )) pages (stand-in)" \
    "$(calc "round($ended - $began, 2)")" "$(calc "round($USERS / ($ended - $began))")"
validate "$(config "$STANDIN")" "$USERS" "idsync validate, $USERS users over SCIM (stand-in)"

[[ $SCIM2_USERS -gt 0 ]] || exit 0
log "2. scim2-server seeded with $SCIM2_USERS users"
[[ -x $ROOT/.venv-scim/bin/python ]] || { log "no .venv-scim: run scripts/install-deps.sh"; exit 2; }
start scim2 "$ROOT/.venv-scim/bin/python" "$HERE/scim-test-server.py"
SCIM2=$PORT
began=$(now)
python3 "$HERE/scim-seed.py" "http://127.0.0.1:$SCIM2/v2" --generate "$SCIM2_USERS" >/dev/null
ended=$(now)
printf '%-58s %8s s\n' "seeding $SCIM2_USERS users into scim2-server (POST /Bulk)" "$(calc "round($ended - $began, 2)")"
validate "$(config "$SCIM2")" "$SCIM2_USERS" "idsync validate, $SCIM2_USERS users over SCIM (scim2-server)"
