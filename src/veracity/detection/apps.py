from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    name = "veracity.detection"
    verbose_name = _("Suspicious-information detection")

    def ready(self) -> None:
        # Cases re-checks corrected customers (PW-4) with detection's rules; detection sits
        # above cases, so it hands the re-check down instead of cases importing it.
        from veracity.cases.services import clue_recheck_provide
        from veracity.detection.services import detection_recheck

        clue_recheck_provide(detection_recheck)
