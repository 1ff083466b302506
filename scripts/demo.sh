#!/usr/bin/env bash
# One command on a fresh machine: install, build the embedded demo (SQLite, synthetic book),
# print the demo logins and serve the staff web app at http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=veracity.config.settings.demo
uv run --frozen veracity migrate --no-input
uv run --frozen veracity demo-data --customers "${DEMO_CUSTOMERS:-3000}" --if-empty
uv run --frozen veracity demo-users
exec uv run --frozen veracity runserver "${DEMO_ADDR:-127.0.0.1:8000}"
