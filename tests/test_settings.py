"""Production settings refuse to start without secrets and pass ``check --deploy``."""

from __future__ import annotations

import os
import subprocess
import sys

ENV_KEYS = {
    "SECRET_KEY": "x" * 60 + "yz!@#$%^&*()",
    "VERACITY_FIELD_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "VERACITY_ACTIVE_KEY_ID": "k1",
    "VERACITY_INDEX_KEY": "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=",
    "ALLOWED_HOSTS": "veracity.example.com",
}


def manage(*args: str, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    dropped = {*ENV_KEYS, "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"DJANGO_SETTINGS_MODULE": "veracity.config.settings.production", **extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", extra=ENV_KEYS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_keys():
    result = manage("check", extra={"SECRET_KEY": ENV_KEYS["SECRET_KEY"]})
    assert result.returncode != 0
    assert "VERACITY_FIELD_KEYS" in result.stderr


def test_production_refuses_a_mistyped_trusted_proxy():
    result = manage("check", extra={**ENV_KEYS, "VERACITY_TRUSTED_PROXIES": "10.0.0.0/8,lb.local"})
    assert result.returncode != 0
    assert "VERACITY_TRUSTED_PROXIES" in result.stderr
    assert "lb.local" in result.stderr
