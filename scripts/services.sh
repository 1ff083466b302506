#!/usr/bin/env bash
# Start what the tests need when it is not already running: PostgreSQL, Redis, and Debian's
# Chromium with CJK fonts for the browser tests, gettext for the translation check.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
if [ ! -x /usr/bin/chromium ] || ! command -v msgfmt >/dev/null \
   || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
   || ! fc-list 2>/dev/null | grep -qi "HanaMin" \
   || ! ldconfig -p 2>/dev/null | grep -q "libpango-1.0"; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # WeasyPrint (the regulator report's PDF) needs pango; HanaMin (fonts-hanazono) is the
  # fallback for rare name characters Noto Sans CJK SC lacks
  apt-get install -y -qq chromium fonts-noto-cjk fonts-hanazono libpango-1.0-0 libpangoft2-1.0-0 \
    gettext >/dev/null
fi
