"""The journal of the office's marks (outbox/danh-dau.csv): one line per mark, appended and flushed before the
register is touched, readable and editable in Excel; the register keeps a copy and a rebuilt one takes them back."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.vietnamese import parse_vn_date

JOURNAL_NAME = "danh-dau.csv"
JOURNAL_COLUMNS = ("Thời điểm", "SHA-256", "Tệp", "Ngày nhận", "Để riêng (lý do)", "Bỏ đánh dấu")


@dataclass(frozen=True)
class Mark:
    path: str
    received: dt.date | None = None
    excluded: str | None = None  # the office's reason


def append_marks(journal: Path, marks: list[tuple[str, str, dt.date | None, str | None, bool]]) -> None:
    """Lines added at the end, flushed to disk; a new journal starts with a byte-order mark (Excel then shows its
    Vietnamese) and the column heads."""
    if not marks:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    fresh = not journal.exists() or journal.stat().st_size == 0
    if fresh:
        writer.writerow(JOURNAL_COLUMNS)
    now = dt.datetime.now(tz=dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y %H:%M:%S")
    for shown, sha, received, excluded, clear in marks:
        writer.writerow((now, sha, shown, f"{received:%d/%m/%Y}" if received else "", excluded or "",
                         "có" if clear else ""))
    journal.parent.mkdir(parents=True, exist_ok=True)
    with open(journal, "a", encoding="utf-8-sig" if fresh else "utf-8", newline="") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        os.fsync(handle.fileno())


def read_journal(journal: Path) -> tuple[dict[str, Mark], list[str]]:
    """The marks the journal's lines add up to, in order (a later line adds to or clears an earlier one), and a
    sentence for each line that cannot be read (a run skips it and says so: never a crash)."""
    marks: dict[str, Mark] = {}
    problems: list[str] = []
    try:
        text = journal.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return marks, [f"Không đọc được {journal.name} ({exc}): lần này không áp dụng đánh dấu nào của văn phòng."]
    rows = list(csv.reader(io.StringIO(text)))
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row) or (number == 1 and row[:2] == list(JOURNAL_COLUMNS[:2])):
            continue
        cells = [cell.strip() for cell in row] + [""] * (len(JOURNAL_COLUMNS) - len(row))
        _, sha, shown, received, excluded, clear = cells[:6]
        try:
            if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha.lower()):
                raise ValueError(f"mã SHA-256 '{sha}' không đúng")
            day = parse_vn_date(received) if received else None
        except ValueError as exc:
            problems.append(f"Dòng {number} của {journal.name} không đọc được ({exc}): bỏ qua dòng này.")
            continue
        sha = sha.lower()
        if clear:
            marks.pop(sha, None)
            continue
        old = marks.get(sha, Mark(shown))
        marks[sha] = Mark(shown or old.path, day or old.received, excluded or old.excluded)
    return marks, problems
