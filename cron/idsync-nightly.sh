#!/usr/bin/env bash
# Runs one `idsync sync`, keeps its output in a dated log file, prunes old logs and raises an
# alert when idsync exits with anything but 0. cron (idsync.cron) and systemd (idsync.service)
# both run this script, so the behaviour is the same whichever a site uses.
#
# Settings, from the environment:
#   IDSYNC_BIN          idsync executable              (default /usr/local/bin/idsync)
#   IDSYNC_CONFIG       configuration file             (default /etc/idsync/idsync.yaml)
#   IDSYNC_LOG_DIR      where run logs go              (default /var/log/idsync)
#   IDSYNC_KEEP_DAYS    days a run log is kept         (default 90)
#   IDSYNC_ALERT_MAIL   address mailed on failure      (optional; needs mail or sendmail)
#   IDSYNC_ALERT_HOOK   path of an executable run on failure, with IDSYNC_EXIT_CODE,
#                       IDSYNC_EXIT_MEANING and IDSYNC_OUTPUT_FILE set (optional)
# With neither alert configured, or when every configured one fails, the alert goes to stderr
# (cron mails it to MAILTO, systemd keeps it in the journal) and to syslog through logger.
#
# Exits with idsync's exit code. The script itself prints no settings or environment; what the
# alert quotes is idsync's own output, which never contains secrets.

set -u
umask 077

IDSYNC_BIN="${IDSYNC_BIN:-/usr/local/bin/idsync}"
IDSYNC_CONFIG="${IDSYNC_CONFIG:-/etc/idsync/idsync.yaml}"
IDSYNC_LOG_DIR="${IDSYNC_LOG_DIR:-/var/log/idsync}"
IDSYNC_KEEP_DAYS="${IDSYNC_KEEP_DAYS:-90}"
IDSYNC_ALERT_MAIL="${IDSYNC_ALERT_MAIL:-}"
IDSYNC_ALERT_HOOK="${IDSYNC_ALERT_HOOK:-}"

# Exit code 2 is idsync's own "usage or configuration error"; a broken wrapper setting is one.
readonly CONFIG_ERROR=2
readonly TAIL_LINES=50

# The meaning of an idsync exit code, as the README documents them, for the alert text.
exit_meaning() {
    case "$1" in
        0) echo "success" ;;
        1) echo "some changes failed or feed rows were quarantined; the rest were applied" ;;
        2) echo "usage or configuration error; nothing was changed" ;;
        3) echo "stopped before any write: a guard tripped or an input could not be trusted" ;;
        4) echo "another run holds the lock; this run did nothing" ;;
        126) echo "the idsync binary is not executable" ;;
        127) echo "the idsync binary was not found" ;;
        *)
            if [ "$1" -gt 128 ]; then
                echo "idsync was killed by signal $(($1 - 128))"
            else
                echo "unknown exit code"
            fi
            ;;
    esac
}

host_name() {
    hostname 2>/dev/null || uname -n
}

# Checks the settings a run cannot do without; prints why and returns non-zero otherwise.
check_settings() {
    case "$IDSYNC_KEEP_DAYS" in
        '' | *[!0-9]*)
            echo "idsync-nightly: IDSYNC_KEEP_DAYS must be a number of days" >&2
            return 1
            ;;
    esac

    if ! mkdir -p -- "$IDSYNC_LOG_DIR"; then
        echo "idsync-nightly: cannot create log directory $IDSYNC_LOG_DIR" >&2
        return 1
    fi
}

# Creates the run's log file, readable by its owner only, and prints its path.
new_log_file() {
    local log
    log="$IDSYNC_LOG_DIR/sync-$(date +%Y%m%d-%H%M%S)-$$.log"

    # umask 077 already gives 0600; chmod makes sure even if the umask was overridden.
    : >"$log" && chmod 600 -- "$log" && printf '%s\n' "$log"
}

# Deletes run logs older than IDSYNC_KEEP_DAYS; only files this script names are touched.
prune_logs() {
    find "$IDSYNC_LOG_DIR" -maxdepth 1 -type f -name 'sync-*.log' \
        -mtime +"$IDSYNC_KEEP_DAYS" -delete
}

# The alert body: the meaning of the code, where the full output is, and its last lines.
alert_body() {
    local code="$1" log="$2"

    printf 'idsync sync exited %s: %s\n' "$code" "$(exit_meaning "$code")"
    printf 'Full output: %s\n\nLast %s lines:\n' "$log" "$TAIL_LINES"
    tail -n "$TAIL_LINES" -- "$log"
}

# Mails the alert with mail(1), or sendmail -t; returns non-zero when neither works.
send_mail() {
    local subject="$1" body="$2"
    local address="${IDSYNC_ALERT_MAIL//[$'\r\n']/}"

    if command -v mail >/dev/null 2>&1; then
        printf '%s\n' "$body" | mail -s "$subject" "$address"
    elif command -v sendmail >/dev/null 2>&1; then
        printf 'To: %s\nSubject: %s\n\n%s\n' "$address" "$subject" "$body" | sendmail -t
    else
        echo "idsync-nightly: neither mail nor sendmail is installed" >&2
        return 1
    fi
}

run_hook() {
    local code="$1" log="$2"

    IDSYNC_EXIT_CODE="$code" IDSYNC_EXIT_MEANING="$(exit_meaning "$code")" \
        IDSYNC_OUTPUT_FILE="$log" "$IDSYNC_ALERT_HOOK"
}

# Sends the alert through every configured channel; falls back to stderr and syslog when none
# is configured or none succeeded, so that a failure is never silent.
alert() {
    local code="$1" log="$2"
    local subject body delivered=0
    subject="idsync sync exited $code on $(host_name)"
    body="$(alert_body "$code" "$log")"

    if [ -n "$IDSYNC_ALERT_MAIL" ] && send_mail "$subject" "$body"; then
        delivered=1
    fi
    if [ -n "$IDSYNC_ALERT_HOOK" ]; then
        if run_hook "$code" "$log"; then
            delivered=1
        else
            echo "idsync-nightly: alert hook $IDSYNC_ALERT_HOOK failed" >&2
        fi
    fi

    if [ "$delivered" -eq 0 ]; then
        alert_locally "$code" "$log" "$subject" "$body"
    fi
}

# The last resort: stderr, which cron mails and systemd journals, and syslog.
alert_locally() {
    local code="$1" log="$2" subject="$3" body="$4"

    printf '%s\n%s\n' "$subject" "$body" >&2
    if command -v logger >/dev/null 2>&1; then
        logger -t idsync -p user.err -- "$subject: $(exit_meaning "$code"); see $log"
    fi
}

main() {
    local log code

    if ! check_settings || ! log="$(new_log_file)"; then
        echo "idsync sync not run on $(host_name): $(exit_meaning "$CONFIG_ERROR")" >&2
        exit "$CONFIG_ERROR"
    fi

    "$IDSYNC_BIN" sync --config "$IDSYNC_CONFIG" >"$log" 2>&1
    code=$?

    # A failed prune is reported but does not hide or change the run's own result.
    prune_logs || echo "idsync-nightly: could not prune old logs in $IDSYNC_LOG_DIR" >&2

    if [ "$code" -ne 0 ]; then
        alert "$code" "$log"
    fi
    exit "$code"
}

main "$@"
