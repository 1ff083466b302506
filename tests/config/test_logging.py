"""No personal data in the server and request logs (issue 10, point 9): query strings are
cut from every logged URL; gunicorn's access log keeps the path only."""

from __future__ import annotations

import logging

import pytest

from veracity.config.logfilters import DropQueryStrings, drop_query_strings

PHONE, ID_NUMBER = "13800138000", "110101198503141220"


@pytest.mark.parametrize(
    ("line", "paths", "logged"),
    [
        (
            f"GET /customers/?kind=phone&query={PHONE}&purpose=callback HTTP/1.1",
            ("/",),
            "GET /customers/ HTTP/1.1",
        ),
        (
            f'"GET /customers/?query={ID_NUMBER} HTTP/1.1" 200 5120',
            ("/customers/",),
            '"GET /customers/ HTTP/1.1" 200 5120',
        ),
        (
            f"Not Found: http://127.0.0.1:8000/api/v1/x?id={ID_NUMBER}",
            ("/api/",),
            "Not Found: http://127.0.0.1:8000/api/v1/x",
        ),
        ("GET /?q=1 HTTP/1.1", ("/",), "GET / HTTP/1.1"),
        # outside the private paths, the query stays
        ("GET /static/web/app.css?v=3 HTTP/1.1", ("/customers/",), None),
        ("GET /customers/ HTTP/1.1", ("/",), None),
        ("why? because", ("/",), None),
    ],
)
def test_drop_query_strings(line, paths, logged):
    assert drop_query_strings(line, paths) == (logged or line)


def record(msg, args):
    return logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)


def test_filter_rewrites_message_and_arguments_and_keeps_the_record():
    rec = record('"%s" %s %s', (f"GET /customers/?query={PHONE} HTTP/1.1", "200", "12"))
    assert DropQueryStrings().filter(rec) is True
    assert rec.getMessage() == '"GET /customers/ HTTP/1.1" 200 12'
    rec = record(f"Bad Request: /customers/?query={PHONE}", ())
    DropQueryStrings().filter(rec)
    assert PHONE not in rec.getMessage()


@pytest.mark.parametrize("logger", ["django.server", "django.request"])
def test_project_logging_drops_query_strings(logger):
    """Through the settings' LOGGING, as runserver and the request handler log."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, rec):
            lines.append(rec.getMessage())

    handler = Collect()
    target = logging.getLogger(logger)
    target.addHandler(handler)
    try:
        target.warning(
            '"%s" %s %s',
            f"GET /customers/?kind=phone&query={PHONE} HTTP/1.1",
            "404",
            "0",
            extra={"server_time": "now", "status_code": 404},
        )
    finally:
        target.removeHandler(handler)
    assert lines == ['"GET /customers/ HTTP/1.1" 404 0']


def test_gunicorn_access_log_keeps_the_path_only():
    from veracity.config import gunicorn

    fmt = gunicorn.access_log_format
    assert "%(U)s" in fmt
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert atom not in fmt
    assert gunicorn.wsgi_app == "veracity.config.wsgi:application"
