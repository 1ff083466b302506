"""The customer picker: ``/customers/pick/?q=…`` answers a form's type-ahead with JSON.

Thin: parse the query and the purpose, one selector (``customers.picker.customer_pick``),
render. Only files within the person's reach, masked; each answer is audited with the
purpose (the form's own purpose field, the one the form states for it, or the one
remembered for the session)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from veracity.access.policy import action_required
from veracity.customers.picker import customer_pick
from veracity.customers.selectors import SearchError
from veracity.web.forms import PURPOSE_CODES
from veracity.web.views.common import in_language, principal_of, remembered_purpose

#: The purposes a picker may state: a search's, and an access request's own.
PICK_PURPOSES = PURPOSE_CODES | {"report", "other"}


@action_required("customers.view")
@require_GET
def pick(request: HttpRequest) -> JsonResponse:
    """``{"results": [{"archive_no", "name" (masked), "birth_year", "id_last4"}]}``, or
    ``{"error": {"field", "message"}}`` with status 400."""
    stated = request.GET.get("purpose", "")
    purpose = stated if stated in PICK_PURPOSES else remembered_purpose(request)
    try:
        picks = customer_pick(
            principal=principal_of(request, purpose), query=request.GET.get("q", "")
        )
    except SearchError as exc:
        return JsonResponse(
            {
                "error": {
                    "field": exc.field,
                    "message": in_language(exc.message_zh, exc.message_en),
                }
            },
            status=400,
        )
    return JsonResponse({"results": [p.as_json() for p in picks]})
