"""Emails dropped whole into the inbox: .eml (the standard library's email) and Outlook .msg (olefile).
Each spreadsheet attachment is read as a file of its own, received at the email's date; the email itself is
set aside. Run in the isolated workers like any file: a hostile message costs only itself, and a hostile or
damaged zip attached to it only that zip."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import os
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.filenames import fit_name

EMAIL_EXTENSIONS = (".eml", ".msg")
SHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".csv")
MAX_EMAIL = 60 * 1024 * 1024  # bytes: a report's email is a few MB
MAX_ATTACHMENTS = 50  # looked at per email, spreadsheets in its zips included; the rest are set aside, counted
MAX_PARTS = 500  # MIME parts walked; a deeply nested or exploded message stops here
# Bytes of UTF-8 in an attachment's name as written out (255 is the usual limit of one name): room is left for
# the "-2" that keeps two namesakes apart (_add).
ATTACHMENT_BYTES = 200
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)


class EmailError(ValueError):
    """A message that cannot be used: the text says why, for the register."""


@dataclass
class EmailContent:
    date: dt.datetime | None
    sender: str
    subject: str
    # spreadsheets only: (safe name, data); one from a zip attachment is named "<zip name>/<its name>"
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # names of attachments that are not spreadsheets
    # what was not taken, each with why, in words for the register: "tệp nén b.zip: bị nén bất thường, ..."
    set_aside: list[str] = field(default_factory=list)
    beyond: int = 0  # attachments after the first MAX_ATTACHMENTS, not looked at

    def full(self) -> bool:
        """No more attachments are looked at; counts the one that was about to be."""
        if len(self.attachments) + len(self.others) < MAX_ATTACHMENTS:
            return False
        self.beyond += 1
        return True

    def finish(self) -> EmailContent:
        if self.beyond:
            self.set_aside.append(f"{self.beyond} tệp đính kèm sau tệp thứ {MAX_ATTACHMENTS} "
                                  "(thư có quá nhiều tệp đính kèm)")
        return self


class _Abnormal(Exception):
    """A zip attachment set aside alone, the rest of its email still read: the text says why."""


@dataclass(frozen=True)
class EmailOrigin:
    """The email an attachment came in, kept as it was read (its date a datetime, written as text only in JSON)."""

    file: str  # the email's path in the inbox
    date: dt.datetime | None
    sender: str
    subject: str

    def as_json(self) -> dict:
        return {"file": self.file, "date": self.date.isoformat() if self.date else None, "from": self.sender,
                "subject": self.subject}



def is_email(path: Path) -> bool:
    return path.suffix.lower() in EMAIL_EXTENSIONS


def read_email(path: str) -> EmailContent:
    """The message at `path`. An OSError is the file's own (moved, deleted, locked while read); a message that is
    there but cannot be used is an EmailError."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_EMAIL + 1)
        if len(data) > MAX_EMAIL:
            raise EmailError(f"thư quá lớn ({os.fstat(handle.fileno()).st_size // (1024 * 1024)} MB)")
    try:
        if path.lower().endswith(".msg") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return _read_msg(data).finish()
        return _read_eml(data).finish()
    except OSError as exc:  # olefile's word for a damaged container, not the file going away
        raise EmailError("thư bị hỏng") from exc


