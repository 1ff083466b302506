#!/usr/bin/env bash
# Shared by scripts/demo.sh and scripts/test.sh: the Python environment from the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
export UV_PYTHON_DOWNLOADS=never
uv sync --frozen --quiet
