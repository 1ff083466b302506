#!/usr/bin/env bash
# Shared by scripts/demo.sh and scripts/test.sh: the Python environment from the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
export UV_PYTHON_DOWNLOADS=never
uv sync --frozen --quiet
# The regulator report's PDF (WeasyPrint) needs pango and the CJK fonts: Noto Sans CJK, and
# HanaMin (fonts-hanazono) for the rare name characters Noto lacks.
if ! ldconfig -p 2>/dev/null | grep -q "libpango-1.0" \
   || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
   || ! fc-list 2>/dev/null | grep -qi "HanaMin"; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk fonts-hanazono \
      >/dev/null
  else
    echo "note: install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk fonts-hanazono" \
      "for the regulator report's PDF" >&2
  fi
fi
