"""A file's state, decided in one place from what the stages found: the coded problems they added, whether its
values were read, and whether it was a submission at all. `ledger.settle` then chooses among a unit's files."""
from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class FileState(StrEnum):
    """The JSON strings are the values: a state compares equal to its string."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    IGNORED = "ignored"
    PENDING = "pending"


STATES = tuple(FileState)
STATE_LABELS = {FileState.ACCEPTED: "đã nhận", FileState.REJECTED: "bị trả lại",
                FileState.SUPERSEDED: "bị thay bằng bản mới hơn", FileState.IGNORED: "bỏ qua",
                FileState.PENDING: "đang chép dở"}
CHANGING = "file-changing"  # the file moved while it was read, or is still being copied: read it next run
SET_ASIDE = frozenset({"other-period"})  # a report of another period: not this run's submission, not wrong


class Found(Protocol):
    """What the stages found of a file (intake.submission.Submission)."""

    read: bool
    aside: str
    problems: list


def file_state(submission: Found) -> FileState:
    """What the stages found makes the state; only settle, choosing the newest file of a unit, adds superseded."""
    codes = {p.code for p in submission.problems}
    if CHANGING in codes:
        return FileState.PENDING
    if submission.aside or codes & SET_ASIDE:
        return FileState.IGNORED
    if not submission.read or any(p.is_error for p in submission.problems):
        return FileState.REJECTED
    return FileState.ACCEPTED
