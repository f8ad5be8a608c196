#!/bin/bash
# install-deps.sh [--demo]: the Debian packages idsync builds and tests with, installed only if
# missing, and the test servers' Python venvs. --demo installs only what scripts/demo.sh needs
# (no browser, no privacyIDEA or SCIM server).
#
# slapd's package would start a system-wide slapd on every interface (0.0.0.0:389). A
# policy-rc.d that refuses service starts is put in place first unless one exists, so the
# install starts nothing; the demo and tests run their own slapd on 127.0.0.1.
set -euo pipefail

PACKAGES=(slapd ldap-utils libldap-dev libyaml-dev libcurl4-openssl-dev openssl time python3 python3-venv)
DEMO_ONLY=0
[[ ${1:-} == --demo ]] && DEMO_ONLY=1
# Headless Chromium renders the HTML report in its tests (about 45 s to install).
[[ $DEMO_ONLY == 1 ]] || PACKAGES+=(chromium)

# Swift itself is no Debian package: a Swift 6 toolchain must be on PATH already.
if ! command -v swift >/dev/null; then
    echo "install-deps: no 'swift' on PATH; idsync needs a Swift 6.0 or later toolchain (swift.org)" >&2
    exit 1
fi

missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO=sudo
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod +x /usr/sbin/policy-rc.d
        # Only this install is to start nothing; later installs on the machine behave as before.
        trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    echo "installing: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[[ $DEMO_ONLY == 0 ]] || exit 0

# privacyIDEA for the MFA connector's tests: a venv inside the checkout (ignored by git), made
# once; the tests start it on 127.0.0.1 with SQLite (Tests/MFATests/Support/TestPrivacyIDEA).
PI_VENV="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv-privacyidea"
if [[ ! -x "$PI_VENV/bin/pi-manage" ]]; then
    echo "installing privacyIDEA 3.14 into $PI_VENV"
    python3 -m venv "$PI_VENV"
    "$PI_VENV/bin/pip" install -q --disable-pip-version-check privacyidea==3.14
fi

# scim2-server (PyPI) for the SCIM feed's tests and scripts/bench-scim.sh: a venv inside the
# checkout (ignored by git), made once; the tests start it on 127.0.0.1 through
# scripts/scim-test-server.py, which takes the bearer token from the environment.
SCIM_VENV="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv-scim"
if [[ ! -x "$SCIM_VENV/bin/scim2-server" ]]; then
    echo "installing scim2-server 0.8.3 into $SCIM_VENV"
    python3 -m venv "$SCIM_VENV"
    "$SCIM_VENV/bin/pip" install -q --disable-pip-version-check scim2-server==0.8.3
fi
