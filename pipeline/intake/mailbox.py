"""Emails in the inbox opened into the files they carry: each spreadsheet attachment is written to a scratch
folder of the outbox and read as `<email path>/<attachment name>`; the email itself is set aside (ignored)
with a reason naming what was taken and what was set aside. Messages are opened in the isolated workers; one
moved, deleted or still being written while it is read is pending, like a plain file being copied."""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.intake.email import EmailContent, EmailError, EmailOrigin, is_email, read_email
from pipeline.intake.scan import Found
from pipeline.intake.submission import Submission
from pipeline.isolation import Failure, describe_error, run_isolated
from pipeline.ledger import FileRecord
from pipeline.problems import problem

SCRATCH = ".dinh-kem"  # in the outbox: attachments being read this run, cleared at the start of the next
EMAIL_TIMEOUT = 30.0
# Why an email is pending (read again next run), as the register says it; the catalogue's "file-changing" action
# follows ("Chạy lại sau khi tệp đã chép xong hoặc đã được đóng lại.").
GONE = "Thư điện tử bị chuyển đi, bị xóa hoặc bị khóa trong lúc đang đọc."
CHANGING = "Thư điện tử đang thay đổi (đang được ghi hoặc sao chép) trong lúc đọc."


@dataclass(frozen=True)
class Unpacked:
    """What the workers send back for one email: its content, or why it could not be used."""

    content: EmailContent | None
    error: str = ""
    gone: str = ""  # the email could not be opened (moved, deleted or locked meanwhile): the error, for IT


def _unpack(path: str) -> Unpacked:
    try:
        return Unpacked(read_email(path))
    except EmailError as exc:
        return Unpacked(None, str(exc))
    except OSError as exc:  # read_email lets through only the file's own errors
        return Unpacked(None, gone=describe_error(exc))


def open_emails(found: list[Found], scratch: Path) -> tuple[list[Found], dict[str, EmailOrigin], list[FileRecord]]:
    """(files to read, with attachments in place of emails; each attachment's email; the emails' own records).

    An email that goes away or changes while it is read is pending, its attachments left for the next run: its
    size and time are taken before the workers read it and compared after its bytes are hashed."""
    emails = [f for f in found if is_email(f.path) and not f.path.is_symlink()]
    if not emails:
        return found, {}, []
    shutil.rmtree(scratch, ignore_errors=True)
    opened = set(emails)
    files = [f for f in found if f not in opened]
    origins: dict[str, EmailOrigin] = {}
    records: list[FileRecord] = []
    present: list[tuple[Found, os.stat_result]] = []
    for mail in emails:
        try:
            present.append((mail, mail.path.stat()))
        except OSError as exc:
            records.append(FileRecord(mail.relative, _pending(mail.path, None, "", GONE, describe_error(exc))))
    results = run_isolated(_unpack, [str(mail.path) for mail, _ in present], timeout=EMAIL_TIMEOUT)
    for number, ((mail, before), result) in enumerate(zip(present, results)):
        submission = _identified(mail.path, before)
        if not submission.pending and not isinstance(result, Failure) and result.gone:
            submission = _pending(mail.path, before, submission.sha256, GONE, result.gone)
        if submission.pending:  # gone or changed since: nothing is taken from it this run
            pass
        elif isinstance(result, Failure) or result.content is None:
            why = result.error if not isinstance(result, Failure) else "trình đọc thư dừng đột ngột hoặc quá lâu"
            submission.aside = f"Bỏ qua: thư điện tử không đọc được ({why})."
        else:
            content = result.content
            folder = scratch / f"{number:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            for name, payload in content.attachments:
                target = folder / name  # safe names (a zip's own name at most above it): nothing outside the folder
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(payload)
                os.utime(target, (before.st_mtime, before.st_mtime))  # the email's time, not the unpacking's
                relative = f"{mail.relative}/{name}"
                files.append(Found(target, relative))
                origins[relative] = EmailOrigin(mail.relative, content.date, content.sender, content.subject)
            submission.aside = _reason(content)
        records.append(FileRecord(mail.relative, submission))
    return files, origins, records


def _identified(path: Path, before: os.stat_result) -> Submission:
    """The email's record (ignored: its reason comes after), or pending if it went away or changed since
    `before`, taken before the workers read it."""
    try:
        with open(path, "rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
            size = handle.tell()
        after = path.stat()
    except OSError as exc:
        return _pending(path, before, "", GONE, describe_error(exc))
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or size != before.st_size:
        return _pending(path, after, sha256, CHANGING, None)
    return Submission(str(path), size, before.st_mtime, sha256, kind="email", read=False)


def _pending(path: Path, stat: os.stat_result | None, sha256: str, what: str, error: str | None) -> Submission:
    """Read again next run, as a plain file that is being copied (submission.vanished)."""
    changing = problem("file-changing", value=error, what=what)
    return Submission(str(path), stat.st_size if stat else 0, stat.st_mtime if stat else 0.0, sha256, kind="email",
                      read=False, problems=[changing])


def _reason(content: EmailContent) -> str:
    """What was taken from the email, and what was set aside and why, in one line for the register."""
    if content.attachments:
        taken = ", ".join(name for name, _ in content.attachments)
        text = f"Thư điện tử: đã lấy {len(content.attachments)} tệp bảng tính đính kèm ({taken})"
    else:
        text = "Bỏ qua: thư không có tệp bảng tính đính kèm" + (
            f" (chỉ có: {', '.join(content.others[:5])}{', …' if len(content.others) > 5 else ''})"
            if content.others else "")
    return text + "".join(f"; bỏ qua {what}" for what in content.set_aside) + "."
