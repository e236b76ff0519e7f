#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: a Java runtime for the HermiT OWL reasoner.
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource-7)
command -v rapper >/dev/null 2>&1 || need+=(raptor2-utils)
# Chromium for the browser tests of the `viz` pages (tests/test_viz.py; Playwright drives it).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# Python packages, in a virtual environment of the project's own.
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# One worker more than there are cores (pytest-xdist): many tests wait on a server, HermiT or a command's
# process, and the extra worker uses that time (on 2 cores: 350 s instead of 380 s); idle workers steal queued
# tests. `-n 0` in the arguments runs in one process.
workers=$(( $(nproc) + 1 ))
exec .venv/bin/python -m pytest -n "$workers" --dist worksteal "$@"
