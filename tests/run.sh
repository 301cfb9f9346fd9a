#!/usr/bin/env bash
# Install everything the tests need, then run them all: ruff (lint and format),
# mypy (strict, as pyproject.toml sets) and pytest, browser tests in Debian's
# headless Chromium included.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Playwright drives the system Chromium; its own browser download cannot work here.
if ! command -v chromium >/dev/null 2>&1; then
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

python3 -m ruff check okrpub tests bench
python3 -m ruff format --check okrpub tests bench
python3 -m mypy
python3 -m pytest -p no:cacheprovider "$@"
