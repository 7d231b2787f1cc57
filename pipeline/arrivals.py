"""When each file of a run arrived, from the register and the emails it came in, and what the office marked on
it (a date it was received, a reason to set it aside): the register's knowledge applied to a run's records."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.register import Register

# Vietnam's time, whatever the machine's zone: arrivals, deadlines and every time the tool records or shows.
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def describe_mark(received: dt.date | None, excluded: str | None) -> str:
    """An office mark in words: "nhận ngày 08/12/2023; để riêng: lý do"."""
    return "; ".join(filter(None, (f"nhận ngày {received:%d/%m/%Y}" if received else "",
                                   f"để riêng: {excluded}" if excluded else "")))


def mark_arrivals(records, register: Register, origins: dict, now: dt.datetime,
                  period_began: dt.date) -> None:
    """Each file's received time, first sighting and email, from the register and the emails opened. An email's
    date is trusted only when plausible: not before the period began, not after the file was first seen."""
    from pipeline.problems import problem

    for record in records:
        sha = record.submission.sha256
        origin = origins.get(record.relative)
        record.email = origin
        if sha:
            record.first_seen = register.seen_first(sha, now)
            date = _plausible(origin.date if origin else None, period_began, record.first_seen)
            if origin and origin.date and date is None:
                record.submission.problems.append(problem("email-date-implausible", date=origin.date.isoformat()))
            record.received = register.received(sha, record.submission.mtime, date)
            mark = register.marks.get(sha)
            if mark:
                record.office_mark = describe_mark(mark.received, mark.excluded)
    # The same content seen twice (emailed, and also saved into the inbox by hand) arrived at the earlier.
    earliest: dict[str, dt.datetime] = {}
    for record in records:
        if record.submission.sha256 and record.received is not None:
            known = earliest.get(record.submission.sha256)
            earliest[record.submission.sha256] = record.received if known is None else min(known, record.received)
    for record in records:
        if record.submission.sha256 in earliest:
            record.received = earliest[record.submission.sha256]


def _plausible(date: dt.datetime | None, began: dt.date, first_seen: dt.datetime) -> dt.datetime | None:
    """An email's date when it falls between the period's start and the file's first sighting."""
    if date is None:
        return None
    try:
        start = dt.datetime.combine(began, dt.time(), VIETNAM)
        return date if start <= date <= first_seen else None
    except (ValueError, OverflowError):  # 31 Dec 9999 -1200 is beyond what a datetime can compare
        return None


def excluded_by_office(records, register: Register) -> None:
    """Files the office set aside (`consolidate mark --exclude`): rejected with its reason."""
    from pipeline.problems import problem
    from pipeline.states import FileState, file_state

    for record in records:
        mark = register.marks.get(record.submission.sha256)
        if mark and mark.excluded and file_state(record.submission) in (FileState.ACCEPTED, FileState.REJECTED):
            record.submission.problems.append(problem("excluded", reason=mark.excluded))
