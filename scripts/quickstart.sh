#!/usr/bin/env bash
# One command from a fresh clone to a running server with demo data:
#   ./scripts/quickstart.sh
# Creates .venv, installs the pinned requirements, migrates (SQLite in var/ unless
# DATABASE_URL is set), creates the admin and a demo volunteer, publishes every XLSForm in
# forms_xlsform/, loads a small synthetic commune and starts the server on port 8000.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:${PORT}}"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
  npm ci --silent --no-audit --no-fund
  node scripts/build-assets.mjs >/dev/null  # Web Forms minified, unused fonts dropped
fi
mkdir -p "${VAR_DIR:-var}"  # VAR_DIR moves the database, files and QR code elsewhere
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput >/dev/null
.venv/bin/python manage.py setup_demo --households "${DEMO_HOUSEHOLDS:-3000}"
echo
echo "Starting the server on ${PUBLIC_BASE_URL} (Ctrl-C to stop)"
exec .venv/bin/gunicorn backend.wsgi:application --bind "0.0.0.0:${PORT}" --workers "${WEB_WORKERS:-3}" --preload \
  --access-logfile - --timeout 120
