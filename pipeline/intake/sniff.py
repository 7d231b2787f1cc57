"""Telling what a returned file really is from its bytes, whatever its name says."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Literal

import olefile

from pipeline.intake.encryption import OLE_MAGIC, odf_is_encrypted, ole_is_encrypted

FileKind = Literal[
    "xlsx", "xlsm", "xlsb", "xls", "ods", "encrypted", "csv", "html", "pdf", "docx", "image", "zip", "empty",
    "unknown"
]

HEAD_SIZE = 8192
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_IMAGE_MAGICS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xd7\xcd\xc6\x9a",  # placeable Windows metafile
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
)
_DIB_HEADER_SIZES = (12, 40, 52, 56, 108, 124)
_HTML_STARTS = ("<html", "<!doctype html", "<table", "<head", "<body", "<meta")
_DELIMITERS = ",;\t|"
# Bytes that never occur in text: NUL and C0 controls other than tab, LF, FF, CR and the DOS end-of-file mark.
_BINARY_BYTES = bytes(sorted(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1A}))
# [Content_Types].xml has one line per part, a few KB in a real file; the cap keeps a crafted one cheap.
_MAX_CONTENT_TYPES = 256 * 1024


def sniff_kind(path: Path, data: bytes | None = None) -> FileKind:
    """The kind of the file by its content (its bytes when already read); "unknown" for anything
    unrecognised. Never raises."""
    try:
        return _sniff(path, data)
    except Exception:  # hostile bytes must end as a rejection, never as a crash of the whole batch
        return "unknown"


def _sniff(path: Path, data: bytes | None) -> FileKind:
    if data is not None:
        head = data[:HEAD_SIZE]
    else:
        with path.open("rb") as handle:
            head = handle.read(HEAD_SIZE)
    if not head:
        return "empty"
    if head.startswith(OLE_MAGIC):
        return _ole_kind(path)
    if head.startswith(_ZIP_MAGICS):
        return _zip_kind(path, data)
    # Before the PDF search: a picture may embed a PDF (a Mac's EMF does) and is still a picture.
    if _is_image(head):
        return "image"
    if b"%PDF-" in head[:1024]:  # readers accept junk before the header, so senders' tools produce it
        return "pdf"
    return _text_kind(head, truncated=len(head) == HEAD_SIZE)


def _ole_kind(path: Path) -> FileKind:
    try:
        ole = olefile.OleFileIO(str(path))
    except Exception:
        # A broken container named .xls goes to the reader, which says it is damaged.
        return "xls" if path.suffix.lower() == ".xls" else "unknown"
    try:
        if ole_is_encrypted(ole):
            return "encrypted"
        if ole.exists("Workbook") or ole.exists("Book"):
            return "xls"
        return "unknown"
    finally:
        ole.close()


def _zip_kind(path: Path, data: bytes | None) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            return _package_kind(archive, path)
    except Exception:
        # No readable central directory (a cut upload): let the reader call it a damaged workbook.
        return "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "unknown"


def _package_kind(archive: zipfile.ZipFile, path: Path) -> FileKind:
    names = {name.lower(): name for name in archive.namelist()}
    if "mimetype" in names and _read_small(archive, names["mimetype"], 256).strip() == ODS_MIMETYPE:
        return "encrypted" if odf_is_encrypted(archive) else "ods"
    if "xl/workbook.bin" in names:  # Excel's binary workbook: no reader here for its defined names
        return "xlsb"
    if "xl/workbook.xml" in names or any(name.startswith("xl/") for name in names):
        return "xlsm" if _is_macro_enabled(archive, names, path) else "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


def _is_macro_enabled(archive: zipfile.ZipFile, names: dict[str, str], path: Path) -> bool:
    if path.suffix.lower() == ".xlsm":
        return True
    types = names.get("[content_types].xml")
    return types is not None and b"macroenabled" in _read_small(archive, types, _MAX_CONTENT_TYPES).lower()


def _read_small(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` bytes of a member: a lying size header must not make sniffing inflate a bomb."""
    with archive.open(name) as member:
        return member.read(limit)


def _is_image(head: bytes) -> bool:
    if head.startswith(_IMAGE_MAGICS):
        return True
    if head.startswith(b"\x01\x00\x00\x00") and head[40:44] == b" EMF":  # Windows enhanced metafile
        return True
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return True
    # "BM" alone starts plenty of CSV lines; also demand the zero reserved words and a known DIB header size.
    return head.startswith(b"BM") and len(head) >= 18 and head[6:10] == bytes(4) and head[14] in _DIB_HEADER_SIZES


def _text_kind(head: bytes, truncated: bool) -> FileKind:
    text = _decode_text(head)
    if text is None:
        return "unknown"
    start = text.lstrip("\ufeff \t\r\n\f").lower()
    if start.startswith(_HTML_STARTS) or (start.startswith("<?xml") and "<html" in start[:2048]):
        return "html"
    return "csv" if _looks_delimited(text, truncated) else "unknown"


def _decode_text(head: bytes) -> str | None:
    """The sample as text, or None when it holds bytes no text file has."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export: UTF-16 with a BOM, tab separated.
        usable = head[: len(head) - len(head) % 2]
        return usable.decode("utf-16", errors="replace")
    if len(head.translate(None, _BINARY_BYTES)) != len(head):
        return None
    # Delimiters and tags are ASCII, so a legacy code page (TCVN3, cp1258) decoded loosely is good enough.
    return head.decode("utf-8", errors="replace")


def _looks_delimited(text: str, truncated: bool) -> bool:
    """Most sampled lines split into two or more fields on the same delimiter."""
    lines = [line for line in text.splitlines() if line.strip()]
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    lines = lines[:50]
    if not lines:
        return False
    for delimiter in _DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delimiter))
        multi = sum(1 for row in rows if len(row) >= 2)
        if multi and multi * 2 >= len(rows):
            return True
    return False
