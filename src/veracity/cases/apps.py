from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "veracity.cases"
    verbose_name = _("Problem-item cases")

    def ready(self) -> None:
        from veracity.audit.selectors import about_customer
        from veracity.audit.sentences import register_words
        from veracity.cases.models import ProblemItemMember, Stage, StepAction

        # the trail's 档案号 filter finds the steps of the customer's problem items, and its
        # sentences name the steps and stages in words
        about_customer(
            "problem_item",
            lambda cid: ProblemItemMember.objects.filter(customer_id=cid).values_list(
                "item_id", flat=True
            )[:1000],
        )
        register_words("case_step", StepAction.choices)
        register_words("stage", Stage.choices)
