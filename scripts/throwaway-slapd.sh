#!/bin/bash
# throwaway-slapd.sh DIR PORT [LDIF ...]
#
# Starts a private slapd for tests and demos: ldap://127.0.0.1:PORT/ and an ldapi socket in DIR.
# It never listens on any other address. Runs as root (CI) or as any user, with a port >= 1024.
#
#   DIR          fresh working directory (config, database, pidfile, password files)
#   PORT         TCP port on 127.0.0.1
#   LDIF ...     loaded with ldapadd as the rootdn once slapd runs, so memberOf is maintained
#
# Environment:
#   IDSYNC_SLAPD_SYNC=1          keep fsync on (default: olcDbNoSync TRUE, fast and crash-unsafe)
#   IDSYNC_SLAPD_LDAPS_PORT=N    also listen on ldaps://127.0.0.1:N/ with a throwaway CA and
#                                server certificate (SAN IP:127.0.0.1) made by openssl in DIR/tls;
#                                the CA is DIR/tls/ca.crt. StartTLS then works on PORT too.
#
# Identities (passwords are random, in mode-0600 files without a trailing newline; an existing
# file is kept, so a rerun into the same DIR keeps its passwords):
#   cn=admin,dc=example,dc=org               rootdn            DIR/admin.pw
#   cn=idsync,ou=services,dc=example,dc=org  sync service      DIR/idsync.pw
#   cn=reader,ou=services,dc=example,dc=org  read-only, default 500-entry limit  DIR/reader.pw
#
# refint replaces a deleted last group member with the placeholder DN
# uid=placeholder,ou=services,dc=example,dc=org (olcRefintNothing). No entry of that name exists;
# it only keeps groupOfNames valid.
#
# Prints slapd's pid. Exit codes: 1 usage or setup error, 3 port taken, 4 slapd did not start.
# Stop with scripts/stop-slapd.sh DIR.
set -euo pipefail

SUFFIX="dc=example,dc=org"
ROOT_DN="cn=admin,$SUFFIX"
SERVICE_DN="cn=idsync,ou=services,$SUFFIX"
READER_DN="cn=reader,ou=services,$SUFFIX"
PLACEHOLDER_DN="uid=placeholder,ou=services,$SUFFIX"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCHEMA_DIR=/etc/ldap/schema
export PATH="$PATH:/usr/sbin"
export LDAPNOINIT=1                        # ignore ldap.conf and LDAP* variables in the client tools

die() { local code=$1; shift; echo "throwaway-slapd: $*" >&2; exit "$code"; }

# port_in_use PORT: true if something accepts connections on 127.0.0.1:PORT, or any socket
# holds it as its local port. A port handed out free can be taken meanwhile as the source port
# of some client's connection (both come from the ephemeral range): slapd's bind then fails
# although nothing listens there (seen once in a full test run).
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    local hex
    hex=$(printf ':%04X ' "$1")
    awk -v port="$hex" 'NR > 1 && index($2 " ", port) { found = 1 } END { exit !found }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# make_password FILE: writes a random password to FILE (mode 0600) unless FILE exists.
make_password() {
    [[ -s $1 ]] && return 0
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$1")
}

# hash FILE: the {SSHA} hash of the password in FILE.
hash() { slappasswd -T "$1"; }

