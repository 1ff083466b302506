"""Start-up checks of the keyring (issue 10, point 11): ``check --deploy`` fails loudly on a
malformed keyring, and production settings refuse to load one."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from django.core.checks import Tags, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

K1 = base64.b64encode(bytes(range(32))).decode()
K2 = base64.b64encode(bytes(range(32, 64))).decode()
K2_URLSAFE = base64.urlsafe_b64encode(bytes(range(200, 232))).decode()
SHORT = base64.b64encode(b"sixteen bytes!!!").decode()
GOOD = {"keys": f"k1:{K1},k2:{K2}", "active": "k2", "index": K1}

MALFORMED = [
    # (what, keys, active, index, the problem named)
    ("empty keyring", "", "k1", K1, "VERACITY_FIELD_KEYS is empty"),
    ("only commas", ",,", "k1", K1, "empty keyring"),
    ("no key id", K1, "k1", K1, "look like <key_id>:<base64 key>"),
    ("not base64", "k1:not*base64!", "k1", K1, "'k1' is not valid base64"),
    ("stray character", f"k1:{K1[:-2]}!=", "k1", K1, "'k1' is not valid base64"),
    ("short key", f"k1:{SHORT}", "k1", K1, "'k1' must decode to 32 bytes, not 16"),
    ("duplicate id", f"k1:{K1},k1:{K2}", "k1", K1, "duplicate key id 'k1'"),
    ("empty key id", f":{K1}", "k1", K1, "invalid key id"),
    ("active missing", f"k1:{K1}", "k2", K1, "'k2' is not in the keyring (it holds k1)"),
    ("active empty", f"k1:{K1}", "", K1, "VERACITY_ACTIVE_KEY_ID is empty"),
    ("index empty", f"k1:{K1}", "k1", "", "VERACITY_INDEX_KEY is empty"),
    ("index not base64", f"k1:{K1}", "k1", "#" * 44, "the index key is not valid base64"),
    ("index short", f"k1:{K1}", "k1", SHORT, "index key must decode to 32 bytes, not 16"),
]


def keyring_errors(settings, keys, active, index):
    settings.VERACITY_FIELD_KEYS = keys
    settings.VERACITY_ACTIVE_KEY_ID = active
    settings.VERACITY_INDEX_KEY = index
    messages = run_checks(tags=[Tags.security], include_deployment_checks=True)
    return [m for m in messages if m.id == "veracity.E001"]


@pytest.mark.parametrize(("what", "keys", "active", "index", "problem"), MALFORMED)
def test_malformed_keyring_is_an_error_under_check_deploy(
    settings, what, keys, active, index, problem
):
    errors = keyring_errors(settings, keys, active, index)
    assert errors, what
    assert any(problem in e.msg for e in errors), [e.msg for e in errors]
    assert all(e.is_serious() and "base64 of 32 bytes" in e.hint for e in errors)
    with pytest.raises(SystemCheckError, match="keyring is unusable"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


@pytest.mark.parametrize(
    ("keys", "active", "index"),
    [
        (GOOD["keys"], GOOD["active"], GOOD["index"]),
        (f" k1:{K1} , k3:{K2_URLSAFE} ,", "k3", K2_URLSAFE),  # spaces, URL-safe base64
    ],
)
def test_good_keyring_passes(settings, keys, active, index):
    assert keyring_errors(settings, keys, active, index) == []


def test_the_check_runs_only_for_deployment(settings):
    settings.VERACITY_FIELD_KEYS = "k1:broken"
    assert not [m for m in run_checks(tags=[Tags.security]) if m.id == "veracity.E001"]


def production_settings(
    code: str = "import veracity.config.settings.production", **env: str
) -> subprocess.CompletedProcess[str]:
    """Load the production settings in a fresh interpreter with ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VERACITY_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("keys", "active", "index", "ok"),
    [
        (GOOD["keys"], GOOD["active"], GOOD["index"], True),
        (f"k1:{SHORT}", "k1", K1, False),
        (f"k1:{K1}", "k9", K1, False),
        (f"k1:{K1}", "k1", SHORT, False),
    ],
)
def test_production_settings_refuse_a_malformed_keyring(keys, active, index, ok):
    done = production_settings(
        VERACITY_FIELD_KEYS=keys, VERACITY_ACTIVE_KEY_ID=active, VERACITY_INDEX_KEY=index
    )
    if ok:
        assert done.returncode == 0, done.stderr
    else:
        assert done.returncode != 0
        assert "ImproperlyConfigured: the encryption keyring is unusable" in done.stderr
