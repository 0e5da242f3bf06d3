#!/usr/bin/env bash
# One command runs the tests:  ./scripts/run-tests.sh [pytest args…]
# Uses DATABASE_URL when set (CI sets PostgreSQL); otherwise the local PostgreSQL at
# 127.0.0.1:5432 when it answers, else SQLite (tests that need PostgreSQL are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# Tests need the dev file: the runtime pins plus pytest, playwright, ruff and the QR decoder.
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
  if [ ! -d node_modules ]; then
    npm ci --silent --no-audit --no-fund
  elif [ ! -x node_modules/.bin/esbuild ]; then
    # An install from before esbuild joined the lock file: add what is missing, in place
    # (npm ci would first delete node_modules under any test run using it).
    npm install --silent --no-audit --no-fund
  fi
  # The served copy of ODK Web Forms: minified, unused fonts dropped (about a second).
  node scripts/build-assets.mjs >/dev/null
fi
if [ -z "${DATABASE_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/phulam"
fi
export PYTHONHASHSEED=0
exec .venv/bin/python -m pytest "$@"
