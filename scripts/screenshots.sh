#!/usr/bin/env bash
# One command: build a small demo (its own folder, SQLite), serve it, and capture every demo
# login's home page at 1440 px wide in Debian's Chromium into docs/screenshots/<login>.png.
#   bash scripts/screenshots.sh            (DEMO_CUSTOMERS=1500, SCREENS_DIR=/tmp/veracity-screens)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=veracity.config.settings.demo
export VERACITY_VAR_DIR="${SCREENS_DIR:-/tmp/veracity-screens}"
unset DATABASE_URL
rm -rf "$VERACITY_VAR_DIR"
mkdir -p "$VERACITY_VAR_DIR"
uv run --frozen veracity migrate --no-input -v0
uv run --frozen veracity demo-data --customers "${DEMO_CUSTOMERS:-1500}" --if-empty
uv run --frozen veracity detect --if-due >/dev/null || true
uv run --frozen veracity demo-users >/dev/null
addr="${SCREENS_ADDR:-127.0.0.1:8765}"
uv run --frozen veracity runserver --noreload "$addr" >"$VERACITY_VAR_DIR/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://$addr/login/" && break
  sleep 1
done
uv run --frozen python scripts/screenshots.py --base "http://$addr" --out docs/screenshots