def safe_name(name: str, index: int) -> str:
    """An attachment's own name, reduced to one harmless file name ("../x.xlsx" -> "x.xlsx") of at most
    ATTACHMENT_BYTES, its extension kept."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    return fit_name(name, ATTACHMENT_BYTES) or f"tep-dinh-kem-{index}"


def _keep(content: EmailContent, name: str, data: bytes) -> None:
    if content.full():
        return
    safe = safe_name(name, len(content.attachments) + len(content.others) + 1)
    if safe.lower().endswith(".zip"):
        try:
            sheets = _unzipped(data)
        except _Abnormal as exc:  # this zip alone: a report attached beside it is still read
            content.set_aside.append(f"tệp nén {safe}: {exc}")
            return
        if sheets:
            for member, payload in sheets:
                _add(content, f"{safe}/{member}", payload)
            return
    if safe.lower().endswith(SHEET_EXTENSIONS):
        _add(content, safe, data)
    else:
        content.others.append(safe)


def _unzipped(data: bytes) -> list[tuple[str, bytes]]:
    """The spreadsheets a zip attachment holds, within limits like the zip guard's; _Abnormal for a zip to set
    aside (damaged, too many members, too large, a bomb), checked before any member is read."""
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except Exception as exc:
        raise _Abnormal("bị hỏng, không mở được") from exc
    if len(infos) > MAX_ATTACHMENTS:
        raise _Abnormal(f"có quá nhiều tệp bên trong ({len(infos)} tệp, tối đa {MAX_ATTACHMENTS})")
    if sum(i.file_size for i in infos) > MAX_EMAIL:
        raise _Abnormal("quá lớn khi giải nén, có thể là tệp độc hại")
    members = [(safe_name(info.filename, number), info) for number, info in enumerate(infos, start=1)]
    members = [(member, info) for member, info in members if member.lower().endswith(SHEET_EXTENSIONS)]
    for _, info in members:
        if info.file_size > 1024 * 1024 and info.file_size > 100 * max(info.compress_size, 1):
            raise _Abnormal("bị nén bất thường, có thể là tệp độc hại")
        if info.flag_bits & 0x1:
            raise _Abnormal("có đặt mật khẩu")
    try:
        return [(member, archive.read(info)) for member, info in members]
    except Exception as exc:
        raise _Abnormal("bị hỏng, không giải nén được") from exc


def _add(content: EmailContent, safe: str, data: bytes) -> None:
    if content.full():  # a zip's spreadsheets count too
        return
    taken = {n.lower() for n, _ in content.attachments}
    stem, dot, suffix = safe.rpartition(".")
    number = 1
    while safe.lower() in taken:  # two attachments of one name stay two files
        number += 1
        safe = f"{stem}-{number}{dot}{suffix}"
    content.attachments.append((safe, data))


# ---------------------------------------------------------------- .eml
def _read_eml(data: bytes) -> EmailContent:
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not message.keys():
        raise EmailError("không phải một thư điện tử (không có dòng tiêu đề thư)")
    try:
        date = email.utils.parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
        if date is not None and date.tzinfo is None:  # "-0000" or no zone: UTC, as RFC 5322 says
            date = date.replace(tzinfo=dt.timezone.utc)
    except (TypeError, ValueError):
        date = None
    content = EmailContent(date, str(message["From"] or ""), str(message["Subject"] or ""))
    for number, part in enumerate(message.walk()):
        if number >= MAX_PARTS:  # what the first parts hold is still taken
            content.set_aside.append(f"các phần sau phần thứ {MAX_PARTS} của thư (thư có quá nhiều phần)")
            break
        name = part.get_filename()
        if not name or part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        _keep(content, name, payload)
    return content


# ---------------------------------------------------------------- Outlook .msg
def _read_msg(data: bytes) -> EmailContent:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:
        raise EmailError("tệp .msg hỏng, không mở được") from exc
    try:
        subject = _ole_text(ole, "__substg1.0_0037")
        sender = _ole_text(ole, "__substg1.0_0C1F") or _ole_text(ole, "__substg1.0_0C1A")
        content = EmailContent(_msg_date(ole), sender, subject)
        storages = sorted({entry[0] for entry in ole.listdir() if entry and entry[0].startswith("__attach_version1.0_")})
        for storage in storages:
            name = (_ole_text(ole, f"{storage}/__substg1.0_3707") or _ole_text(ole, f"{storage}/__substg1.0_3704")
                    or _ole_text(ole, f"{storage}/__substg1.0_3001"))
            stream = f"{storage}/__substg1.0_37010102"
            if ole.exists(stream) and not content.full():
                _keep(content, name, ole.openstream(stream).read())
        return content
    finally:
        ole.close()


def _ole_text(ole, prefix: str) -> str:
    """A string property: Unicode (001F) or 8-bit (001E)."""
    for suffix, encoding in (("001F", "utf-16-le"), ("001E", "cp1252")):
        if ole.exists(prefix + suffix):
            return ole.openstream(prefix + suffix).read().decode(encoding, errors="replace").rstrip("\x00")
    return ""


def _msg_date(ole) -> dt.datetime | None:
    """Delivery time (0x0E06), else submit time (0x0039), from the fixed-size property stream."""
    if not ole.exists("__properties_version1.0"):
        return None
    raw = ole.openstream("__properties_version1.0").read()
    found = {}
    for offset in range(32, len(raw) - 15, 16):  # a top-level message's header is 32 bytes
        tag, = struct.unpack_from("<I", raw, offset)
        if tag in (0x0E060040, 0x00390040):
            value, = struct.unpack_from("<Q", raw, offset + 8)
            found[tag] = value
    value = found.get(0x0E060040) or found.get(0x00390040)
    if not value:
        return None
    try:
        return _FILETIME_EPOCH + dt.timedelta(microseconds=value // 10)
    except OverflowError:
        return None
