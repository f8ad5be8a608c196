#!/bin/bash
# bench-mfa.sh [N]   (default N: 1000; BULK_ONLY=1 stops after the bulk pass of step 2)
#
# A benchmark, not a test: it prints figures and asserts nothing. It measures how long one
# `idsync sync` takes to revoke the tokens of N leavers on a real privacyIDEA, and how many
# privacyIDEA API calls that run makes per leaver:
#
#   1. a throwaway slapd on 127.0.0.1 and a day-1 sync of N active people (not timed)
#   2. a throwaway privacyIDEA (scripts/privacyidea-test-server.py, SQLite) whose LDAP resolver
#      reads that slapd and hides locked accounts; one HOTP token enrolled per person (not timed);
#      then one bulk reconciliation pass over those N active tokens, timed (calls, seconds)
#   3. day 2: all N terminated. `idsync sync` with the privacyidea connector: disables, token
#      revocations and the revocation records      (wall, changes, API calls per leaver)
#   4. `idsync plan` afterwards: API calls (authentication and one page of the bulk reconciliation:
#      revocation is recorded complete on every account, so nobody is asked about one by one)
#
# Needs the privacyIDEA venv (scripts/install-deps.sh), slapd, python3, and an idsync build
# (release if there is one, else debug; IDSYNC_BIN picks another). Work files go under
# bench/mfa (gitignored); every server started here is stopped on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${1:-1000}
IDSYNC=${IDSYNC_BIN:-$ROOT/.build/release/idsync}
[[ -x $IDSYNC ]] || IDSYNC=$ROOT/.build/debug/idsync
[[ -x $IDSYNC ]] || { echo "bench-mfa: build idsync first (swift build -c release)" >&2; exit 2; }
PYTHON=$ROOT/.venv-privacyidea/bin/python
[[ -x $PYTHON ]] || { echo "bench-mfa: no privacyIDEA venv; run scripts/install-deps.sh" >&2; exit 2; }
WORK=$ROOT/bench/mfa
rm -rf "$WORK"; mkdir -p "$WORK"
export LDAPNOINIT=1
now() { date +%s.%N; }
PI_PID=""
cleanup() {
    [[ -n $PI_PID ]] && kill "$PI_PID" 2>/dev/null || true
    "$HERE/stop-slapd.sh" "$WORK/slapd" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# 1. slapd and the day-1 load
printf 'dn: ou=contractors,ou=people,dc=example,dc=org\nobjectClass: organizationalUnit\nou: contractors\n' \
    > "$WORK/contractors.ldif"
for _ in 1 2 3 4 5; do
    PORT=$(( 20000 + RANDOM % 30000 ))
    rc=0; "$HERE/throwaway-slapd.sh" "$WORK/slapd" "$PORT" "$WORK/contractors.ldif" >/dev/null || rc=$?
    [[ $rc == 0 ]] && break
    [[ $rc == 3 ]] || { echo "bench-mfa: slapd did not start ($rc)" >&2; exit 1; }
done
python3 - "$N" "$WORK" <<'PY'
import os, sys
n, work = int(sys.argv[1]), sys.argv[2]
header = ("Employee #,First Name,Preferred Name,Last Name,Job Title,Job Code,Department,Location,"
          "Employment Status,Status,Hire Date,Termination Date,Contract End Date,Supervisor EID")
for day, status, ended in (("day1", "Active", ""), ("day2", "Terminated", "12/03/2026")):
    with open(f"{work}/{day}.csv", "w") as feed:
        feed.write(header + "\n")
        for i in range(n):
            feed.write(f"{900000 + i},Bench,,Person{i:05d},Admissions Clerk,AD01,Admissions,Main Campus,"
                       f"Full-Time,{status},01/15/2020,{ended},,\n")
PY
sed -e "s|ldap://127.0.0.1:[0-9]*|ldap://127.0.0.1:$PORT|" \
    -e "s|^  path: hr/day1.csv|  path: $WORK/feed.csv|" \
    -e "s|\.\./mappings/|$ROOT/mappings/|" \
    -e "s|password_file: .*|password_file: $WORK/slapd/idsync.pw|" \
    -e "s|^  path: \.\./demo/audit.jsonl|  path: $WORK/audit.jsonl|" \
    -e "s|^  path: \.\./demo/idsync.lock|  path: $WORK/idsync.lock|" \
    -e "s|max_feed_shrink_percent: .*|max_feed_shrink_percent: 100|" \
    -e "s|max_leavers: .*|max_leavers: {count: 1000000, percent: 100}|" \
    -e "s|max_group_removals: .*|max_group_removals: {count: 1000000, percent: 100}|" \
    -e "s|max_joiners: .*|max_joiners: {count: 1000000, percent: 100}|" \
    -e "s|^  path: exceptions.yaml|  path: $ROOT/sample/exceptions.yaml|" \
    "$ROOT/sample/idsync.yaml" > "$WORK/idsync.yaml"
cp "$WORK/day1.csv" "$WORK/feed.csv"
"$IDSYNC" sync --config "$WORK/idsync.yaml" --at 2026-12-02T17:00:00Z > "$WORK/day1.out" 2>&1 \
    || { echo "bench-mfa: day-1 sync failed, see $WORK/day1.out" >&2; exit 1; }

# 2. privacyIDEA, its resolver on the slapd, a token per person
ADMIN_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
umask 077; printf '%s\n' "$ADMIN_PW" > "$WORK/pi-admin.pw"; umask 022
IDSYNC_PI_ADMIN_PASSWORD=$ADMIN_PW "$PYTHON" "$HERE/privacyidea-test-server.py" "$WORK/pi" \
    > "$WORK/pi.log" 2>&1 &
PI_PID=$!
for _ in $(seq 1 600); do grep -q '^PORT ' "$WORK/pi.log" && break; sleep 0.2; done
PI_PORT=$(sed -n 's/^PORT //p' "$WORK/pi.log")
[[ -n $PI_PORT ]] || { echo "bench-mfa: privacyIDEA did not start, see $WORK/pi.log" >&2; exit 1; }
t0=$(now)
IDSYNC_PI_ADMIN_PASSWORD=$ADMIN_PW python3 - "$PI_PORT" "$PORT" "$WORK/slapd/reader.pw" "$N" <<'PY'
import json, os, sys, urllib.request
port, ldap_port, reader_file, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
base = f"http://127.0.0.1:{port}"
def call(method, path, body, jwt=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **({"Authorization": jwt} if jwt else {})})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["result"]["value"]
jwt = call("POST", "/auth", {"username": "admin", "password": os.environ["IDSYNC_PI_ADMIN_PASSWORD"]})["token"]
call("POST", "/resolver/staff", {
    "type": "ldapresolver", "LDAPURI": f"ldap://127.0.0.1:{ldap_port}", "LDAPBASE": "ou=people,dc=example,dc=org",
    "BINDDN": "cn=reader,ou=services,dc=example,dc=org", "BINDPW": open(reader_file).read().strip(),
    "AUTHTYPE": "Simple", "LOGINNAMEATTRIBUTE": "uid",
    "LDAPSEARCHFILTER": "(&(objectClass=inetOrgPerson)(!(pwdAccountLockedTime=*)))",
    "USERINFO": json.dumps({"username": "uid", "givenname": "givenName", "surname": "sn"}), "UIDTYPE": "uid",
    "SCOPE": "SUBTREE", "TIMEOUT": "5", "SIZELIMIT": "500", "CACHE_TIMEOUT": "120", "NOREFERRALS": "True"}, jwt)
