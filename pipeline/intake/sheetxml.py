"""Values of an xlsx's cells read straight from the parts the zip guard already inflated, as calamine gives them.

Reading a template-sized workbook through calamine parses every part a second time; the form's cells are a
few dozen of a few hundred. This reader finds them with patterns in the sheet XML (the guard has checked it
well-formed and entity-free), and gives each value as python-calamine would: numbers as floats, a date
as a datetime.date, booleans, texts with their runs joined and phonetic guides left out, errors and empty
formulas as blank. Whatever it is not sure of (markup other than `<c r="A1"`, a prefixed namespace, a
date with a time or in the 1904 system, a duration, a text in UTF-16) it declines, and the caller asks
calamine for that sheet instead: the values are the same either way, only the cost differs.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from pipeline.intake.zipguard import InflatedParts
from pipeline.ooxml import related_part


class Declined(Exception):
    """This reader is not sure what calamine would give here: ask calamine."""


_CELL_START = b'<c r="'
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"')
_TYPE = re.compile(rb'\st="([^"]*)"')
_STYLE = re.compile(rb'\ss="([0-9]+)"')
_VALUE = re.compile(rb"<v(\s[^>]*)?>([^<]*)</v>|<v/>")
_ITEM = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_RUN_TEXT = re.compile(rb"<t(\s[^>]*)?>([^<]*)</t>")
_PRESERVE = re.compile(rb'xml:space="preserve"')
_ESCAPED_CHARACTER = re.compile(r"_x([0-9A-Fa-f]{4})_")  # OOXML's escape of a character XML cannot hold
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_XF_BLOCK = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_XF = re.compile(rb"<xf\b([^>]*)")
_NUMBER_FORMAT = re.compile(rb"<numFmt\b([^>]*)")
_FORMAT_ID = re.compile(rb'\snumFmtId="([0-9]+)"')
_FORMAT_CODE = re.compile(rb'\sformatCode="([^"]*)"')
_DATE_1904 = re.compile(rb'date1904="(?:1|true)"')

_EPOCH = dt.date(1899, 12, 30)
_FIRST_TRUE_DATE = 61  # serials below run into Excel's 29 February 1900
_LAST_DATE = 2958465  # 9999-12-31
_BUILTIN_DATES = frozenset(range(14, 23))  # calamine also counts 45-47 (times, a duration): declined
_BUILTIN_DECLINED = frozenset((45, 46, 47))


class XmlWorkbook:
    """One workbook's sheets (name -> part) over its inflated parts, each sheet indexed when first asked."""

    def __init__(self, parts: InflatedParts, sheets: dict[str, str]) -> None:
        self.parts = parts
        self.sheets = sheets
        self._indexed: dict[str, dict[bytes, bytes]] = {}

    @functools.cached_property
    def _rels(self) -> bytes:
        return self.parts.get("xl/_rels/workbook.xml.rels", b"")

    @functools.cached_property
    def _strings(self) -> list[bytes]:
        part = related_part(self._rels, "sharedStrings")
        xml = _utf8(self.parts.get(part, b"")) if part else b""
        if re.search(rb"<[\w.-]+:si[\s/>]", xml):
            raise Declined("prefixed shared strings")
        return [m.group(1) or b"" for m in _ITEM.finditer(xml)]

    @functools.cached_property
    def _formats(self) -> tuple[dict[int, int], dict[int, str]]:
        part = related_part(self._rels, "styles")
        return _styles(_utf8(self.parts.get(part, b"")) if part else b"")

    @functools.cached_property
    def _date_1904(self) -> bool:
        head = self.parts.get("xl/workbook.xml", b"")
        return bool(_DATE_1904.search(head[:head.find(b"<sheets")] if b"<sheets" in head else head))

    def value(self, sheet: str, ref: str) -> Any:
        cells = self._indexed.get(sheet)
        if cells is None:
            cells = self._indexed[sheet] = self._index(sheet)
        found = cells.get(ref.encode())
        if found is None:
            return None
        return self._typed(*_cell(found))

    def _index(self, sheet: str) -> dict[bytes, bytes]:
        """Each cell's address -> the sheet's text from just after `<c r="` to the next cell: cut at C speed,
        only the cells asked for are then parsed."""
        xml = self.parts.get(self.sheets.get(sheet, ""))
        if xml is None:
            raise Declined(f"no part for {sheet}")
        xml = _utf8(xml)
        # The guard found every cell tag here canonical, `<c r="A1"` (in either case), or named the part irregular.
        if self.sheets[sheet] in self.parts.irregular or b"<!" in xml:  # `<!` : a comment or CDATA
            raise Declined("cells this reader would miss, or markup hidden in text")
        pieces, refs = xml.split(_CELL_START), _CELL_REF.findall(xml)
        if len(refs) != len(pieces) - 1:  # a lower-case address
            raise Declined("a cell address this reader does not take")
        return dict(zip(refs, pieces[1:]))

    def _typed(self, attributes: bytes, body: bytes | None) -> Any:
        kind = _TYPE.search(attributes)
        kind = kind.group(1) if kind else b"n"
        if kind == b"inlineStr":
            if not body:  # `<c r="B3" t="inlineStr"></c>`: how openpyxl writes an empty text
                return None
            start = body.find(b"<is>")
            if start < 0:
                raise Declined("inline string without <is>")
            return _text(body[start + 4:body.rfind(b"</is>")]) or None
        value = _VALUE.search(body) if body else None
        raw = value.group(2) if value else None
        if kind == b"e" or not raw:
            if kind in (b"n", b"str", b"e"):
                return None
            raise Declined("a typed cell without a value")
        if kind == b"s":
            return _text(self._strings[_index_of(raw, len(self._strings))]) or None
        if kind == b"str":
            return _kept(value.group(1), raw) or None
        if kind == b"b":
            if raw not in (b"0", b"1"):
                raise Declined("a boolean other than 0 or 1")
            return raw == b"1"
        if kind != b"n":
            raise Declined(f"cell type {kind!r}")
        number = _float(raw)
        style = _STYLE.search(attributes)
        return self._dated(number, int(style.group(1))) if style else number

    def _dated(self, number: float, style: int) -> Any:
        xf_formats, custom = self._formats
        format_id = xf_formats.get(style, 0)
        code = custom.get(format_id)
        kind = _format_kind(code) if code is not None else (
            "declined" if format_id in _BUILTIN_DECLINED else "date" if format_id in _BUILTIN_DATES else None)
        if kind is None:
            return number
        if kind == "date" and not self._date_1904 and number.is_integer() and _FIRST_TRUE_DATE <= number <= _LAST_DATE:
            return _EPOCH + dt.timedelta(days=int(number))
        raise Declined("a date this reader does not convert")


