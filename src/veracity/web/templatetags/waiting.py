"""``{% waiting_for_me %}``: the "waiting for me" panel (``veracity.web.waiting``) for the
signed-in person; nothing for anyone else."""

from __future__ import annotations

from typing import Any

from django import template

from veracity.web.views.common import principal_of
from veracity.web.waiting import waiting_for

register = template.Library()


@register.inclusion_tag("web/_waiting.html", takes_context=True)
def waiting_for_me(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "waiting": waiting_for(principal=principal_of(request))}
