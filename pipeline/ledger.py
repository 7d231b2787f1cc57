"""Settle every file found into exactly one state, and every roster unit into its reporting status."""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.intake.rollup import ROLLUP
from pipeline.intake.submission import Submission
from pipeline.problems import Problem
from pipeline.register import VIETNAM
from pipeline.roster import RosterUnit
from pipeline.states import STATE_LABELS, STATES, FileState, file_state

if TYPE_CHECKING:
    from pipeline.intake.email import EmailOrigin

__all__ = ["STATES", "STATE_LABELS", "FileRecord", "FileState", "Ledger", "UnitStatus", "settle"]

UNIT_LABELS = {"on_time": "đúng hạn", "late": "muộn", "rejected": "có lỗi", "missing": "chưa nộp"}


@dataclass
class FileRecord:
    """One file of the inbox and the state it ended in."""

    relative: str
    submission: Submission
    state: FileState | None = None  # settle's decision; None before it
    superseded_by: str | None = None
    late: bool = False
    received: dt.datetime | None = None  # when the unit sent it (register.py); None: its modification time
    first_seen: dt.datetime | None = None
    email: EmailOrigin | None = None  # the email it came in
    office_mark: str = ""  # what the office marked on this content (`consolidate mark`), in words
    parts: list[FileRecord] = field(default_factory=list)  # a roll-up's units, once settled (settle)

    @property
    def problems(self) -> list[Problem]:
        return self.submission.problems

    @property
    def unit(self) -> str | None:
        return self.submission.unit

    @property
    def excluded(self) -> bool:
        """The office set this file aside (`consolidate mark --exclude`)."""
        return any(p.code == "excluded" for p in self.problems)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    @property
    def modified(self) -> dt.datetime:
        """The file's modification time in Vietnam, as the register's times are: a server set to UTC or a laptop
        abroad shows staff the hour the unit saved it."""
        return dt.datetime.fromtimestamp(self.submission.mtime, VIETNAM)

    @property
    def reason(self) -> str:
        """One line for the register: why the file is in its state."""
        if self.state == FileState.SUPERSEDED:
            return f"Đã có bản mới hơn: {self.superseded_by}"
        if self.submission.reason:
            return self.submission.reason
        errors = [p for p in self.problems if p.is_error]
        if errors:
            return f"{len(errors)} lỗi; lỗi đầu tiên: {errors[0].message}"
        warnings = len(self.problems)
        return f"Hợp lệ{f', {warnings} cảnh báo' if warnings else ''}"

    @property
    def arrived(self) -> dt.datetime:
        """When the file counts as received: the register's received time, else its modification time."""
        return self.received or self.modified

    def as_json(self) -> dict:
        entry = {"file": self.relative, "sha256": self.submission.sha256, "status": self.state,
                 "unit": self.unit, "superseded_by": self.superseded_by,
                 "problems": [p.as_dict() for p in self.problems],
                 "received": self.received.isoformat() if self.received else None,
                 "first_seen": self.first_seen.isoformat() if self.first_seen else None, "email": self.email.as_json() if self.email else None}
        if self.state in (FileState.IGNORED, FileState.PENDING):  # no problem list explains these: the sentence the clerk reads
            entry["reason"] = self.reason
        if self.submission.kind == ROLLUP:  # a sub-office's consolidated workbook: the units inside it
            rollup = self.submission.rollup or {}
            entry.update(kind="rollup", office=rollup.get("office") or None, units=len(self.submission.parts),
                         expected=rollup.get("expected"), reported=rollup.get("reported"))
        return entry


@dataclass
class UnitStatus:
    unit: RosterUnit
    state: str  # on_time | late | rejected | missing
    record: FileRecord | None = None

    @property
    def label(self) -> str:
        return UNIT_LABELS[self.state]


@dataclass
class Ledger:
    records: list[FileRecord]
    units: list[UnitStatus]
    deadline: dt.date
    roster_given: bool
    counts: Counter = field(default_factory=Counter)

    @property
    def rollups(self) -> list[FileRecord]:
        """The sub-offices' consolidated workbooks whose units were merged (accepted roll-ups)."""
        return [r for r in self.records if r.parts]

    @property
    def accepted(self) -> list[FileRecord]:
        """What the figures are merged from: each accepted unit file, and each unit of an accepted roll-up."""
        return [part for r in self.records if r.state == FileState.ACCEPTED
                for part in (r.parts if r.submission.kind == ROLLUP else [r])]

    def units_in(self, state: str) -> list[str]:
        """The units in this reporting status; a sub-office's roll-up stands for the units inside it."""
        return [code for u in self.units if u.state == state
                for code in ([p.unit for p in u.record.parts] if _rolled(u) else [u.unit.code])]

    @property
    def expected(self) -> int:
        """How many units the figures could rest on: the roster's, a sub-office's roll-up counting its own roster."""
        return sum(_expected(u) for u in self.units)

    def units_json(self) -> dict:
        return {"expected": self.expected, "accepted": self.units_in("on_time"), "late": self.units_in("late"),
                "rejected": self.units_in("rejected"), "missing": self.units_in("missing")}


