#!/usr/bin/env bash
# The README's test command. On a fresh machine (Debian 12, Python 3.11) it installs
# runback and the locked test dependencies (constraints.txt) into a virtual
# environment of its own, .venv-test/, then runs mypy and pytest there: nothing
# outside that folder is installed with pip, and nothing already installed is used.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k fit`).
# RUNBACK_FRESH_VENV=1 rebuilds .venv-test/ from nothing (.ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-test

apt_install() {
    local sudo_=""
    [ "$(id -u)" -eq 0 ] || sudo_="sudo"
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "$@" >/dev/null
}

# Headless Chromium for the report tests comes from Debian: test tools' own
# browser downloads cannot reach their hosts from here.
command -v chromium >/dev/null 2>&1 || apt_install chromium
# Debian's python3 makes virtual environments only with python3-venv installed
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv

if [ "${RUNBACK_FRESH_VENV:-0}" = 1 ] || [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv --clear "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'

# the public API is typed (py.typed): keep it mypy-clean
"$VENV/bin/python" -m mypy
status=0
"$VENV/bin/python" -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests; that is a failure, not a pass" >&2
    exit 1
fi
exit "$status"
