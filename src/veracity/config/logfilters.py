"""Logging without personal data in URLs.

A search, a filter or a link may carry a customer's data in a URL's query string; the server
log (``django.server``, runserver's access log) and ``django.request`` would then keep it in
clear. :class:`DropQueryStrings` cuts the query string from every URL in a record whose path
starts with one of its ``paths`` (every route by default), so the log keeps method, path,
status and size. Searches by ID number, phone or account are POSTed anyway
(``veracity.web.views.customers``); this is the second line. Gunicorn's access log is set up
the same way in ``veracity.config.gunicorn``.

This module is loaded while logging is configured, before the apps: it imports nothing of
Django's models.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["DropQueryStrings", "drop_query_strings"]

# A path (after a space, a quote or the start) followed by ?query, up to a space or a quote.
_URL_WITH_QUERY = re.compile(
    r"(?P<path>(?:^|(?<=[\s\"']))(?:https?://[^/\s\"']+)?/[^\s?\"']*)\?[^\s\"']*"
)


def drop_query_strings(text: str, paths: Iterable[str] = ("/",)) -> str:
    """``text`` with the query string of every URL under ``paths`` removed."""
    prefixes = tuple(paths)

    def cut(match: re.Match[str]) -> str:
        path = match.group("path")
        bare = re.sub(r"^https?://[^/]+", "", path)
        return path if bare.startswith(prefixes) else match.group(0)

    return _URL_WITH_QUERY.sub(cut, text)


class DropQueryStrings(logging.Filter):
    """A logging filter (configure it on the ``django.server`` and ``django.request``
    loggers): rewrites the message and its string arguments; never drops a record."""

    def __init__(self, paths: Iterable[str] = ("/",), name: str = "") -> None:
        super().__init__(name)
        self.paths = tuple(paths)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = drop_query_strings(record.msg, self.paths)
        if isinstance(record.args, tuple):
            record.args = tuple(
                drop_query_strings(a, self.paths) if isinstance(a, str) else a for a in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                k: drop_query_strings(v, self.paths) if isinstance(v, str) else v
                for k, v in record.args.items()
            }
        return True
