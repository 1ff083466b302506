"""``demo-users`` creates the demo logins (one shared, published password) only with the
demo settings: never with the production settings."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.test_settings import ENV_KEYS, manage


def test_refused_with_the_production_settings():
    result = manage("demo-users", extra=ENV_KEYS)
    assert result.returncode != 0
    assert "production" in result.stderr
    assert "veracity-demo" not in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("demo", "production", "refused"),
    [(True, True, "production"), (False, False, "demo settings"), (True, False, None)],
    ids=["production, even with the demo flag", "not the demo settings", "demo"],
)
def test_which_settings_may_make_demo_users(settings, demo, production, refused):
    # the demo runs with DEBUG off like production; the demo settings' own flag decides
    settings.DEBUG = False
    settings.VERACITY_DEMO, settings.VERACITY_PRODUCTION = demo, production
    if refused:
        with pytest.raises(CommandError, match=refused):
            call_command("demo_users")
        assert not get_user_model().objects.filter(username="alice").exists()
    else:
        call_command("demo_users")
        assert get_user_model().objects.filter(username="alice").exists()


@pytest.mark.django_db
def test_demo_users_have_mail_addresses_on_the_reserved_domain(settings):
    settings.VERACITY_DEMO, settings.VERACITY_PRODUCTION = True, False
    call_command("demo_users")
    addresses = set(get_user_model().objects.values_list("email", flat=True))
    assert "alice@demo.veracity.example" in addresses
    assert all(a.endswith("@demo.veracity.example") for a in addresses)
