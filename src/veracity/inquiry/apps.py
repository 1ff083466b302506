from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiryConfig(AppConfig):
    name = "veracity.inquiry"
    verbose_name = _("Policy inquiries")
