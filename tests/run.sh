#!/usr/bin/env bash
# Install everything the tests need, then run them all: ruff (lint and format),
# mypy (strict, as pyproject.toml sets) and pytest, browser tests in Debian's
# headless Chromium included. pytest runs the tests in one worker process per core
# (pytest-xdist); `bash tests/run.sh -n 0 tests/test_x.py` runs one file in-process.
#
# Everything runs in the virtual environment .venv (made here when missing), so
# that this works on a system Python that refuses pip installs (Debian's
# "externally-managed-environment"). It sees the system's packages too, so
# what is installed there already is not downloaded again.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_cmd=""
if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
apt_install() {
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv --system-site-packages .venv; then
    rm -rf .venv
    apt_install python3-venv
    python3 -m venv --system-site-packages .venv
  fi
fi
python=.venv/bin/python
export PATH="$PWD/.venv/bin:$PATH"

$python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Playwright drives the system Chromium; its own browser download cannot work here.
if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi

$python -m ruff check okrpub tests bench
$python -m ruff format --check okrpub tests bench
$python -m mypy
# -p no:benchmark: a pytest-benchmark the system may have only warns under xdist.
$python -m pytest -p no:cacheprovider -p no:benchmark -n auto "$@"
