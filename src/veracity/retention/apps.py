from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "veracity.retention"
    verbose_name = _("Retention, destruction and archive inspection")

    def ready(self) -> None:
        # once the app registry is ready (Django's convention)
        from veracity.retention import services  # noqa: F401  (its approvals outcome hook)
