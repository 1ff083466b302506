from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "veracity.policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        # once the settings are loaded: the aliases come from them
        from django.conf import settings

        from veracity.core.schema import register_id_type_aliases

        # The sending systems' own ID-type codes, accepted by the one schema of every entry path.
        register_id_type_aliases(getattr(settings, "VERACITY_ID_TYPE_ALIASES", {}))
