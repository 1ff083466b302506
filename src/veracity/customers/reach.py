"""The reach rule, written once (AG-10, D4.18–D4.22, D4.26): which customer files, and so
which applications and problem items, a member of staff may see.

- By the roles' default reach (``access.roles.DEFAULT_REACH``): an agent their own book (the
  customers of the policies they sold), channel back-office their channel's book, customer
  service and compliance every general file (一般客户), the customer information manager and
  the customer service manager special files (特殊客户) too.
- Classified files (机密/绝密) only for their custodian or the holder of a borrowing grant.
- Beyond the default, the files of the person's borrowing grants in force, and the policy
  each borrowing was asked for (:func:`policies_condition`).

The rule is written over ORM paths so that each register applies it from its own model:
the customer register from ``Customer``, the applications from ``Policy``, the problem
items from their members. This module sits in the customer register because a file is a
customer; the layers above (policies, cases, detection) import it, and it imports nothing
above itself: the policies a file is reached through are followed by the reverse relation
``Customer.policy_roles`` that the policies app declares.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from veracity.access.governance import granted_customer_ids, granted_policy_ids
from veracity.access.roles import Reach, reaches_of
from veracity.customers.models import Classification, Confidentiality, Customer
from veracity.org.principals import Principal, acting_user
from veracity.org.selectors import channels_of

WHOLE_BOOK = frozenset({Reach.GENERAL, Reach.GENERAL_AND_SPECIAL})


def book_condition(*, principal: Principal, policy: str = "") -> Q | None:
    """Which policies the roles of ``principal``'s acting user reach, as a condition on the
    policy at the ORM path ``policy`` (``""`` from ``Policy`` itself, ``"policy__"`` from a
    policy role or a problem-item member). ``None``: the whole book (no condition)."""
    user = acting_user(principal)
    reaches = reaches_of(user)
    if reaches & WHOLE_BOOK:
        return None
    condition = Q(pk__in=[])
    if Reach.OWN_BOOK in reaches:
        condition |= Q(**{f"{policy}seller__user": user})
    if Reach.OWN_CHANNEL in reaches:
        condition |= Q(**{f"{policy}channel__in": channels_of(user)})
    return condition


def policies_condition(*, principal: Principal, policy: str = "") -> Q | None:
    """Which policies ``principal`` may see, as a condition on the policy at the ORM path
    ``policy`` (as :func:`book_condition`): its roles' book, and beyond it the policies its
    borrowing grants in force were asked for (a borrowed file opens the policy named in the
    request, for the grant's term — never the borrower's view of other files through it).
    ``None``: the whole book. The one place the applications' reach is decided: the
    applications register and the customer file's policy list both ask it."""
    book = book_condition(principal=principal, policy=policy)
    if book is None:
        return None
    if getattr(acting_user(principal), "pk", None) is None:
        return book
    return book | Q(**{f"{policy}pk__in": granted_policy_ids(principal=principal)})


def classified_hidden_from(
    *, principal: Principal | None, now: datetime | None = None
) -> QuerySet[Any, Any]:
    """The classified files (机密/绝密, D4.22) ``principal`` may not see — its acting user
    neither their custodian nor holding a grant for them (a subquery of customer ids); a
    principal without a person (a system reading alone, a customer) none of them.
    Applications and problem items that involve them are not listed to it either."""
    user = acting_user(principal)
    hidden = Customer.objects.exclude(confidentiality=Confidentiality.NORMAL)
    if principal is not None and getattr(user, "pk", None) is not None:
        hidden = hidden.exclude(custodian_id=user.pk).exclude(
            pk__in=granted_customer_ids(principal=principal, now=now)
        )
    return hidden.values("pk")


def _policy_roles() -> Any:
    # The policies app's PolicyRole, reached through the relation it declares on Customer
    # (``related_name="policy_roles"``): the register does not import the app above it.
    return Customer._meta.get_field("policy_roles").related_model


def customers_condition(*, principal: Principal, scope: str = "view") -> Q:
    """The customer files ``principal``'s acting user may see (``scope`` ``view``), or unmask
    / download (``unmask``, ``download``: only through a grant of that scope, or as
    custodian)."""
    user = acting_user(principal)
    reaches = reaches_of(user)
    by_role = Q(pk__in=[])
    if Reach.GENERAL_AND_SPECIAL in reaches:
        by_role = Q()
    elif Reach.GENERAL in reaches:
        by_role = Q(classification=Classification.GENERAL)
    else:
        book = book_condition(principal=principal, policy="policy__")
        if book is not None and reaches & {Reach.OWN_BOOK, Reach.OWN_CHANNEL}:
            roles = _policy_roles().objects.filter(book, customer__isnull=False)
            by_role = Q(pk__in=roles.values("customer_id"))
    if scope != "view":
        by_role = Q(pk__in=[])  # unmasking and downloading always need a grant
    condition = by_role & Q(confidentiality=Confidentiality.NORMAL)
    if getattr(user, "pk", None) is not None:
        condition |= Q(custodian_id=user.pk)
        condition |= Q(pk__in=granted_customer_ids(scope, principal=principal))
    return condition
