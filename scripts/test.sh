#!/bin/bash
# test.sh: the whole test suite. Unit tests of the core, connector and end-to-end tests on a
# real slapd that the tests start on 127.0.0.1 themselves, and the cron wrapper's test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
cron/test-nightly.sh
