"""`consolidate mark PATH`: the office's marks on one file, by the file's content, kept in a journal the office
can read and edit (outbox/danh-dau.csv, one line per mark) and copied into the register."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from pipeline.intake.email import is_email, read_email, safe_name
from pipeline.isolation import Failure, run_isolated
from pipeline.journal import JOURNAL_NAME, append_marks
from pipeline.outputs.lock import outbox_lock
from pipeline.register import Register, RegisterBusy, RegisterDamaged, describe_mark


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
            append_marks(journal, [(m.path, s, m.received, m.excluded, False) for s, m in earlier.items()])
        append_marks(journal, [(shown, sha, received, excluded, clear)])  # first: it survives whatever the register does
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
