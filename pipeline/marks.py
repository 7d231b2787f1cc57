"""`consolidate mark PATH`: the office's marks on one file, by the file's content, kept in a journal the office
can read and edit (outbox/danh-dau.csv, one line per mark) and copied into the register."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from pathlib import Path

from pipeline.intake.email import is_email, read_email, safe_name
from pipeline.isolation import Failure, run_isolated
from pipeline.outputs.lock import outbox_lock
from pipeline.register import (JOURNAL_NAME, Mark, Register, RegisterBusy, RegisterDamaged, describe_mark,
                               typed_date)

JOURNAL_COLUMNS = ("Thời điểm", "SHA-256", "Tệp", "Ngày nhận", "Để riêng (lý do)", "Bỏ đánh dấu")


class MarkError(ValueError):
    """A path that names no file of the inbox nor an attachment of an email in it."""


def mark_file(outbox: Path, path: str, received: dt.date | None, excluded: str | None, clear: bool) -> str:
    sha, shown = _content(path)
    with outbox_lock(outbox):
        journal = Path(outbox) / JOURNAL_NAME
        if not journal.exists():  # marks made before the journal existed are written out first
            try:
                earlier = Register.open(outbox, strict=True).marks
            except (RegisterDamaged, RegisterBusy):  # said below, once this mark is safe in the journal
                earlier = {}
            _append(journal, [(m.path, s, m.received, m.excluded, False) for s, m in earlier.items()])
        _append(journal, [(shown, sha, received, excluded, clear)])  # first: it survives whatever the register does
        register = Register.open(outbox, strict=True)
        register.set_mark(sha, shown, received, excluded, clear)
    if clear:
        return f"Đã bỏ đánh dấu của {shown}. Áp dụng từ lần tổng hợp sau."
    return f"Đã đánh dấu {shown} ({describe_mark(received, excluded)}). Áp dụng từ lần tổng hợp sau."


def _content(path: str) -> tuple[str, str]:
    """(sha256, the path as shown) of a file, or of an attachment written `<email path>/<attachment name>`."""
    target = Path(path)
    if target.is_file():
        return hashlib.sha256(target.read_bytes()).hexdigest(), target.as_posix()
    for email_path in target.parents:
        if email_path.is_file() and is_email(email_path):
            wanted = target.relative_to(email_path).as_posix()
            [result] = run_isolated(read_email, [str(email_path)], timeout=30.0)
            if isinstance(result, Failure):
                raise MarkError(f"Không đọc được thư {email_path}.")
            # The name as written first: "a.zip/x.xlsx" must not be taken for a top-level "x.xlsx".
            found = next((data for name, data in result.attachments if name == wanted), None)
            if found is None:
                found = next((data for name, data in result.attachments if name == safe_name(wanted, 0)), None)
            if found is not None:
                return hashlib.sha256(found).hexdigest(), target.as_posix()
            names = ", ".join(n for n, _ in result.attachments) or "không có"
            raise MarkError(f"Thư {email_path} không có tệp đính kèm \"{wanted}\" (các tệp bảng tính: {names}).")
    raise MarkError(f"Không tìm thấy tệp {path}. Ghi đường dẫn như trong hộp thư, ví dụ inbox/CD006.xlsx, hoặc "
                    "inbox/<thư>.eml/<tên tệp đính kèm>.")


def _append(journal: Path, marks: list[tuple[str, str, dt.date | None, str | None, bool]]) -> None:
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
            day = typed_date(received) if received else None
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
