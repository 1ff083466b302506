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
        from veracity.access.models import AccessGrant, AccessRequest
        from veracity.audit.selectors import about_customer

        # the trail's 档案号 filter finds a customer's requests (their approvals, returns,
        # exports) and loans
        about_customer(
            "access_request",
            lambda cid: AccessRequest.objects.filter(customers=cid).values_list("pk", flat=True)[
                :1000
            ],
        )
        about_customer(
            "access_grant",
            lambda cid: AccessGrant.objects.filter(customer_id=cid).values_list("pk", flat=True)[
                :1000
            ],
        )
