#!/bin/bash
# demo.sh: idsync on the bundled sample, against a throwaway slapd on 127.0.0.1.
#
# Installs what is missing, builds, starts slapd seeded with sample/directory.ldif, syncs
# the day-0 export, shows the dry-run plan for the day-1 export, applies it, checks a
# leaver's bind, and prints where the audit log is. It stops slapd on the way out.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEMO=$ROOT/demo
PORT=${IDSYNC_DEMO_PORT:-3890}
export LDAPNOINIT=1
cd "$ROOT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. Installing what is missing, building"
scripts/install-deps.sh --demo
swift build -c release 2>&1 | tail -1
IDSYNC=$ROOT/.build/release/idsync

step "2. A throwaway slapd on 127.0.0.1:$PORT, seeded with sample/directory.ldif"
[[ -f $DEMO/slapd/slapd.pid ]] && scripts/stop-slapd.sh "$DEMO/slapd" || true
rm -rf "$DEMO"
mkdir -p "$DEMO"
scripts/throwaway-slapd.sh "$DEMO/slapd" "$PORT" sample/directory.ldif >/dev/null
trap 'scripts/stop-slapd.sh "$DEMO/slapd"' EXIT
ldapmodify -x -H "ldap://127.0.0.1:$PORT" -D cn=admin,dc=example,dc=org -y "$DEMO/slapd/admin.pw" \
    -f sample/lock-slee.ldif >/dev/null

# The sample config, with this run's port, feed and files.
make_config() {
    sed -e "s|ldap://127.0.0.1:3890|ldap://127.0.0.1:$PORT|" \
        -e "s|path: hr/day1.csv|path: ../sample/hr/$1.csv|" \
        -e "s|path: exceptions.yaml|path: ../sample/exceptions.yaml|" \
        -e "s|password_file: ../demo/slapd/idsync.pw|password_file: slapd/idsync.pw|" \
        -e "s|path: ../demo/audit.jsonl|path: audit.jsonl|" \
        -e "s|path: ../demo/idsync.lock|path: idsync.lock|" \
        sample/idsync.yaml > "$DEMO/$1.yaml"
}
make_config day0
make_config day1

step "3. Day 0 (2026-12-01, 02:00 New York): the first sync creates the accounts"
"$IDSYNC" sync --config demo/day0.yaml --at 2026-12-01T07:00:00Z | grep -E '^(idsync|feed|directory:|joiners|applied)'

# Give the nurse who leaves tomorrow a password, and show that she can bind today.
printf 'Night-shift-2026\n' > "$DEMO/ppatel.pw"
chmod 600 "$DEMO/ppatel.pw"
ldappasswd -x -H "ldap://127.0.0.1:$PORT" -D cn=admin,dc=example,dc=org -y "$DEMO/slapd/admin.pw" \
    -T "$DEMO/ppatel.pw" uid=ppatel,ou=people,dc=example,dc=org
printf 'bind as ppatel on day 0: '
ldapwhoami -x -H "ldap://127.0.0.1:$PORT" -D uid=ppatel,ou=people,dc=example,dc=org -y "$DEMO/ppatel.pw"

step "4. Day 1 (2026-12-02, 00:30 New York, still 12-01 in Denver): the dry-run plan IT reads"
"$IDSYNC" plan --config demo/day1.yaml --at 2026-12-02T05:30:00Z | grep -v '^      why' || true

step "5. Day 1: apply it"
set +e
"$IDSYNC" sync --config demo/day1.yaml --at 2026-12-02T05:30:00Z > "$DEMO/day1-sync.txt"
status=$?
set -e
sed -n '/^applied:/,/^audit log:/p' "$DEMO/day1-sync.txt" | grep -v '^audit log:'
# Exit 1 is expected here for the quarantined row alone; a failed change would show above too.
if grep -q '^applied: .* 0 failed' "$DEMO/day1-sync.txt"; then
    echo "exit code $status (1: a quarantined row in the feed, everything else applied)"
else
    echo "exit code $status (1: a quarantined row in the feed and the failures above)"
fi

printf 'bind as ppatel after the leaver run: '
ldapwhoami -x -H "ldap://127.0.0.1:$PORT" -D uid=ppatel,ou=people,dc=example,dc=org -y "$DEMO/ppatel.pw" 2>&1 || true

step "6. Running it again changes nothing"
"$IDSYNC" plan --config demo/day1.yaml --at 2026-12-02T05:30:00Z | grep -E '^joiners' || true

step "Done"
echo "audit log: $DEMO/audit.jsonl ($(wc -l < "$DEMO/audit.jsonl") records); the full day-1 report: $DEMO/day1-sync.txt"
echo "slapd stopped; nothing is left running."
