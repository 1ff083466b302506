"""Every page and every API endpoint declares the action it needs: the URL conf is walked,
so a new view without ``action_required`` (or an endpoint without ``endpoint_action``) fails
here rather than in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from veracity.access.policy import ACTIONS, action_of

#: Open without an action, and why. Kept short on purpose.
PUBLIC = {
    # signing in and out: before there is a person to ask about
    ("web", "login"),
    ("web", "logout"),
    # the language switch (a cookie, no data)
    (None, "set_language"),
    # the customer portal's sign-in steps (its own session; the same answer for anyone) and
    # its language switch: before there is a customer to ask about
    ("portal", "login"),
    ("portal", "logout"),
    ("portal", "register"),
    ("portal", "reset"),
    ("portal", "code"),
    ("portal", "password"),
    ("portal", "language"),
    # the API's description: guarded by ``veracity.api.docs.docs_guard`` (API clients and
    # administrators in production), no customer data
    ("api", "openapi-json"),
    ("api", "openapi-view"),
    ("api", "api-root"),
}
#: Django's admin site: staff-only by its own permission system (``is_staff`` and model
#: permissions), not a Veracity page.
OWN_GUARD_NAMESPACES = {"admin"}


def _walk(
    patterns: list[Any], namespace: str | None = None
) -> Iterator[tuple[str | None, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        else:
            yield namespace, pattern


def _ninja_operations(callback: Any) -> list[Any]:
    """The endpoint functions behind a django-ninja path (its ``PathView`` is in the view
    wrapper's closure)."""
    for cell in getattr(callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations:
            return [op.view_func for op in operations]
    return []


def declared() -> dict[str, list[str | None]]:
    """``namespace:name`` → the action of each view behind it."""
    found: dict[str, list[str | None]] = {}
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace in OWN_GUARD_NAMESPACES or (namespace, pattern.name) in PUBLIC:
            continue
        endpoints = _ninja_operations(pattern.callback) if namespace == "api" else []
        views = endpoints or [pattern.callback]
        found[f"{namespace}:{pattern.name}"] = [action_of(view) for view in views]
    return found


def test_every_view_and_endpoint_declares_an_action() -> None:
    found = declared()
    missing = sorted(name for name, actions in found.items() if None in actions)
    assert missing == []


def test_every_declared_action_is_in_the_table() -> None:
    unknown = {a for actions in declared().values() for a in actions if a not in ACTIONS}
    assert unknown == set()


def test_the_walk_sees_the_pages_and_the_endpoints() -> None:
    found = declared()
    assert found["web:customer_unmask"] == ["customers.unmask"]
    assert found["web:audit_export"] == ["audit.export"]
    assert found["web:password_change"] == ["account.manage"]
    assert found["api:distribute"] == ["cases.distribute"]
    assert found["api:list_problem_items"] == ["problems.export"]
    assert found["api:store_application"] == ["applications.store"]
    assert sum(name.startswith("api:") for name in found) >= 12
    assert sum(name.startswith("web:") for name in found) >= 50


def test_the_public_list_names_real_views() -> None:
    names = {(namespace, p.name) for namespace, p in _walk(get_resolver().url_patterns)}
    assert names >= PUBLIC
