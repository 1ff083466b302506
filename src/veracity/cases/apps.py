from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "veracity.cases"
    verbose_name = _("Problem-item cases")
