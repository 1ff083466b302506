#!/usr/bin/env bash
# One command runs every check and the whole test suite, on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/services.sh

echo "== static checks"
uv run --frozen ruff check .
uv run --frozen ruff format --check .
uv run --frozen lint-imports
uv run --frozen mypy
DJANGO_SETTINGS_MODULE=veracity.config.settings.test \
  uv run --frozen veracity makemigrations --check --dry-run

echo "== the core without Django"
uv run --frozen pytest tests/core -p no:django -q

echo "== tests on SQLite"
uv run --frozen pytest "$@"

echo "== tests on PostgreSQL"
DATABASE_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/veracity}" \
  uv run --frozen pytest "$@"
