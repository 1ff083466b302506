from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "veracity.portal"
    verbose_name = _("Customer portal")

    def ready(self) -> None:
        # destruction (D4.25): a destroyed customer's portal login and one-time codes go, and
        # the values of their reported contact changes are emptied
        from veracity.portal.models import ContactChangeRequest, OneTimeCode, PortalAccount
        from veracity.retention.destruction import Erasure, personal_columns, register_erasures

        def erasures() -> list[Erasure]:
            return [
                Erasure(PortalAccount, "customer_id", True, history=False),
                Erasure(
                    OneTimeCode, "customer_id", True, personal_columns(OneTimeCode), history=False
                ),
                Erasure(
                    ContactChangeRequest,
                    "customer_id",
                    False,
                    personal_columns(ContactChangeRequest),
                    history=False,
                ),
            ]

        register_erasures(erasures)
