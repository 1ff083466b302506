"""The project's URLs plus one page that breaks, for the 500 page's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from veracity.config.urls import handler400, handler403, handler404, handler500, urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a broken page")


urlpatterns = [path("boom/", boom), *urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
