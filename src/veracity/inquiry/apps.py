from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiryConfig(AppConfig):
    name = "veracity.inquiry"
    verbose_name = _("Policy inquiries")

    def ready(self) -> None:
        # a legal basis's approvals hooks and notices register themselves
        from veracity.inquiry import third_parties  # noqa: F401
