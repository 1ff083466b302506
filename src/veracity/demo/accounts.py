"""The demo logins and the organisation around them, for the embedded demo only.

One login per role (one shared, published password), the departments and staff profiles they
work in, terry's agent team, a few classified customer files, and then the problem items walked
through their stages (:mod:`veracity.demo.cases`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from veracity.customers.models import Classification, Confidentiality, Customer
from veracity.customers.services import customer_classify
from veracity.demo.cases import demo_cases_walk
from veracity.demo.compliance import demo_compliance_actions
from veracity.org.models import Department, StaffProfile
from veracity.org.principals import system
from veracity.sales.models import Seller, SellerKind

DEMO_PASSWORD = "veracity-demo"  # noqa: S105 - the embedded demo only; printed at start-up
DEMO_USERS = [
    ("alice", "agent", "Alice 李爱丽"),
    ("carol", "channel_backoffice", "Carol 陈可"),
    ("sam", "customer_service", "Sam 孙明"),
    ("dave", "compliance", "Dave 丁伟"),
    ("ivan", "information_manager", "Ivan 易凡"),
    ("mona", "customer_service_manager", "Mona 孟娜"),
    ("george", "general_manager", "George 葛亮"),
    ("henry", "channel_backoffice", "Henry 何瑞"),
    ("terry", "team_leader", "Terry 陶瑞"),
    ("audrey", "auditor", "Audrey 欧阳"),
    ("tina", "training", "Tina 唐娜"),
    ("mike", "channel_management", "Mike 马可"),
    ("nora", "channel_management", "Nora 聂然"),
    ("olga", "general_office", "Olga 欧佳"),
    ("admin", "admin", "Admin 管理员"),
]

#: The demo organisation: departments (code, name, head) and where each demo user works
#: (department, sales channel). Henry heads the individual-agency channel department, so he
#: approves first what alice and carol request (D4.18).
DEMO_DEPARTMENTS = [
    ("AGY", "个人代理渠道部", "henry"),
    ("CS", "客户服务部", "mona"),
    ("CMP", "合规部", "dave"),
    ("OPS", "运营管理部", "george"),
    ("TRN", "培训部", "tina"),
    ("CHN", "销售渠道管理部", "mike"),
    ("GO", "综合办公室", "olga"),
]
DEMO_STAFF = {
    "alice": ("AGY", "agency"),
    "carol": ("AGY", "agency"),
    "henry": ("AGY", "agency"),
    "terry": ("AGY", "agency"),
    "sam": ("CS", ""),
    "mona": ("CS", ""),
    "ivan": ("CS", ""),
    "dave": ("CMP", ""),
    "audrey": ("CMP", ""),
    "george": ("OPS", ""),
    "tina": ("TRN", ""),
    "mike": ("CHN", ""),
    "nora": ("CHN", ""),
    "olga": ("GO", ""),
}


def demo_org_ensure() -> None:
    """Departments, their heads and the staff profiles of the demo users that exist."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_STAFF)}
    departments = {}
    for code, name, head in DEMO_DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "head": users.get(head)}
        )
    for username, (code, channel) in DEMO_STAFF.items():
        if username in users:
            StaffProfile.objects.update_or_create(
                user=users[username],
                defaults={"department": departments[code], "channel": channel},
            )


DEMO_MAIL_DOMAIN = "demo.veracity.example"


def demo_users_ensure(*, agent_code: str | None = None) -> list[tuple[str, str, str]]:
    """Create (or reset) one demo login per role; returns (username, role, password)."""
    user_model = get_user_model()
    made = []
    for username, role, full_name in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(username=username)
        first, _, last = full_name.partition(" ")
        user.first_name, user.last_name = first, last
        # notices are mailed too: the demo writes its mail to var/mail/ (a reserved domain)
        user.email = f"{username}@{DEMO_MAIL_DOMAIN}"
        user.is_staff = role == "admin"
        user.is_superuser = role == "admin"
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        made.append((username, role, DEMO_PASSWORD))
    demo_org_ensure()
    demo_files_classify()
    if agent_code:
        alice = user_model.objects.get(username="alice")
        Seller.objects.filter(user=alice).exclude(code=agent_code).update(user=None)
        Seller.objects.filter(code=agent_code).update(user=alice)
    demo_team_ensure()
    demo_cases_walk()
    demo_compliance_actions()
    return made


#: terry's own seller record: the team leader of the demo agents.
DEMO_LEADER_CODE = "TL00001"


def demo_team_ensure() -> None:
    """terry leads the demo's individual agents (alice's seller record among them): he gets
    a seller record of his own in the agency channel and becomes every agent's team leader,
    so he follows their problem items (PW-1) and is told of their overdue and escalated
    ones (PW-6)."""
    terry = get_user_model().objects.filter(username="terry").first()
    if terry is None:
        return
    Seller.objects.filter(user=terry).exclude(code=DEMO_LEADER_CODE).update(user=None)
    leader, _ = Seller.objects.update_or_create(
        code=DEMO_LEADER_CODE,
        defaults={"kind": SellerKind.AGENT, "name": "陶瑞", "qualified": True, "user": terry},
    )
    agents = Seller.objects.filter(kind=SellerKind.AGENT).exclude(pk=leader.pk)
    for agent in agents.exclude(leader=leader):
        agent.leader = leader
        agent.save(update_fields=["leader", "updated_at"])


def demo_files_classify(*, special: int = 5, confidential: int = 2) -> None:
    """Give the demo book a few special customers (特殊客户) and classified files (机密, kept
    by ivan) so the need-to-know rules show; only while none is marked yet."""
    marked = Customer.objects.exclude(classification=Classification.GENERAL).exists() or (
        Customer.objects.exclude(confidentiality=Confidentiality.NORMAL).exists()
    )
    ivan = get_user_model().objects.filter(username="ivan").first()
    if marked or ivan is None:
        return
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:40:4])
    principal = system("demo")
    for n, pk in enumerate(ids[: special + confidential]):
        secret = n >= special
        customer_classify(
            customer_id=pk,
            classification=Classification.GENERAL if secret else Classification.SPECIAL,
            confidentiality=Confidentiality.CONFIDENTIAL if secret else Confidentiality.NORMAL,
            custodian=ivan if secret else None,
            principal=principal,
        )