check_arguments() {
    [[ $# -ge 2 ]] || die 1 "usage: throwaway-slapd.sh DIR PORT [LDIF ...]"
    [[ $2 =~ ^[0-9]+$ && $2 -ge 1 && $2 -le 65535 ]] ||
        die 1 "PORT must be 1-65535, got '$2'"
    command -v slapd >/dev/null || die 1 "slapd not found; install it: apt-get install slapd ldap-utils"
    command -v ldapadd >/dev/null || die 1 "ldapadd not found; install ldap-utils"
    if port_in_use "$2"; then die 3 "port $2 on 127.0.0.1 is already taken"; fi
    if [[ -n ${IDSYNC_SLAPD_LDAPS_PORT:-} ]] && port_in_use "$IDSYNC_SLAPD_LDAPS_PORT"; then
        die 3 "ldaps port $IDSYNC_SLAPD_LDAPS_PORT on 127.0.0.1 is already taken"
    fi
}

# make_tls: a throwaway CA and a server certificate for 127.0.0.1 in $DIR/tls.
make_tls() {
    command -v openssl >/dev/null || die 1 "IDSYNC_SLAPD_LDAPS_PORT needs openssl"
    local tls=$DIR/tls
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=idsync throwaway CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$tls/ext.cnf"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
        -CAcreateserial -days 2 -extfile "$tls/ext.cnf" -out "$tls/server.crt" 2>/dev/null
}

tls_config() {
    [[ -n ${IDSYNC_SLAPD_LDAPS_PORT:-} ]] || return 0
    echo "olcTLSCACertificateFile: $DIR/tls/ca.crt"
    echo "olcTLSCertificateFile: $DIR/tls/server.crt"
    echo "olcTLSCertificateKeyFile: $DIR/tls/server.key"
}

sync_config() {
    # Always one line: an empty line here would end the LDIF entry early.
    if [[ ${IDSYNC_SLAPD_SYNC:-0} == 1 ]]; then
        echo "olcDbNoSync: FALSE"
    else
        echo "olcDbNoSync: TRUE"
    fi
}

write_config() {
    local root_hash
    root_hash=$(hash "$DIR/admin.pw")
    cat > "$DIR/config.ldif" <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $DIR/slapd.pid
olcArgsFile: $DIR/slapd.args
$(tls_config)

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: memberof
olcModuleLoad: refint
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://$SCHEMA_DIR/core.ldif
include: file://$SCHEMA_DIR/cosine.ldif
include: file://$SCHEMA_DIR/inetorgperson.ldif
include: file://$SCHEMA_DIR/nis.ldif
include: file://$HERE/../schema/idsync.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcRootDN: cn=admin,cn=config
olcRootPW: $root_hash

$(database_config "$root_hash")
EOF
}

# database_config HASH: the mdb database, its ACLs and limits, and the three overlays.
# ACL note (verified on 2.5.13): ppolicy defines pwdAccountLockedTime without NO-USER-MODIFICATION,
# so plain write on the entry lets the service identity lock and unlock; manage is not needed.
# The reader and a user itself get insufficientAccess (50) on it.
database_config() {
    cat <<EOF
dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $SUFFIX
olcRootDN: $ROOT_DN
olcRootPW: $1
olcDbDirectory: $DIR/db
olcDbMaxSize: 4294967296
$(sync_config)
olcDbIndex: objectClass eq
olcDbIndex: uid,mail,employeeNumber eq
olcDbIndex: member,memberOf eq
olcLimits: dn.exact="$SERVICE_DN" size.prtotal=unlimited
olcAccess: {0}to attrs=userPassword
  by dn.exact="$SERVICE_DN" write
  by self write
  by anonymous auth
  by * none
olcAccess: {1}to dn.subtree="ou=people,$SUFFIX"
  by dn.exact="$SERVICE_DN" write
  by * read
olcAccess: {2}to dn.subtree="ou=groups,$SUFFIX"
  by dn.exact="$SERVICE_DN" write
  by * read
olcAccess: {3}to *
  by * read

dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOfConfig
olcOverlay: {0}memberof
olcMemberOfRefInt: TRUE
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf

dn: olcOverlay={1}refint,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {1}refint
olcRefintAttribute: member
olcRefintAttribute: manager
olcRefintNothing: $PLACEHOLDER_DN

dn: olcOverlay={2}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {2}ppolicy
olcPPolicyDefault: cn=default,ou=policies,$SUFFIX
EOF
}

# write_base: the suffix, the four OUs, the default password policy and the two service accounts.
# pwdLockout TRUE without pwdMaxFailure: accounts lock only when someone sets
# pwdAccountLockedTime, never from wrong passwords (tests try wrong passwords).
write_base() {
    cat > "$DIR/base.ldif" <<EOF
dn: $SUFFIX
objectClass: dcObject
objectClass: organization
dc: example
o: Example

$(for ou in people groups services policies; do
    printf 'dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n' "$ou" "$SUFFIX" "$ou"
done)

dn: cn=default,ou=policies,$SUFFIX
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdLockout: TRUE

$(service_entry "$SERVICE_DN" idsync "$DIR/idsync.pw")

$(service_entry "$READER_DN" reader "$DIR/reader.pw")
EOF
}

# service_entry DN CN PASSWORD_FILE
service_entry() {
    cat <<EOF
dn: $1
objectClass: applicationProcess
objectClass: simpleSecurityObject
cn: $2
userPassword: $(hash "$3")
EOF
}

close_inherited_descriptors() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
}

start_slapd() {
    local socket="ldapi://${DIR//\//%2F}%2Fldapi"
    local urls="ldap://127.0.0.1:$PORT/ $socket"
    if [[ -n ${IDSYNC_SLAPD_LDAPS_PORT:-} ]]; then
        urls="$urls ldaps://127.0.0.1:$IDSYNC_SLAPD_LDAPS_PORT/"
    fi

    # Daemon mode: slapd returns once its listeners are open, non-zero if it could not start.
    # The daemon gets none of our caller's descriptors beyond 0-2: it can outlive a test run
    # that was killed, and one that inherited a lock file held that lock until it was stopped.
    if ! (close_inherited_descriptors; exec slapd -F "$DIR/slapd.d" -h "$urls"); then
        if port_in_use "$PORT"; then die 3 "port $PORT on 127.0.0.1 is already taken"; fi
        die 4 "slapd did not start; see why with: slapd -d stats -F $DIR/slapd.d -h '$urls'"
    fi
}

# Usually ready at once; a loaded machine (parallel tests, TLS key generation) can take
# seconds, so the limit is time, not a count of tries.
wait_until_ready() {
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        ldapsearch -x -H "ldap://127.0.0.1:$PORT/" -b "" -s base >/dev/null 2>&1 && return 0
        sleep 0.02
    done
    die 4 "slapd on 127.0.0.1:$PORT did not answer within 30 s"
}

load_ldif() {
    local file
    for file in "$@"; do
        ldapadd -x -H "ldap://127.0.0.1:$PORT/" -D "$ROOT_DN" -y "$DIR/admin.pw" -f "$file" \
            >/dev/null || die 1 "loading $file failed"
    done
}

main() {
    check_arguments "$@"
    DIR=$(realpath -m "$1"); PORT=$2; shift 2
    (( ${#DIR} <= 90 )) || die 1 "DIR is too long for an ldapi socket path (<= 107 bytes): $DIR"

    rm -rf "$DIR/slapd.d" "$DIR/db" "$DIR/tls"
    mkdir -p "$DIR/slapd.d" "$DIR/db"
    for name in admin idsync reader; do make_password "$DIR/$name.pw"; done
    if [[ -n ${IDSYNC_SLAPD_LDAPS_PORT:-} ]]; then make_tls; fi

    write_config
    write_base
    slapadd -n0 -F "$DIR/slapd.d" -l "$DIR/config.ldif" >/dev/null
    slapadd -q -n1 -F "$DIR/slapd.d" -l "$DIR/base.ldif" >/dev/null

    start_slapd
    wait_until_ready
    load_ldif "$@"
    cat "$DIR/slapd.pid"
}

main "$@"
