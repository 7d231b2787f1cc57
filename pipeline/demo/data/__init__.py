"""The demo's data files: the units (units.toml) and, per form, how its units answer (<form id>.toml)."""
from __future__ import annotations

import functools
import importlib.resources
import tomllib
from typing import Any


@functools.lru_cache(maxsize=8)
def load_data(name: str) -> dict[str, Any]:
    """The data file `name`.toml of this folder, or {} when there is none (a form without a demo profile)."""
    resource = importlib.resources.files(__package__) / f"{name}.toml"
    if not resource.is_file():
        return {}
    return tomllib.loads(resource.read_text(encoding="utf-8"))
