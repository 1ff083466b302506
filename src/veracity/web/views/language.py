"""The language switch: Django's, and the chosen language remembered as the person's notice
language (the e-mails they receive are written in it)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import check_for_language
from django.views.i18n import set_language as django_set_language

from veracity.notify.services import reader_language_set
from veracity.web.views.common import principal_of


def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = getattr(request, "user", None)
    if (
        request.method == "POST"
        and user is not None
        and user.is_authenticated
        and check_for_language(language)
    ):
        reader_language_set(principal=principal_of(request), language=language)
    return response
