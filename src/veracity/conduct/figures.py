"""Figures about the sales force's conduct for the home pages: counts only, no personal data,
each from a set-based query (no query per seller).

- compliance: open rectification demands, the overdue ones (count and the oldest few),
  open committee referrals (``conduct.view``);
- the training department: sellers without qualification by what is missing, tests recorded
  this month (``training.record``);
- channel management: penalties awaiting approval and decided this quarter, escalations in
  the quarter, repeat-misselling items open (``penalties.view`` / ``assessment.view``);
- the general office: released regulator report editions not yet filed
  (``regulator_report.file``).

Each returns ``None`` to whoever may not see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
)
from django.utils import timezone

from veracity.cases.models import Escalation, ProblemItem, RuleCode
from veracity.conduct.action_selectors import overdue
from veracity.conduct.actions import target_label
from veracity.conduct.models import ComplianceAction, Penalty, RegulatorFiling, RegulatorReport
from veracity.core import quarters
from veracity.core.conduct import ComplianceActionKind
from veracity.org.actions import may
from veracity.org.principals import Principal
from veracity.sales.models import TrainingRecord
from veracity.sales.qualification import snapshot

__all__ = [
    "MIN_CLASS_HOURS",
    "ChannelFigures",
    "ComplianceFigures",
    "OfficeFigures",
    "TrainingFigures",
    "channel_figures",
    "compliance_figures",
    "office_figures",
    "quarter_of",
    "training_figures",
]

#: D1.9, D1.10: at least 2 class hours of form-filling training and a passed test. (The
#: qualification rule itself is the sales register's; this count mirrors it set-based.)
MIN_CLASS_HOURS: Final = Decimal("2")
OLDEST: Final = 5

Kind = ComplianceActionKind


@dataclass(frozen=True, slots=True)
class OverdueDemand:
    pk: int
    target: str
    due_on: date
    days_late: int


@dataclass(frozen=True, slots=True)
class ComplianceFigures:
    open_demands: int
    overdue: int
    oldest: list[OverdueDemand]
    open_referrals: int
    recorded_month: int


def compliance_figures(*, principal: Principal, today: date) -> ComplianceFigures | None:
    """Compliance's section: open and overdue rectification demands (the oldest first)."""
    if not may(principal, "conduct.view"):
        return None
    late = overdue(today)
    counts = ComplianceAction.objects.aggregate(
        open_demands=Count("pk", filter=Q(kind=Kind.RECTIFICATION.value, status="open")),
        overdue=Count("pk", filter=late),
        open_referrals=Count("pk", filter=Q(kind=Kind.COMMITTEE_REFERRAL.value, status="open")),
        recorded_month=Count("pk", filter=Q(recorded_at__gte=_start(today.replace(day=1)))),
    )
    oldest = [
        OverdueDemand(r.pk, target_label(r), r.due_on, (today - r.due_on).days)
        for r in ComplianceAction.objects.filter(late)
        .select_related("seller", "department")
        .order_by("due_on", "pk")[:OLDEST]
        if r.due_on is not None
    ]
    return ComplianceFigures(oldest=oldest, **counts)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


# --- the training department ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingFigures:
    sellers: int  # agents and specialists not terminated
    qualified: int
    no_hours: int  # a passed test but fewer than 2 class hours
    no_test: int  # 2 class hours but no passed test
    neither: int
    terminated: int
    tests_month: int
    tests_month_passed: int

    @property
    def unqualified(self) -> int:
        return self.no_hours + self.no_test + self.neither


def training_figures(*, principal: Principal, today: date) -> TrainingFigures | None:
    """Sellers without sales qualification on ``today`` by what is missing — asked of the one
    rule (``core.qualification``) over the register's snapshot, as the gate asks it — and this
    month's tests."""
    if not may(principal, "training.record"):
        return None
    counts = dict.fromkeys(
        ("sellers", "terminated", "qualified", "no_hours", "no_test", "neither"), 0
    )
    register = snapshot()
    for code in register.facts:
        answer = register.qualification(code, on=today)
        if answer is None or not answer.applies:
            continue
        if "terminated" in answer.missing:
            counts["terminated"] += 1
            continue
        counts["sellers"] += 1
        missing = set(answer.missing)
        if not missing:
            counts["qualified"] += 1
        elif missing == {"hours"}:
            counts["no_hours"] += 1
        elif missing == {"test"}:
            counts["no_test"] += 1
        else:
            counts["neither"] += 1
    tests = TrainingRecord.objects.filter(
        kind=TrainingRecord.Kind.TEST, date__gte=today.replace(day=1), date__lte=today
    ).aggregate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    return TrainingFigures(tests_month=tests["n"], tests_month_passed=tests["passed"], **counts)


