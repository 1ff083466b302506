"""The runs that produce the list of suspicious customer information (可疑客户信息资料问题件清单,
D1.7), and the facts the rules read besides the customer file (payer exceptions, complaints).

The problem items themselves are cases: :mod:`veracity.cases.models`. A run hands its clues
to :func:`veracity.cases.services.problem_items_open_or_extend`, which opens an item per new
clue and adds new customers to the open item of a known one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from veracity.policies.models import Policy


class DetectionRun(models.Model):
    """One run of the rules for a business date: incremental (what changed since the last
    completed run) or full (the legacy back-check, SD-5). ``done_rules`` is the checkpoint
    that lets an interrupted run resume where it stopped."""

    class Mode(models.TextChoices):
        INCREMENTAL = "incremental", _("Incremental (T+1)")
        FULL = "full", _("Full back-check")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    business_date = models.DateField(_("business date"))
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    done_rules = models.JSONField(default=list)
    counts = models.JSONField(_("counts"), default=dict)
    timings = models.JSONField(_("timings (s)"), default=dict)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = _("detection runs")
        verbose_name = _("detection run")
        constraints = [
            models.UniqueConstraint(fields=["business_date", "mode"], name="one_run_per_day_mode")
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.business_date}"


class PayerException(models.Model):
    """SD-3: an approved exception — the premium may come from this account of another
    person (e.g. a parent paying for an adult child), with who approved it and why."""

    policy = models.OneToOneField(Policy, on_delete=models.CASCADE, related_name="payer_exception")
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        verbose_name = _("payer exception")
        verbose_name_plural = _("payer exceptions")

    def __str__(self) -> str:
        return f"payer exception {self.policy_id}"
