"""Emails in the inbox opened into the files they carry: each spreadsheet attachment is written to a scratch
folder of the outbox and read as `<email path>/<attachment name>`; the email itself is set aside (ignored)
with a reason naming what was taken. Messages are opened in the isolated workers."""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.intake.email import EmailContent, EmailError, is_email, read_email
from pipeline.intake.scan import Found
from pipeline.intake.submission import Submission
from pipeline.isolation import Failure, run_isolated
from pipeline.ledger import FileRecord

SCRATCH = ".dinh-kem"  # in the outbox: attachments being read this run, cleared at the start of the next
EMAIL_TIMEOUT = 30.0


@dataclass(frozen=True)
class Unpacked:
    """What the workers send back for one email: its content, or why it could not be used."""

    content: EmailContent | None
    error: str = ""


def _unpack(path: str) -> Unpacked:
    try:
        return Unpacked(read_email(path))
    except EmailError as exc:
        return Unpacked(None, str(exc))


def open_emails(found: list[Found], scratch: Path) -> tuple[list[Found], dict[str, dict], list[FileRecord]]:
    """(files to read, with attachments in place of emails; each attachment's email; the emails' own records)."""
    emails = [f for f in found if is_email(f.path) and not f.path.is_symlink()]
    if not emails:
        return found, {}, []
    shutil.rmtree(scratch, ignore_errors=True)
    results = run_isolated(_unpack, [str(f.path) for f in emails], timeout=EMAIL_TIMEOUT)
    files = [f for f in found if f not in emails]
    origins: dict[str, dict] = {}
    records: list[FileRecord] = []
    for number, (mail, result) in enumerate(zip(emails, results)):
        stat = mail.path.stat()
        data = mail.path.read_bytes()
        submission = Submission(str(mail.path), stat.st_size, stat.st_mtime, hashlib.sha256(data).hexdigest(),
                                kind="email", outcome="ignored")
        if isinstance(result, Failure) or result.content is None:
            why = result.error if not isinstance(result, Failure) else "trình đọc thư dừng đột ngột hoặc quá lâu"
            submission.reason = f"Bỏ qua: thư điện tử không đọc được ({why})."
            records.append(FileRecord(mail.relative, submission))
            continue
        content = result.content
        folder = scratch / f"{number:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, payload in content.attachments:
            target = folder / name  # safe names (a zip's own name at most above it): nothing outside the folder
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(payload)
            os.utime(target, (stat.st_mtime, stat.st_mtime))  # the email's time, not the unpacking's
            relative = f"{mail.relative}/{name}"
            files.append(Found(target, relative))
            origins[relative] = {"file": mail.relative, "date": content.date.isoformat() if content.date else None,
                                 "from": content.sender, "subject": content.subject}
        taken = ", ".join(name for name, _ in content.attachments)
        submission.reason = (f"Thư điện tử: đã lấy {len(content.attachments)} tệp bảng tính đính kèm ({taken})."
                             if content.attachments else "Bỏ qua: thư không có tệp bảng tính đính kèm"
                             + (f" (chỉ có: {', '.join(content.others[:5])})." if content.others else "."))
        records.append(FileRecord(mail.relative, submission))
    return files, origins, records
