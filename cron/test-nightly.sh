#!/usr/bin/env bash
# Tests idsync-nightly.sh with a fake idsync, a recording hook and a recording logger, all in a
# temporary directory. Prints "cron: N passed, M failed" and exits non-zero on any failure, so
# CI or a Swift test can run it.

set -u

here="$(cd "$(dirname "$0")" && pwd)"
wrapper="$here/idsync-nightly.sh"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
passed=0
failed=0

check() {
    local name="$1"
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name" >&2
    fi
}

# A fake idsync that prints its arguments and a line of output, then exits FAKE_EXIT.
make_fakes() {
    mkdir -p "$work/bin" "$work/logs"
    cat >"$work/bin/idsync" <<'FAKE'
#!/bin/sh
echo "fake idsync $*"
echo "guard: 40% of accounts would be disabled" >&2
exit "${FAKE_EXIT:-0}"
FAKE
    cat >"$work/bin/hook" <<'FAKE'
#!/bin/sh
env | grep '^IDSYNC_' | sort >"$HOOK_RECORD"
FAKE
    cat >"$work/bin/logger" <<'FAKE'
#!/bin/sh
echo "$*" >>"$LOGGER_RECORD"
FAKE
    cat >"$work/bin/mail" <<'FAKE'
#!/bin/sh
{ echo "args: $*"; cat; } >"$MAIL_RECORD"
FAKE
    chmod +x "$work/bin/idsync" "$work/bin/hook" "$work/bin/logger" "$work/bin/mail"
}

# Runs the wrapper with the fakes; the fake bin comes first on PATH so that logger is ours and
# no mail leaves the machine.
run_wrapper() {
    env PATH="$work/bin:/usr/bin:/bin" IDSYNC_BIN="$work/bin/idsync" \
        IDSYNC_CONFIG="$work/idsync.yaml" IDSYNC_LOG_DIR="$work/logs" \
        HOOK_RECORD="$work/hook.env" LOGGER_RECORD="$work/logger.txt" \
        MAIL_RECORD="$work/mail.txt" \
        "$@" "$wrapper" 2>"$work/stderr"
}

newest_log() {
    find "$work/logs" -name 'sync-*.log' -newer "$work/marker" | head -n 1
}

test_failure_runs_hook() {
    touch "$work/marker"
    sleep 1
    run_wrapper FAKE_EXIT=3 IDSYNC_ALERT_HOOK="$work/bin/hook"
    local code=$? log
    log="$(newest_log)"

    check "exit code is idsync's" [ "$code" -eq 3 ]
    check "log file exists" [ -n "$log" ]
    check "log holds stdout and stderr" grep -q "sync --config $work/idsync.yaml" "$log"
    check "log holds stderr" grep -q "guard: 40%" "$log"
    check "log mode is 0600" [ "$(stat -c %a "$log")" = 600 ]
    check "hook saw exit code" grep -qx "IDSYNC_EXIT_CODE=3" "$work/hook.env"
    check "hook saw output file" grep -qx "IDSYNC_OUTPUT_FILE=$log" "$work/hook.env"
    check "hook saw meaning" grep -q "IDSYNC_EXIT_MEANING=stopped before any write" "$work/hook.env"
    check "no stderr alert when hook worked" [ ! -s "$work/stderr" ]
}

test_failure_without_channels_goes_to_stderr_and_syslog() {
    run_wrapper FAKE_EXIT=4
    local code=$?

    check "exit code 4 passed on" [ "$code" -eq 4 ]
    check "stderr has subject" grep -q "idsync sync exited 4 on " "$work/stderr"
    check "stderr has meaning" grep -q "another run holds the lock" "$work/stderr"
    check "syslog got alert" grep -q "idsync sync exited 4" "$work/logger.txt"
}

test_success_prunes_and_stays_quiet() {
    local old="$work/logs/sync-20000101-021500-1.log"
    : >"$old"
    touch -d '100 days ago' "$old"
    rm -f "$work/hook.env"
    run_wrapper FAKE_EXIT=0 IDSYNC_ALERT_HOOK="$work/bin/hook"
    local code=$?

    check "success exits 0" [ "$code" -eq 0 ]
    check "old log pruned" [ ! -e "$old" ]
    check "no hook on success" [ ! -e "$work/hook.env" ]
    check "quiet on success" [ ! -s "$work/stderr" ]
}

test_failure_mails_subject_and_tail() {
    run_wrapper FAKE_EXIT=1 IDSYNC_ALERT_MAIL=ops@example.org
    local code=$?

    check "exit code 1 passed on" [ "$code" -eq 1 ]
    check "mail subject" grep -q "args: -s idsync sync exited 1 on .* ops@example.org" \
        "$work/mail.txt"
    check "mail has meaning" grep -q "some changes failed" "$work/mail.txt"
    check "mail has output tail" grep -q "guard: 40%" "$work/mail.txt"
}

test_bad_setting_is_config_error() {
    run_wrapper IDSYNC_KEEP_DAYS=ninety
    local code=$?

    check "bad keep days exits 2" [ "$code" -eq 2 ]
    check "bad keep days explained" grep -q "IDSYNC_KEEP_DAYS" "$work/stderr"
}

make_fakes
test_failure_runs_hook
test_failure_without_channels_goes_to_stderr_and_syslog
test_success_prunes_and_stays_quiet
test_failure_mails_subject_and_tail
test_bad_setting_is_config_error

echo "cron: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
