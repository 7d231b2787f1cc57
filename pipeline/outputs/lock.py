"""One run at a time per outbox: a second run waits briefly, then stops with its own exit code."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.files import remove_leftovers

LOCK_NAME = ".consolidate.lock"
WAIT_SECONDS = 10.0


class OutboxBusy(RuntimeError):
    """Another consolidation is writing to the same outbox."""


@contextlib.contextmanager
def outbox_lock(outbox: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    outbox.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(outbox / LOCK_NAME))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise OutboxBusy(f"Một lần tổng hợp khác đang ghi vào {outbox} (đã chờ {wait:.0f} giây). "
                         "Đợi lần đó chạy xong rồi chạy lại.") from None
    try:
        # Leftovers of a run killed mid-write are never taken for outputs, but they should not pile up.
        for folder in (outbox, *(p for p in outbox.iterdir() if p.is_dir())):
            remove_leftovers(folder)
        yield
    finally:
        lock.release()
