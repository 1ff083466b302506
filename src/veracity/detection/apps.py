from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    name = "veracity.detection"
    verbose_name = _("Suspicious-information detection")
