"""The chain verification's problems in the page's language.

A verification stores its problems in the trail as the command line prints them ("seq 30:
content does not match its hash (altered)"); the trail is never rewritten, so the page
translates the known forms when it shows them and leaves any other text as it is.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

register = template.Library()

_MISSING = re.compile(r"^seq (\d+)\.\.(\d+) missing \(deleted rows\)$")
_LINK = re.compile(r"^seq (\d+): link to previous event broken$")
_ALTERED = re.compile(r"^seq (\d+): content does not match its hash \(altered\)$")


@register.filter
def chain_problem(text: str) -> str:
    """One stored problem line as a sentence in the active language."""
    text = str(text)
    if found := _MISSING.match(text):
        return _("Events No. %(first)s to No. %(last)s are missing (rows deleted).") % {
            "first": found.group(1),
            "last": found.group(2),
        }
    if found := _LINK.match(text):
        return _("Event No. %(seq)s: the link to the event before it is broken.") % {
            "seq": found.group(1)
        }
    if found := _ALTERED.match(text):
        return _("Event No. %(seq)s: its content no longer matches its hash (altered).") % {
            "seq": found.group(1)
        }
    return text
