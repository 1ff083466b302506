"""Leak incidents (D4.27, PIPL Art. 57) and the daily counts of customer files read that
raise incident candidates.

D4.27: a suspected or actual leak of customer information is reported at once to the
customer information manager and the customer service manager, remediated, and recorded.
PIPL Art. 57: the handler remedies at once and notifies the authority and the individuals
(the kinds of personal information involved, the cause and the possible harm, the remedial
measures taken, what individuals can do to reduce the harm, and the handler's contact);
notifying individuals may be omitted when the measures effectively avoid harm — the reason
is recorded.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class DataType(models.TextChoices):
    """Kinds of customer information a leak can involve."""

    ID_NUMBER = "id_number", _("ID document number")
    NAME = "name", _("Name")
    PHONE = "phone", _("Phone number")
    ADDRESS = "address", _("Address")
    EMAIL = "email", _("E-mail address")
    BANK_ACCOUNT = "bank_account", _("Bank account")
    POLICY = "policy", _("Policy data")
    HEALTH = "health", _("Health data")
    BENEFICIARY = "beneficiary", _("Beneficiary data")
    OTHER = "other", _("Other")


def _handles_incidents(instance: Any, principal: Any) -> bool:
    """Every move's ``permission=``: those who handle incidents (``incidents.handle``);
    ``principal`` is what the service hands the machine (``moves_open_to``)."""
    # lazily: the selectors read these models, so they load after them
    from veracity.incidents.selectors import may_handle_incidents

    return may_handle_incidents(principal=principal)


class LeakIncident(models.Model):
    """A suspected or actual leak. ``status`` moves only through the transitions below
    (django-fsm), each called by :func:`veracity.incidents.services.incident_move`; their
    ``permission=`` says who may take them, so the machine answers which moves a person may
    make now (:func:`veracity.incidents.services.moves_open_to`)::

        candidate ──► reported ──► investigating ──► remediated ──► closed
            └──► dismissed                 ▲──────────────┘
    """

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate (anomaly signal)")
        REPORTED = "reported", _("Reported")
        INVESTIGATING = "investigating", _("Investigating")
        REMEDIATED = "remediated", _("Remediated")
        CLOSED = "closed", _("Closed")
        DISMISSED = "dismissed", _("Dismissed (no leak)")

    class Certainty(models.TextChoices):
        SUSPECTED = "suspected", _("Suspected")
        CONFIRMED = "confirmed", _("Confirmed")

    class Source(models.TextChoices):
        STAFF = "staff", _("Reported by staff")
        ANOMALY = "anomaly", _("Anomaly signal (files read)")
        LOGIN_LOCKOUT = "lockout", _("Login lockout (repeated failed logins)")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Telephone")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")
        APP = "app", _("App or website message")
        ANNOUNCEMENT = "announcement", _("Public announcement")
        IN_PERSON = "in_person", _("In person")

    status = FSMField(_("status"), max_length=15, choices=Status.choices, default=Status.REPORTED)
    certainty = models.CharField(
        _("suspected or confirmed"),
        max_length=10,
        choices=Certainty.choices,
        default=Certainty.SUSPECTED,
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.STAFF
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,  # a candidate is raised by the system
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"))
    description = models.TextField(_("description"))
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("affected customers"), related_name="+", blank=True
    )
    data_types = models.JSONField(_("affected data types"), default=list, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    possible_harm = models.TextField(_("possible harm"), blank=True)
    # --- the anomaly behind a candidate: who read how many customer files on which day
    anomaly_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user who read the files"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    anomaly_day = models.DateField(_("day of the reads"), null=True, blank=True)
    anomaly_files = models.PositiveIntegerField(_("customer files read"), null=True, blank=True)
    anomaly_median = models.FloatField(_("usual files per day (median)"), null=True, blank=True)
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)
    # --- notification of the regulator (PIPL Art. 57: 履行个人信息保护职责的部门)
    regulator_authority = models.CharField(_("authority notified"), max_length=200, blank=True)
    regulator_notified_on = models.DateField(_("authority notified on"), null=True, blank=True)
    regulator_reference = models.CharField(_("reference"), max_length=100, blank=True)
    # --- notification of the individuals (PIPL Art. 57, its five contents)
    individuals_notified_on = models.DateField(_("individuals notified on"), null=True, blank=True)
    individuals_channel = models.CharField(
        _("notified by"), max_length=15, choices=Channel.choices, blank=True
    )
    notice_data_types = models.TextField(_("personal information involved"), blank=True)
    notice_cause_and_harm = models.TextField(_("cause and possible harm"), blank=True)
    notice_remedial_measures = models.TextField(_("remedial measures taken"), blank=True)
    notice_individual_measures = models.TextField(
        _("what individuals can do to reduce harm"), blank=True
    )
    notice_contact = models.CharField(_("contact of the handler"), max_length=300, blank=True)
    individuals_not_notified_reason = models.TextField(
        _("why individuals are not notified"), blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("leak incident")
        verbose_name_plural = _("leak incidents")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["status", "-reported_at"], name="incident_status_time")]
        constraints = [
            # the anomaly job raises at most one candidate per user and day
            models.UniqueConstraint(
                fields=["anomaly_user", "anomaly_day"],
                condition=models.Q(anomaly_user__isnull=False),
                name="one_candidate_per_user_day",
            )
        ]

    def __str__(self) -> str:
        return f"incident #{self.pk}"

    # The legal moves; what each needs besides (a remediation step, what closing needs, the
    # reason for a dismissal) is checked by ``incident_move``.

    @transition(
        field=status, source=Status.CANDIDATE, target=Status.REPORTED, permission=_handles_incidents
    )
    def accept(self) -> None:
        """A candidate (an anomaly signal) is taken for a reported leak."""

    @transition(
        field=status,
        source=Status.CANDIDATE,
        target=Status.DISMISSED,
        permission=_handles_incidents,
    )
    def dismiss(self) -> None:
        """A candidate turns out to be no leak."""

    @transition(
        field=status,
        source=[Status.REPORTED, Status.REMEDIATED],
        target=Status.INVESTIGATING,
        permission=_handles_incidents,
    )
    def investigate(self) -> None:
        """The investigation starts (or starts again after the remediation)."""

    @transition(
        field=status,
        source=Status.INVESTIGATING,
        target=Status.REMEDIATED,
        permission=_handles_incidents,
    )
    def remediate(self) -> None:
        """The leak is remedied."""

    @transition(
        field=status, source=Status.REMEDIATED, target=Status.CLOSED, permission=_handles_incidents
    )
    def close(self) -> None:
        """The incident is finished."""

    @property
    def individuals_notified(self) -> bool:
        return self.individuals_notified_on is not None

    @property
    def data_type_labels(self) -> list[str]:
        return [str(DataType(c).label) for c in self.data_types if c in DataType.values]


#: The transition that takes an incident to each status, in the order the incident page
#: offers the moves (forward first, then back or aside).
MOVES: Final[dict[str, str]] = {
    LeakIncident.Status.REPORTED: "accept",
    LeakIncident.Status.DISMISSED: "dismiss",
    LeakIncident.Status.CLOSED: "close",
    LeakIncident.Status.INVESTIGATING: "investigate",
    LeakIncident.Status.REMEDIATED: "remediate",
}


class RemediationStep(models.Model):
    """One remedial action taken: what was done, by whom, when."""

    incident = models.ForeignKey(LeakIncident, on_delete=models.CASCADE, related_name="steps")
    action = models.TextField(_("action taken"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("taken at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name_plural = _("remediation steps")
        verbose_name = _("remediation step")
        ordering = ["taken_at", "pk"]

    def __str__(self) -> str:
        return f"step {self.pk} of incident {self.incident_id}"


class FileReadDay(models.Model):
    """A day whose reads of customer files were counted (and, once ``evaluated_at`` is set,
    checked for anomalies). Marks the day done so a rerun neither counts nor raises twice."""

    day = models.DateField(_("day"), unique=True)
    users = models.PositiveIntegerField(_("users who read files"), default=0)
    counted_at = models.DateTimeField(_("counted at"))
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("counted days of file reads")
        verbose_name = _("counted day of file reads")

    def __str__(self) -> str:
        return str(self.day)


class FileReadCount(models.Model):
    """How many distinct customer files one user read on one day (from the audit trail);
    the baseline for that user's usual volume."""

    day = models.DateField(_("day"))
    actor_id = models.BigIntegerField(_("user id"))
    files = models.PositiveIntegerField(_("customer files read"))

    class Meta:
        verbose_name_plural = _("files read per user and day")
        verbose_name = _("files read per user and day")
        constraints = [
            models.UniqueConstraint(fields=["actor_id", "day"], name="one_count_per_user_day")
        ]
        indexes = [models.Index(fields=["day"], name="file_read_count_day")]

    def __str__(self) -> str:
        return f"{self.actor_id}@{self.day}: {self.files}"
