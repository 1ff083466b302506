"""An export from the command line, taken as a person (D4.23).

The web page exports personal data only for a signed-in person who may take the export's
action and holds an approved export request (``governance.export_authorisation``). The
command line does not get round that: a command that writes personal data to a file names
the person it acts as (``--as``) and that person's approved export request
(``--export-request``),
and :func:`export_as` asks the same policy and the same authorisation as the web page. Every
refusal is written to the audit trail (``ACCESS_REFUSED``: who, which action, what) before
it is raised; the command turns it into its exit code with ``veracity.cli.refused``.

The person is the command's principal from then on (:class:`ExportAuthority`
``.principal``, a :class:`~veracity.org.principals.Staff`): the listing and
``governance.export_record`` take it as the web page's views take theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from veracity.access.governance import export_authorisation
from veracity.access.models import AccessRequest
from veracity.access.policy import may, record_refusal
from veracity.audit.services import Actor
from veracity.core.refusals import Kind, Refusal, register
from veracity.org import principals
from veracity.org.principals import Principal, Staff

__all__ = ["ExportAuthority", "ExportRefused", "export_as"]

register(
    {
        "export.person_required": (
            Kind.INVALID,
            "导出个人信息须以 --as 指明操作人员",
            "an export of personal data names the person it is made by (--as)",
        ),
        "export.unknown_person": (
            Kind.FORBIDDEN,
            "操作人员不存在或已停用：{username}",
            "no active person {username}",
        ),
        "export.action": (
            Kind.FORBIDDEN,
            "该人员无权导出此清单",
            "this person may not export this list",
        ),
        "export.request_required": (
            Kind.FORBIDDEN,
            "导出个人信息须经审批：以 --export-request 指明已批准的导出申请",
            "an export of personal data needs an approved export request (--export-request)",
        ),
        "export.not_approved": (
            Kind.FORBIDDEN,
            "导出申请 #{request} 不是该人员当前有效的已批准导出申请",
            "export request #{request} is not this person's approved export request in force",
        ),
    }
)


class ExportRefused(Refusal):
    """An export the command line may not make; ``code`` is one of the ``export.*``
    entries above."""

    namespace = "export"


@dataclass(frozen=True, slots=True)
class ExportAuthority:
    """Who exports (the person as a principal) and under which approval."""

    principal: Staff
    request: AccessRequest

    @property
    def user(self) -> Any:
        return self.principal.user

    @property
    def actor(self) -> Actor:
        """The person as the trail names them."""
        return Actor.of_principal(self.principal)


def export_as(
    *,
    username: str | None,
    request_id: int | None,
    export_of: str,
    action: str,
    system: str,
) -> ExportAuthority:
    """The person ``username`` and the approved export request ``request_id`` under which
    they may export ``export_of`` now — or :class:`ExportRefused`, recorded as
    ``ACCESS_REFUSED`` (action ``action``, object ``export_of``/``list``) first.

    The approval is the one the web page would export under
    (``governance.export_authorisation``): the person's own approved export request of that
    list, in force. The request named must be that one — an older, a withdrawn, another
    person's or another list's request is refused. ``system`` names the command for a
    refusal before a person is known (``system:<system>``)."""

    def refuse(who: Principal, code: str, field: str = "as", **detail: Any) -> ExportRefused:
        record_refusal(
            actor=Actor.of_principal(who),
            action=action,
            object_type=export_of,
            object_id="list",
            detail={"code": code, "via": "cli", **detail},
        )
        return ExportRefused(code, field, **detail)

    command = principals.system(system)
    if not username:
        raise refuse(command, "person_required")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise refuse(command, "unknown_person", username=username[:150])
    person = Staff(user)
    if not may(user, action):
        raise refuse(person, "action")
    if request_id is None:
        raise refuse(person, "request_required", "request")
    approval = export_authorisation(export_of, principal=person)
    if approval is None or approval.pk != request_id:
        raise refuse(person, "not_approved", "request", request=request_id)
    return ExportAuthority(principal=person, request=approval)
