"""Find every file under the inbox, recursively, without opening or changing any of them."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Found:
    path: Path
    relative: str  # relative to the inbox, with "/"


def discover(inbox: Path) -> list[Found]:
    """All regular files and links below `inbox`, in a stable order."""
    found: list[Found] = []
    for directory, subdirectories, files in os.walk(inbox, followlinks=False):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory) / name
            found.append(Found(path, path.relative_to(inbox).as_posix()))
    return found
