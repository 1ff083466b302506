from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "veracity.notices"
    verbose_name = _("Customer notices")

    def ready(self) -> None:
        from veracity.notices import alibaba, refusals  # noqa: F401  (registrations)
        from veracity.notices.listener import notices_for_events
        from veracity.policies.events import on_policy_events

        on_policy_events(notices_for_events)