# --- channel management -----------------------------------------------------------------------


def quarter_of(day: date) -> tuple[str, date, date]:
    """The quarter of ``day`` (``core.quarters``): its name (2026Q4), its first and last day."""
    quarter = quarters.quarter_of(day)
    return quarter.name, quarter.first_day, quarter.last_day


@dataclass(frozen=True, slots=True)
class ChannelFigures:
    quarter: str
    awaiting: int
    decided: list[tuple[str, int]]  # (status, count) this quarter: in force, rejected
    escalations: int
    escalations_false_data: int
    repeat_misselling_open: int

    @property
    def decided_total(self) -> int:
        return sum(n for _s, n in self.decided)


def channel_figures(*, principal: Principal, today: date) -> ChannelFigures | None:
    """Channel management's quarter: penalties awaiting approval and decided, escalations of
    misconduct, the repeat-misselling re-checks still open."""
    if not (may(principal, "penalties.view") or may(principal, "assessment.view")):
        return None
    name, first, last = quarter_of(today)
    S = Penalty.Status
    penalties = Penalty.objects.aggregate(
        awaiting=Count("pk", filter=Q(status=S.PROPOSED)),
        in_force=Count(
            "pk",
            filter=Q(status__in=Penalty.IN_FORCE, decided_on__gte=first, decided_on__lte=last),
        ),
        rejected=Count(
            "pk", filter=Q(status=S.REJECTED, decided_on__gte=first, decided_on__lte=last)
        ),
    )
    escalations = Escalation.objects.filter(
        escalated_at__gte=_start(first), escalated_at__lt=_start(last + timedelta(days=1))
    ).aggregate(n=Count("pk"), false_data=Count("pk", filter=Q(misconduct="false_data")))
    repeat = ProblemItem.objects.filter(
        rule=RuleCode.REPEAT_MISSELLING, status=ProblemItem.Status.OPEN
    ).count()
    return ChannelFigures(
        quarter=name,
        awaiting=penalties["awaiting"],
        decided=[("in_force", penalties["in_force"]), ("rejected", penalties["rejected"])],
        escalations=escalations["n"],
        escalations_false_data=escalations["false_data"],
        repeat_misselling_open=repeat,
    )


# --- the general office -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnfiledEdition:
    pk: int
    quarter: str
    edition: int
    released_at: datetime | None
    regulator: bool  # filed with the regulator
    association: bool  # filed with the industry association


@dataclass(frozen=True, slots=True)
class OfficeFigures:
    unfiled: list[UnfiledEdition]
    filed_quarter: int  # filings recorded this quarter

    @property
    def unfiled_count(self) -> int:
        return len(self.unfiled)


def office_figures(*, principal: Principal, today: date) -> OfficeFigures | None:
    """The released editions of the regulator report not yet filed with both the regulator
    and the industry association (oldest first), and this quarter's filings."""
    if not (may(principal, "regulator_report.file") or may(principal, "regulator_report.view")):
        return None
    R = RegulatorFiling.Recipient
    filings = RegulatorFiling.objects.filter(report=OuterRef("pk"))
    rows = (
        RegulatorReport.objects.filter(status=RegulatorReport.Status.RELEASED)
        .annotate(
            to_regulator=Exists(filings.filter(recipient=R.REGULATOR)),
            to_association=Exists(filings.filter(recipient=R.ASSOCIATION)),
        )
        .filter(Q(to_regulator=False) | Q(to_association=False))
        .order_by("released_at", "pk")
    )
    _name, first, last = quarter_of(today)
    return OfficeFigures(
        unfiled=[
            UnfiledEdition(
                r.pk, r.quarter, r.edition, r.released_at, r.to_regulator, r.to_association
            )
            for r in rows[:20]
        ],
        filed_quarter=RegulatorFiling.objects.filter(
            filed_on__gte=first, filed_on__lte=last
        ).count(),
    )
