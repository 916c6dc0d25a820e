#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k fit`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Headless Chromium for the report tests comes from Debian: test tools' own
# browser downloads cannot reach their hosts from here.
if ! command -v chromium >/dev/null 2>&1; then
    sudo_=""
    [ "$(id -u)" -eq 0 ] || sudo_="sudo"
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
# the public API is typed (py.typed): keep it mypy-clean
python3 -m mypy
python3 -m pytest "$@"
