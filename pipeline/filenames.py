"""Names of the files the tool makes (attachments written out, feedback copies), cut to fit every file system.

A name's limit is in bytes, not characters: 255 bytes of UTF-8 on ext4 and APFS, where a Vietnamese letter with
two marks ("ệ") takes 3. Names are measured in NFC, the form they are written in (macOS hands over NFD, where
"ệ" takes 5 bytes); NFC's bytes also bound the UTF-16 units NTFS and HFS+ count (255), even after HFS+ turns
a Vietnamese name into NFD.
"""
from __future__ import annotations

import re
import unicodedata

NAME_BYTES = 255  # the usual limit of one name in a path
_EXTENSION = re.compile(r"\.[0-9A-Za-z]{1,10}$")


def fit_name(name: str, limit: int, keep: str | None = None) -> str:
    """`name` in NFC within `limit` bytes of UTF-8, cut on a character boundary before what ends it, which is
    kept whole: `keep` when given (it must end the name; "" keeps nothing), else the name's extension (".xlsx").
    A cut leaves no dot or space at the end of what was cut (Windows drops them)."""
    name = unicodedata.normalize("NFC", name)
    if _size(name) <= limit:
        return name
    if keep is None:
        found = _EXTENSION.search(name)
        keep = found.group() if found and found.start() > 0 else ""
    keep = unicodedata.normalize("NFC", keep)
    if not name.endswith(keep) or _size(keep) > limit // 2:  # no extension: a long tail is the name itself
        keep = ""
    stem = name[: len(name) - len(keep)]
    return _cut(stem, limit - _size(keep)).rstrip(" .") + keep


def _cut(text: str, room: int) -> str:
    """The longest start of `text` within `room` bytes that splits no letter from the marks that follow it."""
    used = 0
    for index, char in enumerate(text):
        used += _size(char)
        if used > room:
            while index > 0 and unicodedata.combining(text[index]):
                index -= 1  # back to the letter the marks belong to: it goes too
            return text[:index]
    return text


def _size(text: str) -> int:
    # A name read from a disk that is not UTF-8 carries lone surrogates (os.fsdecode): never more than 3 bytes.
    return len(text.encode("utf-8", "surrogatepass"))
