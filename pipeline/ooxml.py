"""OOXML helpers shared by the template and the readers: A1 addresses and which part holds which sheet.

Our own rather than xlsxwriter.utility's: importing that loads the whole of XlsxWriter (about 50 ms),
and the reading path, which every run and every `check` takes, never needs XlsxWriter otherwise.
"""
from __future__ import annotations

import functools
import html
import posixpath
import re

_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>")


def column_letter(col: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA" (0-based, like XlsxWriter); -1 (no column) -> ""."""
    letters = ""
    col += 1
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str | bytes) -> int:
    """"A" -> 1, "GR" -> 200 (1-based, as the sheet XML counts); case does not matter."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


def cell_name(row: int, col: int) -> str:
    """(19, 3) -> "D20", 0-based."""
    return f"{column_letter(col)}{row + 1}"


@functools.lru_cache(maxsize=4096)
def a1_to_index(ref: str) -> tuple[int, int]:
    """"D20" (or "$D$20") -> (19, 3), 0-based row and column."""
    letters, digits = _A1.fullmatch(ref).groups()
    return int(digits) - 1, column_index(letters) - 1


def sheet_parts(workbook_xml: bytes, rels: bytes) -> dict[str, str]:
    """Each sheet's name as users see it -> the zip part holding it ("xl/worksheets/sheet1.xml").

    Read with patterns rather than a parser: this runs for every file, and a pattern never expands an
    entity (the zip guard has already refused any part declaring one).
    """
    targets = _relationship_targets(rels)
    parts = {}
    for match in _SHEET.finditer(workbook_xml):
        tag = match.group(0)
        name, rel_id = _attribute(tag, b"name"), _attribute(tag, b"r:id") or _relationship_id(tag)
        if name is not None:
            parts[_text(name)] = targets.get(rel_id, "")
    return parts


def sheet_of_part(workbook_xml: bytes, rels: bytes, part: str) -> str | None:
    """The sheet name users see for the sheet stored in `part`, or None."""
    wanted = part.lstrip("/").lower()
    return next((name for name, path in sheet_parts(workbook_xml, rels).items() if path.lower() == wanted), None)


def related_part(rels: bytes, kind: str) -> str | None:
    """The part the workbook's relationships give for `kind` ("sharedStrings", "styles"), or None."""
    for match in _RELATIONSHIP.finditer(rels):
        relation, target = _attribute(match.group(0), b"Type"), _attribute(match.group(0), b"Target")
        if relation is not None and target is not None and relation.endswith(b"/" + kind.encode()):
            return _part_path(target)
    return None


def _relationship_targets(rels: bytes) -> dict[bytes, str]:
    targets = {}
    for match in _RELATIONSHIP.finditer(rels):
        rel_id, target = _attribute(match.group(0), b"Id"), _attribute(match.group(0), b"Target")
        if rel_id is not None and target is not None:
            targets[rel_id] = _part_path(target)
    return targets


def _part_path(target: bytes) -> str:
    path = _text(target)
    return path.lstrip("/") if path.startswith("/") else posixpath.normpath(f"xl/{path}")


def _attribute(tag: bytes, name: bytes) -> bytes | None:
    """An attribute's value in either quote; a sheet called "Bố's" keeps its apostrophe."""
    match = re.search(rb"\s" + re.escape(name) + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
    return (match.group(1) if match.group(1) is not None else match.group(2)) if match else None


def _relationship_id(tag: bytes) -> bytes | None:
    """The relationship id under whatever prefix the writer bound the relationships namespace to."""
    match = re.search(rb"""\s[\w.-]+:id\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
    return (match.group(1) if match.group(1) is not None else match.group(2)) if match else None


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text
