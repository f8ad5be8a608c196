#!/bin/bash
# bench-report.sh [PEOPLE CHANGES]: the HTML report of a large plan, opened in headless Chromium.
#
# Writes a saved plan of PEOPLE people and about CHANGES changes (default 100000 and 5000) with
# scripts/bench-report-generate.py (no directory needed), renders it with the release build's
# 'idsync report --format html', and prints the file sizes, idsync's time to check and render
# the plan, and what the page itself measures in Chromium: the time from navigation to the end
# of its script (HTML parsed, rows indexed, first filter), and one search's filter time.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEOPLE=${1:-100000}
CHANGES=${2:-5000}
WORK=$(mktemp -d /tmp/idsync-bench-report.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"

swift build -c release >/dev/null
IDSYNC=$ROOT/.build/release/idsync

# 'report' loads a config like every command: the sample's, with its files found from here.
printf 'unused\n' > "$WORK/idsync.pw"
chmod 600 "$WORK/idsync.pw"
sed -e "s|\.\./demo/slapd/idsync.pw|$WORK/idsync.pw|" -e "s|\.\./mappings/|$ROOT/mappings/|" \
    -e "s|path: exceptions.yaml|path: $ROOT/sample/exceptions.yaml|" \
    -e "s|path: hr/day1.csv|path: $ROOT/sample/hr/day1.csv|" -e "s|\.\./demo/|$WORK/|" \
    sample/idsync.yaml > "$WORK/idsync.yaml"

python3 "$HERE/bench-report-generate.py" "$PEOPLE" "$CHANGES" "$WORK/plan.json"
IDSYNC_TIMINGS=1 "$IDSYNC" report --config "$WORK/idsync.yaml" --plan "$WORK/plan.json" \
    --format html --out "$WORK/plan.html" 2> "$WORK/timings.txt"
for file in plan.json plan.html; do
    printf '%s: %s bytes\n' "$file" "$(stat -c %s "$WORK/$file")"
done
sed 's/^idsync timings: /idsync report: /' "$WORK/timings.txt"

sandbox=()
[[ $(id -u) -eq 0 ]] && sandbox=(--no-sandbox)     # Chromium's sandbox does not start as root
page() {
    chromium --headless --disable-gpu "${sandbox[@]}" --user-data-dir="$WORK/chromium" \
        --dump-dom "file://$WORK/plan.html$1" 2>/dev/null \
        | grep -o 'data-shown="[0-9]*"\|data-filter-ms="[^"]*"\|data-ready-ms="[^"]*"' | tr '\n' ' '
}
echo "chromium, page opened:           $(page '')"
echo "chromium, opened searching u0001: $(page '#q=u0001')"
echo "chromium, opened searching icu:   $(page '#q=icu')"
