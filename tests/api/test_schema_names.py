"""Every request and response schema of the API has its own name: the OpenAPI document keys
its components by class name, so two routers' ``VerifyIn`` would silently become one (seen:
the complaints' verification documented with the inquiries' body)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from pydantic import BaseModel

import veracity.api.routers as routers


def test_schema_class_names_are_unique_across_routers() -> None:
    seen: defaultdict[str, set[str]] = defaultdict(set)
    modules = [importlib.import_module("veracity.api.schemas")] + [
        importlib.import_module(f"veracity.api.routers.{m.name}")
        for m in pkgutil.iter_modules(routers.__path__)
    ]
    for module in modules:
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                seen[name].add(module.__name__)
    clashes = {name: sorted(mods) for name, mods in seen.items() if len(mods) > 1}
    assert clashes == {}
