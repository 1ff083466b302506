from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "veracity.conduct"
    verbose_name = _("Sales-force conduct")

    def ready(self) -> None:
        # the penalty register: its approvals' hooks, and the penalty to decide that a
        # verified escalation for false data leaves (``cases.services.on_escalation``)
        # once the app registry is ready (Django's convention): the regulator report's
        # approvals outcome hook and notices register themselves
        from veracity.conduct import (
            penalties,  # noqa: F401
            regulator,  # noqa: F401
        )
