from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "veracity.conduct"
    verbose_name = _("Sales-force conduct")
