#!/usr/bin/env bash
# One command on a fresh machine: install, build the embedded demo (SQLite, synthetic book),
# print the demo logins and serve the staff web app at http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=veracity.config.settings.demo
uv run --frozen veracity migrate --no-input
# DEBUG is off (Veracity's own error pages): WhiteNoise serves the collected static files.
uv run --frozen veracity collectstatic --no-input >/dev/null
uv run --frozen veracity demo-data --customers "${DEMO_CUSTOMERS:-3000}" --if-empty
uv run --frozen veracity detect --if-due >/dev/null || true
uv run --frozen veracity demo-users
# the customer portal /my/: one demo customer's login (the others register; SMS: var/sms-outbox.jsonl)
uv run --frozen veracity demo-portal
# The job queue (SQLite-backed Huey): the daily T+1 detection run and other scheduled jobs.
uv run --frozen veracity run_huey --workers 1 >var/huey.log 2>&1 &
huey_pid=$!
trap 'kill "$huey_pid" 2>/dev/null || true' EXIT INT TERM
uv run --frozen veracity runserver "${DEMO_ADDR:-127.0.0.1:8000}"
