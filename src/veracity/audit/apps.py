from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "veracity.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # once the app registry is ready (Django's convention): the trail's guards and
        # signal receivers register themselves on import
        from veracity.audit import guard, receivers  # noqa: F401
