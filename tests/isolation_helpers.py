"""Picklable top-level functions that behave, or misbehave on one item, for the isolation tests."""
from __future__ import annotations

import ctypes
import os
import time

BAD = 7


def square(item: int) -> int:
    return item * item


def abort_on_bad(item: int) -> int:
    if item == BAD:
        os.abort()
    return item * item


def exit_on_bad(item: int) -> int:
    if item == BAD:
        os._exit(3)
    return item * item


def segfault_on_bad(item: int) -> int:
    if item == BAD:
        ctypes.string_at(0)
    return item * item


def raise_on_bad(item: int) -> int:
    if item == BAD:
        raise ValueError(f"bad item {item}")
    return item * item


def hang_on_bad(item: int) -> int:
    if item == BAD:
        time.sleep(60)
    return item * item


def unpicklable_on_bad(item: int) -> object:
    if item == BAD:
        return lambda: item
    return item * item


def busy_wait(item: int, seconds: float = 0.002) -> int:
    """Burn CPU like a small workbook read does, rather than sleep."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return item


def read_or_misbehave(task):
    """The real reader, except on a file named for a crash or a hang."""
    from pipeline.intake.submission import read_submission

    name = os.path.basename(task.path)
    if name.startswith("crash"):
        os._exit(3)
    if name.startswith("hang"):
        time.sleep(60)
    return read_submission(task)
