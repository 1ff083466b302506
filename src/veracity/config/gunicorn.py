"""Gunicorn settings for production: ``gunicorn -c python:veracity.config.gunicorn``.

The access log keeps the path without its query string (``%(U)s``, not ``%(r)s`` or
``%(q)s``) and no Referer (the previous page's URL), so no URL can bring personal data into
it; see ``veracity.config.logfilters`` for Django's own loggers."""

from __future__ import annotations

import os

wsgi_app = "veracity.config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
