#!/bin/bash
# slapd-txn-check.sh [COUNT]   (default COUNT: 200)
#
# Checks whether this machine's slapd survives LDAP transactions (RFC 5805), which idsync does
# not use for that reason (README, "Benchmark"). Starts a throwaway slapd on 127.0.0.1
# (scripts/throwaway-slapd.sh), then runs COUNT transactions of 10 adds each with stock
# `ldapadd -E txn` as the rootdn, one connection each, and stops at the first that fails.
#
# slapd 2.5.13 (Debian 12) queues an update of a transaction and releases the connection before
# it sends the update's response, so the End Transaction that the client sends on reading that
# response can run, and free the queued update, while the worker thread is still finishing it:
# slapd dies with a segmentation fault. Seen here at the 1st, 3rd and 7th transaction with
# slapd's default logging, at the 88th with olcLogLevel none.
#
# Prints what happened; exit 0 when slapd survived every transaction, 1 when it died, 2 on a
# setup error. A survival is no proof: the crash is a race, so run it with a large COUNT.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COUNT=${1:-200}
[[ $COUNT =~ ^[0-9]+$ ]] || { echo "slapd-txn-check: COUNT must be a number" >&2; exit 2; }
export LDAPNOINIT=1
command -v slapd >/dev/null || export PATH=$PATH:/usr/sbin

DIR=$(mktemp -d /tmp/txncheck.XXXXXX)
trap '"$HERE/stop-slapd.sh" "$DIR/slapd" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
PORT=
for _ in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + RANDOM % 30000 ))
    rc=0; "$HERE/throwaway-slapd.sh" "$DIR/slapd" "$port" >/dev/null || rc=$?
    if [[ $rc == 0 ]]; then PORT=$port; break; fi
    [[ $rc == 3 ]] || { echo "slapd-txn-check: throwaway-slapd.sh failed with $rc" >&2; exit 2; }
done
[[ -n $PORT ]] || { echo "slapd-txn-check: no free port found" >&2; exit 2; }

VERSION=$(slapd -VV 2>&1 | sed -n 's/.*slapd \([0-9.]*\).*/\1/p' | head -1)
echo "slapd $VERSION on 127.0.0.1:$PORT:" \
    "$COUNT transactions of 10 adds (ldapadd -E txn)"
for ((t = 1; t <= COUNT; t++)); do
    for ((i = 0; i < 10; i++)); do
        printf 'dn: uid=t%dx%d,ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\n' "$t" "$i"
        printf 'uid: t%dx%d\ncn: t\nsn: t\n\n' "$t" "$i"
    done > "$DIR/batch.ldif"
    if ! ldapadd -x -H "ldap://127.0.0.1:$PORT/" -D "cn=admin,dc=example,dc=org" \
            -y "$DIR/slapd/admin.pw" -E txn -f "$DIR/batch.ldif" \
            >/dev/null 2>"$DIR/ldapadd.err"; then
        if ldapsearch -x -H "ldap://127.0.0.1:$PORT/" -b "" -s base 1.1 >/dev/null 2>&1; then
            echo "transaction $t failed, slapd still up: $(tail -1 "$DIR/ldapadd.err")"
            exit 2
        fi
        echo "slapd died during transaction $t"
        exit 1
    fi
done
echo "slapd survived $COUNT transactions"
