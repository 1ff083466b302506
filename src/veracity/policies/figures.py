"""Figures about applications and the gate for the home pages: counts only, no personal data
(so not audited as reads), restricted by the reader's reach.

Who holds ``reports.view`` (``org.actions``) counts over the whole book; anyone else over the
applications they may read (``visible_to(principal=…, action="applications.view")``), and
nobody over nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from veracity.org.actions import may
from veracity.org.principals import Principal
from veracity.policies.models import Channel, GateCheck, Policy, SupplementRequest
from veracity.policies.selectors import visible_to

__all__ = [
    "GateMonth",
    "GateRate",
    "applications_in_scope",
    "gate_month",
    "gate_rates_by_channel",
    "gate_rates_by_seller",
    "supplement_requests_open_count",
]


def applications_in_scope(*, principal: Principal) -> QuerySet[Policy]:
    """The applications ``principal``'s figures count: the whole book with ``reports.view``,
    else what the person may read for ``applications.view``, else none."""
    if may(principal, "reports.view"):
        return Policy.objects.all()
    if may(principal, "applications.view"):
        return visible_to(principal=principal, action="applications.view")
    return Policy.objects.none()


def _checks(principal: Principal, since: datetime, until: datetime | None) -> QuerySet[GateCheck]:
    checks = GateCheck.objects.filter(checked_at__gte=since)
    if until is not None:
        checks = checks.filter(checked_at__lt=until)
    if may(principal, "reports.view"):
        return checks
    return checks.filter(policy__in=applications_in_scope(principal=principal))


@dataclass(frozen=True, slots=True)
class GateRate:
    """Gate checks of one channel or seller: ``key`` the channel code or seller id."""

    key: str
    name: str
    applications: int  # distinct applications checked
    failures: int  # checks that failed

    @property
    def per_100(self) -> float:
        """Gate failures per 100 applications."""
        return round(100 * self.failures / self.applications, 1) if self.applications else 0.0


def gate_rates_by_channel(*, principal: Principal, since: datetime) -> list[GateRate]:
    """Per sales channel: applications checked since ``since`` and the failed checks, worst
    rate first."""
    labels = dict(Channel.choices)
    rows = (
        _checks(principal, since, None)
        .values("policy__channel")
        .annotate(
            apps=Count("policy_id", distinct=True),
            fails=Count("id", filter=Q(verdict="fail")),
        )
        .order_by()
    )
    rates = [
        GateRate(
            key=r["policy__channel"],
            name=str(labels.get(r["policy__channel"], r["policy__channel"])),
            applications=r["apps"],
            failures=r["fails"],
        )
        for r in rows
    ]
    return sorted(rates, key=lambda g: (-g.per_100, g.name))


def gate_rates_by_seller(
    *, principal: Principal, since: datetime, limit: int = 10
) -> list[GateRate]:
    """Per registered seller (agent, by name): the ``limit`` worst gate-failure rates since
    ``since`` among sellers with failures."""
    rows = (
        _checks(principal, since, None)
        .filter(policy__seller__isnull=False)
        .values("policy__seller_id", "policy__seller__name")
        .annotate(
            apps=Count("policy_id", distinct=True),
            fails=Count("id", filter=Q(verdict="fail")),
        )
        .filter(fails__gt=0)
        .order_by()
    )
    rates = [
        GateRate(
            key=str(r["policy__seller_id"]),
            name=r["policy__seller__name"],
            applications=r["apps"],
            failures=r["fails"],
        )
        for r in rows
    ]
    return sorted(rates, key=lambda g: (-g.per_100, -g.failures, g.name))[:limit]


@dataclass(frozen=True, slots=True)
class GateMonth:
    applications: int  # applications received in the period
    checks: int
    passed: int

    @property
    def pass_percent(self) -> float:
        return round(100 * self.passed / self.checks, 1) if self.checks else 0.0


def gate_month(*, principal: Principal, since: datetime, until: datetime) -> GateMonth:
    """Applications received and gate checks (and how many passed) in [since, until)."""
    apps = applications_in_scope(principal=principal).filter(
        created_at__gte=since, created_at__lt=until
    )
    checks = _checks(principal, since, until).aggregate(
        n=Count("id"), passed=Count("id", filter=Q(verdict="pass"))
    )
    return GateMonth(applications=apps.count(), checks=checks["n"], passed=checks["passed"])


def supplement_requests_open_count(*, principal: Principal) -> int:
    """How many supplement requests are open on the applications in ``principal``'s scope."""
    requests = SupplementRequest.objects.filter(status=SupplementRequest.Status.OPEN)
    if not may(principal, "reports.view"):
        requests = requests.filter(policy__in=applications_in_scope(principal=principal))
    return requests.count()