def _expected(status: UnitStatus) -> int:
    """The units a roster member stands for: a sub-office's roll-up, its own roster's (even when the roll-up was
    refused: its workbook says it); anything else, one."""
    record = status.record
    if record is None or record.submission.kind != ROLLUP:
        return 1
    return (record.submission.rollup or {}).get("expected") or len(record.parts) or 1


def _rolled(status: UnitStatus) -> bool:
    return status.record is not None and status.record.submission.kind == ROLLUP and bool(status.record.parts)


def settle(records: list[FileRecord], roster: list[RosterUnit] | None, deadline: dt.date) -> Ledger:
    """The one place a file's state is decided: from what the stages found (states.file_state), then the newest
    file of each unit wins and its older ones are superseded; and each unit its reporting status."""
    winners: dict[str, FileRecord] = {}
    for record in records:
        record.state = file_state(record.submission)
        if record.state not in (FileState.ACCEPTED, FileState.REJECTED) or record.unit is None:
            continue
        current = winners.get(record.unit)
        if current is None or _order(record) > _order(current):  # the latest received wins
            winners[record.unit] = record
    for record in records:
        winner = winners.get(record.unit) if record.state in (FileState.ACCEPTED, FileState.REJECTED) else None
        if winner is not None and winner is not record and not record.excluded:  # set aside stays so
            record.state, record.superseded_by = FileState.SUPERSEDED, winner.relative
    for record in records:
        record.late = record.state == FileState.ACCEPTED and _day(record.arrived) > deadline
        record.parts = [FileRecord(f"{record.relative} › {part.unit}", part, record.state, None, record.late,
                                   record.received, record.first_seen, record.email, record.office_mark)
                        for part in record.submission.parts] if record.state == FileState.ACCEPTED else []
    unread = [r for r in records if r.state == FileState.REJECTED and r.unit is None]
    units = _unit_statuses(winners, roster, unread)
    return Ledger(records, units, deadline, roster is not None, Counter(r.state for r in records))


def _order(record: FileRecord) -> tuple:
    """A file the office set aside never stands for its unit while another does; then the latest received,
    ties by modification time, then name."""
    return (not record.excluded, *received_order(record))


def received_order(record: FileRecord) -> tuple:
    """The order a unit's versions came in: received time, then modification time, then name."""
    return (_aware(record.arrived), record.submission.mtime, record.relative)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.astimezone()


def _day(moment: dt.datetime) -> dt.date:
    """The day in Vietnam: "late" means received after the deadline day there, the day included."""
    return _aware(moment).astimezone(VIETNAM).date()


def _named_after(unit: RosterUnit, unread: list[FileRecord]) -> FileRecord | None:
    """A rejected file with no readable unit code whose name carries this unit's code: the unit did send
    something (a home-made table, a broken file), so chasing it as "not sent" would mislead."""
    if not unread:  # the common case, and a roster of thousands: nothing to look for
        return None
    if unit.code.isalnum():  # a code of letters and digits: one of the words of the file's name
        matches = [r for r in unread if unit.code.casefold() in _words(r.relative)]
    else:
        token = re.compile(rf"(?<![0-9A-Za-z]){re.escape(unit.code)}(?![0-9A-Za-z])", re.IGNORECASE)
        matches = [r for r in unread if token.search(r.relative)]
    return max(matches, key=lambda r: r.submission.mtime) if matches else None


@functools.lru_cache(maxsize=4096)
def _words(name: str) -> frozenset[str]:
    """The runs of letters and digits in a file's name, in lower case: where a unit's code may stand."""
    return frozenset(word.casefold() for word in re.findall(r"[0-9A-Za-z]+", name))


def _unit_statuses(winners: dict[str, FileRecord], roster: list[RosterUnit] | None,
                   unread: list[FileRecord]) -> list[UnitStatus]:
    if roster is None:
        roster = [RosterUnit(code, record.submission.unit_name or code)
                  for code, record in sorted(winners.items())]
    statuses = []
    for unit in roster:
        record = winners.get(unit.code) or _named_after(unit, unread)
        if record is None:
            state = "missing"
        elif record.state != FileState.ACCEPTED:
            state = "rejected"
        else:
            state = "late" if record.late else "on_time"
        statuses.append(UnitStatus(unit, state, record))
    return statuses
