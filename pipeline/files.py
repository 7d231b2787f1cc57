"""Writing files so that a reader only ever sees the previous complete file or the new complete one."""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"


def temporary_beside(target: Path) -> Path:
    """A new hidden temporary file in the target's folder (same file system, so the rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix + TEMPORARY_SUFFIX,
                                         dir=target.parent)
    os.close(handle)
    return Path(temporary)


def move_into_place(temporary: Path, target: Path) -> None:
    """Flush the finished temporary file to disk, then replace the target in one rename."""
    with open(temporary, "rb+") as written:
        os.fsync(written.fileno())
    os.replace(temporary, target)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename."""
    temporary = temporary_beside(target)
    try:
        yield temporary
        move_into_place(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def remove_leftovers(folder: Path) -> int:
    """Temporary files a killed run left behind; call only while holding the outbox lock."""
    removed = 0
    for leftover in folder.glob(f".*{TEMPORARY_SUFFIX}"):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
