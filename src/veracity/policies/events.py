"""Who hears of new policy events: the apps above register here at app ready
(``veracity.notices`` writes its outbox rows), and ``policies`` never imports them.

The recording service calls :func:`announce` inside its transaction with the events it
took (never a re-sent one), so a listener's rows commit or roll back with the events."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from veracity.org.principals import Principal
from veracity.policies.models import PolicyEvent

Listener = Callable[[Sequence[PolicyEvent], Principal], object]

_LISTENERS: list[Listener] = []


def on_policy_events(listener: Listener) -> None:
    """Register ``listener(events, principal)`` for newly taken events (twice is harmless)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def listening() -> bool:
    """Is anyone listening? (The recording service builds the event objects only then.)"""
    return bool(_LISTENERS)


def announce(events: Sequence[PolicyEvent], principal: Principal) -> None:
    """Tell every listener of ``events`` (in the caller's transaction)."""
    if not events:
        return
    for listener in _LISTENERS:
        listener(events, principal)
