"""Telling whether an office file needs a password to open: encrypted OOXML, .xls with FILEPASS, encrypted ODF."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import olefile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_BIFF_FILEPASS = 0x002F
_BIFF_EOF = 0x000A
_BIFF_BOFS = {0x0009, 0x0209, 0x0409, 0x0809}
# Globals of a real workbook reach FILEPASS within a handful of records; the cap keeps a crafted stream cheap.
_MAX_RECORDS = 5000
_MAX_MANIFEST = 1024 * 1024


def is_encrypted(path: Path) -> bool:
    """True when the file needs a password to open; never raises."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(OLE_MAGIC))
            handle.seek(0)
            if magic == OLE_MAGIC:
                ole = olefile.OleFileIO(handle)
                try:
                    return ole_is_encrypted(ole)
                finally:
                    ole.close()
            if magic.startswith(b"PK"):
                with zipfile.ZipFile(handle) as archive:
                    return odf_is_encrypted(archive)
    except Exception:  # any damage means "not readable as encrypted"; the reader reports the damage
        return False
    return False


def odf_is_encrypted(archive: zipfile.ZipFile) -> bool:
    """An OpenDocument file saved with a password stays a zip; its manifest lists the encrypted parts."""
    try:
        with archive.open("META-INF/manifest.xml") as manifest:
            return b"encryption-data" in manifest.read(_MAX_MANIFEST)
    except KeyError:
        return False


def ole_is_encrypted(ole: olefile.OleFileIO) -> bool:
    """An open OLE2 container: Office 2007+ with a password, or an Excel 5-2003 workbook with FILEPASS."""
    # Excel 2007+ with a password is no zip at all: an OLE2 envelope around an EncryptedPackage stream.
    if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
        return True
    for stream in ("Workbook", "Book"):
        if ole.exists(stream):
            return _globals_have_filepass(ole.openstream(stream).read())
    return False


def _globals_have_filepass(data: bytes) -> bool:
    """Walk the BIFF records of the globals substream (BOF .. EOF) looking for FILEPASS."""
    # Own walk rather than msoffcrypto's: it asserts BIFF8 and so misses Excel 5/95 ("Book") files.
    offset = 0
    for index in range(_MAX_RECORDS):
        if offset + 4 > len(data):
            return False
        kind, size = struct.unpack_from("<HH", data, offset)
        if index == 0 and kind not in _BIFF_BOFS:
            return False
        if kind == _BIFF_FILEPASS:
            return True
        if kind == _BIFF_EOF:
            return False
        offset += 4 + size
    return False
