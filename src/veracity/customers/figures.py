"""Figures about the customer register for the home pages: counts only, no personal data.

Organisation-wide counts need ``reports.view`` (``org.actions``); classified files are counted
for those who mark them (``customers.classify``). Anyone else gets nothing to count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from veracity.customers.models import Confidentiality, Customer
from veracity.org.actions import may
from veracity.org.principals import Principal

__all__ = ["Classified", "classified_files", "new_customers"]


@dataclass(frozen=True, slots=True)
class Classified:
    confidential: int  # 机密
    top_secret: int  # 绝密
    without_custodian: int  # classified but nobody named to keep it (D4.22 wants one)

    @property
    def total(self) -> int:
        return self.confidential + self.top_secret


def classified_files(*, principal: Principal) -> Classified | None:
    """The classified files by level, for those who may mark files; None for anyone else."""
    if not may(principal, "customers.classify"):
        return None
    counts = Customer.objects.exclude(confidentiality=Confidentiality.NORMAL).aggregate(
        confidential=Count("id", filter=Q(confidentiality=Confidentiality.CONFIDENTIAL)),
        top_secret=Count("id", filter=Q(confidentiality=Confidentiality.TOP_SECRET)),
        without_custodian=Count("id", filter=Q(custodian__isnull=True)),
    )
    return Classified(**counts)


def new_customers(*, principal: Principal, since: datetime, until: datetime) -> int | None:
    """Customer files opened in [since, until), for ``reports.view``; None for anyone else."""
    if not may(principal, "reports.view"):
        return None
    return Customer.objects.filter(created_at__gte=since, created_at__lt=until).count()
