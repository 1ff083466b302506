from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "veracity.access"
    verbose_name = _("Access governance")

    def ready(self) -> None:
        # once the app registry is ready (Django's convention): these register themselves
        from veracity.access import (
            checks,  # noqa: F401  (registers the keyring check)
            governance,  # noqa: F401  (its approvals outcome hooks)
        )