call("POST", "/realm/staff", {"resolvers": "staff"}, jwt)
PY
# The tokens are enrolled inside privacyIDEA's own library, not over HTTP, which is much faster
# (a signed audit entry per request is the cost there): the same rows in the same database.
PRIVACYIDEA_CONFIGFILE=$WORK/pi/pi.cfg "$PYTHON" - "$N" <<'PY'
import os, sys
from privacyidea.app import create_app
from privacyidea.lib.token import init_token
from privacyidea.lib.user import User
app = create_app(config_name="production", config_file=os.environ["PRIVACYIDEA_CONFIGFILE"], silent=True)
with app.app_context():
    for i in range(int(sys.argv[1])):
        init_token({"type": "hotp", "genkey": 1, "serial": f"BENCH{i:05d}"},
                   user=User(f"bperson{i:05d}", realm="staff"))
PY
echo "enrolled $N HOTP tokens in $(python3 -c "print(round($(now) - $t0, 1))") s (setup, not a figure)"

# 2b. one bulk reconciliation pass as idsync makes it (N active tokens): /auth, then every page
# of the realm's active, assigned tokens, a thousand a page
IDSYNC_PI_ADMIN_PASSWORD=$ADMIN_PW python3 - "$PI_PORT" <<'PY'
import json, os, sys, time, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def call(method, path, body=None, jwt=None):
    headers = {"Authorization": jwt} if jwt else {"Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, method=method, data=data, headers=headers)
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["result"]["value"]
start = time.monotonic()
jwt = call("POST", "/auth", {"username": "admin", "password": os.environ["IDSYNC_PI_ADMIN_PASSWORD"]})["token"]
calls, tokens, page = 1, 0, 1
while page:
    value = call("GET", f"/token/?tokenrealm=staff&assigned=True&active=True&sortby=serial&pagesize=1000&page={page}", jwt=jwt)
    calls, tokens, page = calls + 1, tokens + len(value["tokens"]), value["next"]
print(f"bulk reconciliation pass: {tokens} active tokens in {calls} calls (1 /auth + {calls - 1} pages), "
      f"{time.monotonic() - start:.2f} s")
PY
cat >> "$WORK/idsync.yaml" <<YAML

mfa:
  connectors:
    - name: pi
      type: privacyidea
      url: http://127.0.0.1:$PI_PORT
      admin_user: admin
      password_file: $WORK/pi-admin.pw
      realm: staff
      resolver: staff
      user_id: login
YAML
[[ ${BULK_ONLY:-} == 1 ]] && exit 0

# 3. the leaver day
cp "$WORK/day2.csv" "$WORK/feed.csv"
before=$(grep -c '\[werkzeug\]' "$WORK/pi.log" || true)
t0=$(now)
rc=0; IDSYNC_TIMINGS=1 "$IDSYNC" sync --config "$WORK/idsync.yaml" --at 2026-12-04T17:00:00Z \
    > "$WORK/day2.out" 2> "$WORK/day2.err" || rc=$?
wall=$(python3 -c "print(round($(now) - $t0, 2))")
after=$(grep -c '\[werkzeug\]' "$WORK/pi.log" || true)
calls=$(( after - before ))
revoked=$(grep -c '"action":"revoke-authenticators".*"result":"ok"' "$WORK/audit.jsonl" || true)
recorded=$(grep -c '"action":"record-revocation-complete".*"result":"ok"' "$WORK/audit.jsonl" || true)
echo "leaver sync of $N people: exit $rc, $wall s; $revoked token revocations ok, $recorded revocations recorded complete"
echo "  privacyIDEA API calls: $calls, $(python3 -c "print(round($calls / $N, 2))") per leaver (one token each)"
grep -h 'applied:' "$WORK/day2.out" | sed 's/^/  /'
sed 's/^/  /' "$WORK/day2.err"

# 4. the next run asks privacyIDEA about nobody
before=$after
"$IDSYNC" plan --config "$WORK/idsync.yaml" --at 2026-12-05T17:00:00Z > "$WORK/day3.out" 2>&1 || true
after=$(grep -c '\[werkzeug\]' "$WORK/pi.log" || true)
echo "next plan: $(( after - before )) privacyIDEA API calls (/auth and one bulk reconciliation page; nobody asked about one by one)"