def _cell(piece: bytes) -> tuple[bytes, bytes | None]:
    """(attributes, body or None) of the cell a piece of the sheet starts with (`D20" s="29"><v>520</v></c>…`):
    found with bytes.find, which a long text crosses at C speed where a lazy pattern steps a character at a time."""
    end = piece.find(b">")
    if end < 0:
        raise Declined("a cell cut short")
    if piece[end - 1:end] == b"/":
        return piece[:end - 1], None
    close = piece.find(b"</c>", end)
    if close < 0:
        raise Declined("a cell without its end")
    return piece[:end], piece[end + 1:close]


def _utf8(xml: bytes) -> bytes:
    head = xml[:100]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"encoding=" in head and not re.search(
            rb"""encoding=["']utf-?8["']""", head, re.I)):
        raise Declined("not UTF-8")
    return xml


def _index_of(raw: bytes, count: int) -> int:
    if not raw.isdigit() or int(raw) >= count:
        raise Declined("a shared string index out of range")
    return int(raw)


_PLAIN_NUMBER = re.compile(rb"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _float(raw: bytes) -> float:
    """What Excel writes ("1250", "-0.25", "1E-3"); Python's float would also take " 5", "1_000", "inf"."""
    if _PLAIN_NUMBER.fullmatch(raw) is None:
        raise Declined("a number not written as Excel writes one")
    number = float(raw)
    if number in (float("inf"), float("-inf")):
        raise Declined("a number beyond a double")
    return number


def _text(item: bytes) -> str:
    """A shared or inline string: its runs' texts joined, phonetic guides (`<rPh>`) left out."""
    if b"<rPh" in item:
        item = _PHONETIC.sub(b"", item)
    if b"<t" not in item:
        return ""
    if item.count(b"<") == 2:  # one plain `<t>…</t>`: most texts
        single = _RUN_TEXT.fullmatch(item)
        if single is not None:
            return _kept(*single.groups())
    if (b"<t/>" in item or b"<![CDATA[" in item or re.search(rb"<t\s[^>]*/>", item)
            or re.search(rb"<[\w.-]+:t[\s/>]", item)):
        raise Declined("text markup this reader does not join")
    return "".join(_kept(attributes, text) for attributes, text in _RUN_TEXT.findall(item))


def _kept(attributes: bytes | None, raw: bytes) -> str:
    """A text element's content; calamine trims one that has no xml:space="preserve", which this reader declines
    rather than imitate (Excel marks every text with spaces at its ends)."""
    text = _string(raw)
    if (text[:1].isspace() or text[-1:].isspace()) and not (attributes and _PRESERVE.search(attributes)):
        raise Declined("spaces at the ends of a text not marked to keep them")
    return text


def _string(raw: bytes) -> str:
    """XML text as calamine gives it: line ends made LF (as XML reads them), entities and OOXML's _xHHHH_
    escapes resolved."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _unescaped(text)
    return _ESCAPED_CHARACTER.sub(_character, text) if "_x" in text else text


def _character(match: re.Match) -> str:
    return chr(int(match.group(1), 16))


def _unescaped(text: str) -> str:
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _entity(match: re.Match) -> str:
    named, decimal, hexadecimal = match.groups()
    return _NAMED[named] if named else chr(int(decimal) if decimal else int(hexadecimal, 16))


@functools.lru_cache(maxsize=16)
def _styles(xml: bytes) -> tuple[dict[int, int], dict[int, str]]:
    """(cell style index -> number format id, custom format id -> its code); cached on the part's bytes:
    every file made from one template carries the same styles."""
    block = _XF_BLOCK.search(xml)
    xf_formats = {}
    for index, xf in enumerate(_XF.findall(block.group(1)) if block else ()):
        found = _FORMAT_ID.search(xf)
        xf_formats[index] = int(found.group(1)) if found else 0
    custom = {}
    for attributes in _NUMBER_FORMAT.findall(xml):
        format_id, code = _FORMAT_ID.search(attributes), _FORMAT_CODE.search(attributes)
        if format_id and code:
            custom[int(format_id.group(1))] = _unescaped(code.group(1).decode("utf-8"))
    return xf_formats, custom


@functools.lru_cache(maxsize=256)
def _format_kind(code: str) -> str | None:
    """"date", "declined" (a duration, or a date format with a time or AM/PM) or None (a number), by
    calamine's reading of a custom format: the first section's letters outside quotes and brackets."""
    if code.lower() == "general":
        return None
    dated = _is_custom_date_format(code)
    if not dated:
        return None
    stripped = re.sub(r'"[^"]*"|\\.|_.', "", code.split(";")[0])
    if re.search(r"\[[hmsHMS]", stripped):
        return "declined"
    return "declined" if re.search(r"[hsHSaApP]", re.sub(r"\[[^\]]*\]", "", stripped)) else "date"


def _is_custom_date_format(code: str) -> bool:
    """calamine's `is_custom_date_format` (src/formats.rs), step for step."""
    escaped = quoted = ap = hms = False
    brackets, previous = 0, " "
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return False
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and hms:
            return True
        elif char == "]":
            brackets = max(brackets - 1, 0)
        elif char in "aA" and not ap and brackets == 0:
            ap = True
        elif char in "pmPM/" and ap and brackets == 0:
            return True
        elif char in "dmhysDMHYS" and not ap and brackets == 0:
            return True
        elif not (hms and char.lower() == previous.lower()):
            hms = previous == "[" and char in "mhsMHS"
        previous = char
    return False

