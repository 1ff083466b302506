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

        # destruction (D4.25) empties the address a destroyed customer's notices went to;
        # the notices stay for the effect report
        from veracity.notices.models import CustomerNotice
        from veracity.retention.destruction import Erasure, personal_columns, register_erasures

        def erasures() -> list[Erasure]:
            model = CustomerNotice
            return [Erasure(model, "customer_id", False, personal_columns(model), history=False)]

        register_erasures(erasures)
