"""A unit's own workbook with its problem cells filled and commented and a sheet listing the problems in
front, made by patching the package (pipeline/outputs/package.py): a few milliseconds a copy, and nothing
of the unit's workbook that this module does not touch is lost or rewritten.

What it changes: the styles part (fills, fonts and cell formats appended; the existing ones keep their
numbers), each marked sheet (the `s` of the marked cells, a `legacyDrawing` pointing at a new comments part
and its VML drawing), the workbook part (the list sheet first, sheet-local names moved up by one, the list
active), the workbook's and sheets' relationships and the content types. A package it cannot edit safely
raises Unsupported, and the caller marks the copy another way.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.ooxml import a1_to_index, cell_name, column_index, sheet_parts
from pipeline.outputs.package import OFFICE_RELATIONSHIPS, Package, Unsupported
from pipeline.xmltext import escape, quoteattr

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
FILL_COLOURS = {True: "FFFFC7CE", False: "FFFFEB9C"}  # error: light red; warning: light yellow
MAX_COMMENTS = 1000  # per sheet: the shape ids of one VML drawing (o:idmap) hold 1,024
FONT = "Times New Roman"
AUTHOR = "consolidate"

# Elements after which a worksheet's legacyDrawing must come, in the schema's order (CT_Worksheet).
_AFTER_LEGACY = {b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                 b"tableParts", b"extLst"}
# A part we add text to must be UTF-8: a BOM, a declaration naming it, or none at all.
_UTF8_XML = re.compile(rb"""(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*encoding=["'](?i:utf-8)["']|<\?xml(?![^>]*encoding)|<(?!\?xml))""")
_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>")
_ROOT = re.compile(rb"<(?:[\w.-]+:)?(worksheet|workbook|styleSheet)\b[^>]*>")
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?(/?)>')
_CELL_START = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(/?)>')
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]{1,3}\d+):([A-Z]{1,3}\d+)"')
_STYLE_ATTR = re.compile(rb'\ss="\d*"')
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_TAB_SELECTED = re.compile(rb'\stabSelected="(?:1|true)"')
_LOCAL_SHEET = re.compile(rb'(\blocalSheetId=")(\d+)(")')
_SHEET_ID = re.compile(rb'<sheet\b[^>]*?\bsheetId="(\d+)"')
_ACTIVE_TAB = re.compile(rb'\s(?:activeTab|firstSheet)="\d+"')


@dataclass(frozen=True)
class Mark:
    """One cell to mark: filled red (error) or yellow (warning), with `text` in its comment."""

    sheet: str
    ref: str
    error: bool
    text: str


@dataclass(frozen=True)
class Listing:
    """The sheet put first: a title, a line of summary, a header row and one row per problem."""

    name: str
    title: str
    summary: str
    header: tuple[str, ...]
    rows: tuple[tuple[bool, tuple[str, ...]], ...]  # (is an error, cells)
    widths: tuple[float, ...]


def marked_copy(data: bytes, marks: list[Mark], listing: Listing) -> bytes:
    """The package `data` with `marks` made and `listing` added as its first, active sheet."""
    package = Package(data)
    for part in (WORKBOOK, WORKBOOK_RELS, STYLES, "[Content_Types].xml"):
        if not package.has(part):
            raise Unsupported(f"no {part}")
    workbook = package.read(WORKBOOK)
    if b"purl.oclc.org/ooxml" in workbook:  # Strict Open XML: its namespaces are not the ones written here
        raise Unsupported("a Strict Open XML workbook")
    parts = sheet_parts(workbook, package.read(WORKBOOK_RELS))
    if _folded(listing.name) in {_folded(name) for name in parts}:  # Excel compares sheet names ignoring case
        raise Unsupported("the workbook already has a list sheet")
    if not _UTF8_XML.match(workbook):
        raise Unsupported("the workbook part is not in UTF-8")
    styles = _Styles(package.read(STYLES))
    by_sheet: dict[str, list[Mark]] = {}
    for mark in marks:
        if mark.sheet in parts and parts[mark.sheet] and package.has(parts[mark.sheet]):
            by_sheet.setdefault(mark.sheet, []).append(mark)
    for sheet, sheet_marks in by_sheet.items():
        _mark_sheet(package, parts[sheet], sheet_marks, styles)
    for part in set(parts.values()):  # marked or not, as each now stands in the package
        if part and package.has(part) and part.endswith(".xml"):
            _unselect(package, part)
    list_styles = styles.listing_formats()
    package.write(STYLES, styles.xml())
    _add_listing(package, workbook, listing, list_styles)
    return package.save()


# ---------------------------------------------------------------------------------------- styles
class _Styles:
    """The styles part, with fills, fonts and cell formats appended; existing indices never move."""

    def __init__(self, xml: bytes) -> None:
        _require_unprefixed(xml, b"styleSheet")
        self.original = xml
        self.xfs = _XF.findall(_block(xml, b"cellXfs"))
        self.fills_count = _count(xml, b"fills")
        self.fonts_count = _count(xml, b"fonts")
        self.new_fills: list[bytes] = []
        self.new_fonts: list[bytes] = []
        self.new_xfs: list[bytes] = []
        self.cloned: dict[tuple[int, bool], int] = {}
        self.fill_ids: dict[bool, int] = {}

    def marked(self, style: int, error: bool) -> int:
        """The cell format of `style` with the error or warning fill; one clone per pair."""
        key = (style, error)
        if key not in self.cloned:
            if error not in self.fill_ids:
                while self.fills_count + len(self.new_fills) < 2:  # Excel reserves fills 0 (none) and 1 (gray125)
                    pattern = "none" if self.fills_count + len(self.new_fills) == 0 else "gray125"
                    self.new_fills.append(f'<fill><patternFill patternType="{pattern}"/></fill>'.encode())
                self.fill_ids[error] = self.fills_count + len(self.new_fills)
                self.new_fills.append(f'<fill><patternFill patternType="solid"><fgColor rgb="{FILL_COLOURS[error]}"/>'
                                      f'<bgColor indexed="64"/></patternFill></fill>'.encode())
            base = self.xfs[style] if 0 <= style < len(self.xfs) else b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            self.cloned[key] = self._add_xf(_with_attributes(base, {b"fillId": str(self.fill_ids[error]).encode(),
                                                                    b"applyFill": b"1"}))
        return self.cloned[key]

    def listing_formats(self) -> dict[str, int]:
        """Cell formats of the list sheet: title, summary, header, body, error body, error first column."""
        fonts = {"title": "<b/><sz val=\"14\"/>", "summary": "<i/><sz val=\"11\"/>", "header": "<b/><sz val=\"11\"/>",
                 "body": "<sz val=\"11\"/>", "error": "<sz val=\"11\"/><color rgb=\"FFC00000\"/>",
                 "error_first": "<b/><sz val=\"11\"/><color rgb=\"FFC00000\"/>"}
        formats = {}
        for name, inner in fonts.items():
            font_id = self.fonts_count + len(self.new_fonts)
            self.new_fonts.append(f'<font>{inner}<name val="{FONT}"/><family val="1"/></font>'.encode())
            wrap = name in ("body", "error", "error_first")
            alignment = ' applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' if wrap else "/>"
            formats[name] = self._add_xf(
                f'<xf numFmtId="0" fontId="{font_id}" fillId="0" borderId="0" xfId="0" applyFont="1"{alignment}'.encode())
        return formats

    def _add_xf(self, xf: bytes) -> int:
        self.new_xfs.append(xf)
        return len(self.xfs) + len(self.new_xfs) - 1

    def xml(self) -> bytes:
        xml = self.original
        xml = _append_to_block(xml, b"fills", self.new_fills, self.fills_count)
        xml = _append_to_block(xml, b"fonts", self.new_fonts, self.fonts_count)
        return _append_to_block(xml, b"cellXfs", self.new_xfs, len(self.xfs))


def _block(xml: bytes, tag: bytes) -> bytes:
    match = re.search(rb"<" + tag + rb"\b[^>]*>(.*?)</" + tag + rb">", xml, re.S)
    if match is None:
        raise Unsupported(f"no <{tag.decode()}> in the styles part")
    return match.group(1)


def _count(xml: bytes, tag: bytes) -> int:
    block = _block(xml, tag)
    child = {b"fills": rb"<fill\b", b"fonts": rb"<font\b"}[tag]
    return len(re.findall(child, block))


def _append_to_block(xml: bytes, tag: bytes, entries: list[bytes], existing: int) -> bytes:
    if not entries:
        return xml
    match = re.search(rb"(<" + tag + rb"\b[^>]*>)(.*?)(</" + tag + rb">)", xml, re.S)
    opening = re.sub(rb'\scount="\d*"', b"", match.group(1))
    opening = opening[:-1] + f' count="{existing + len(entries)}">'.encode()
    return xml[:match.start()] + opening + match.group(2) + b"".join(entries) + match.group(3) + xml[match.end():]


def _with_attributes(element: bytes, values: dict[bytes, bytes]) -> bytes:
    end = element.index(b">")
    head, rest = element[:end], element[end:]
    closing = b""
    if head.endswith(b"/"):
        head, closing = head[:-1], b"/"
    for name, value in values.items():
        pattern = re.compile(rb"\s" + name + rb'="[^"]*"')
        head = pattern.sub(b"", head)
        head += b" " + name + b'="' + value + b'"'
    return head + closing + rest


# ---------------------------------------------------------------------------------------- a marked sheet
def _mark_sheet(package: Package, part: str, marks: list[Mark], styles: _Styles) -> None:
    xml = package.read(part)
    _require_unprefixed(xml, b"worksheet")
    if b"<legacyDrawing" in xml:
        raise Unsupported("the sheet has comments or controls of its own")
    # Every row and cell must carry its address first, as Excel, LibreOffice and the Python writers put it.
    if (xml.count(b"<row ") + xml.count(b"<row>") != xml.count(b'<row r="')
            or xml.count(b"<c ") + xml.count(b"<c>") != xml.count(b'<c r="')):
        raise Unsupported("rows or cells without an address first")
    rows = [int(number) for number in re.findall(rb'<row\b[^>]*?\br="(\d+)"', xml)]
    if any(a >= b for a, b in zip(rows, rows[1:])):
        raise Unsupported("rows out of order")
    merged = _merged_ranges(xml)
    cells: dict[str, list[Mark]] = {}
    for mark in marks:
        ref = _anchor(mark.ref, merged)
        if ref is not None:
            cells.setdefault(ref, []).append(mark)
    if not cells:
        return
    for ref, cell_marks in cells.items():
        error = any(m.error for m in cell_marks)
        xml = _restyle(xml, ref, lambda style, error=error: styles.marked(style, error))
    comments = list(cells.items())[:MAX_COMMENTS]
    comments_part = package.free_name("xl/comments{}.xml")
    drawing_part = package.free_name("xl/drawings/vmlDrawing{}.vml")
    block = int(re.search(r"(\d+)\.vml$", drawing_part).group(1))  # shape ids of the n-th drawing: n × 1024 + i
    package.write(comments_part, _comments_xml(comments))
    package.write(drawing_part, _vml(comments, block))
    package.content_type(comments_part, COMMENTS_TYPE)
    package.default_type("vml", VML_TYPE)
    package.relate(part, comments_part, "comments")
    drawing_id = package.relate(part, drawing_part, "vmlDrawing")
    package.write(part, _with_legacy_drawing(xml, drawing_id))


def _unselect(package: Package, part: str) -> None:
    """The list sheet is the one selected: a sheet also selected would open grouped with it."""
    xml = package.read(part)
    if b"tabSelected" in xml and _TAB_SELECTED.search(xml):
        package.write(part, _TAB_SELECTED.sub(b"", xml))


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int, str]]:
    ranges = []
    for first, last in _MERGE.findall(xml):
        (r1, c1), (r2, c2) = a1_to_index(first.decode()), a1_to_index(last.decode())
        ranges.append((r1, c1, r2, c2, first.decode()))
    return ranges


def _anchor(ref: str, merged: list[tuple[int, int, int, int, str]]) -> str | None:
    """The cell a mark goes on: the top-left cell of a merged range holding `ref`; None for no cell."""
    try:
        row, col = a1_to_index(ref)
    except (AttributeError, TypeError, ValueError):
        return None
    if not (0 <= row < 1_048_576 and 0 <= col < 16_384):
        return None
    for r1, c1, r2, c2, first in merged:
        if r1 <= row <= r2 and c1 <= col <= c2:
            return first
    return cell_name(row, col)


def _restyle(xml: bytes, ref: str, new_style) -> bytes:
    """`ref`'s cell with the format `new_style(old)`; a cell or row the sheet does not hold is added."""
    row_number, col = a1_to_index(ref)
    row_number += 1
    letters = re.match(r"[A-Z]+", ref).group(0).encode()
    found = re.search(rb'<c\b[^>]*?\br="' + ref.encode() + rb'"[^>]*?/?>', xml)
    if found:
        tag = found.group(0)
        style = re.search(rb'\ss="(\d*)"', tag)
        old = int(style.group(1)) if style and style.group(1) else 0
        closing = b"/>" if tag.endswith(b"/>") else b">"
        head = _STYLE_ATTR.sub(b"", tag[: -len(closing)])
        rebuilt = head + f' s="{new_style(old)}"'.encode() + closing
        return xml[:found.start()] + rebuilt + xml[found.end():]
    new_cell = b'<c r="' + ref.encode() + f'" s="{new_style(_row_style(xml, row_number, col))}"/>'.encode()
    for row in _ROW.finditer(xml):
        number = int(row.group(1))
        if number < row_number:
            continue
        if number > row_number:  # no such row: a new one before this
            return xml[:row.start()] + f'<row r="{row_number}">'.encode() + new_cell + b"</row>" + xml[row.start():]
        if row.group(2):  # <row r="5" …/>: opened to hold the cell
            opened = row.group(0)[:-2] + b">" + new_cell + b"</row>"
            return xml[:row.start()] + opened + xml[row.end():]
        end = xml.index(b"</row>", row.end())
        for cell in _CELL_START.finditer(xml, row.end(), end):
            if column_index(cell.group(1)) > column_index(letters):
                return xml[:cell.start()] + new_cell + xml[cell.start():]
        return xml[:end] + new_cell + xml[end:]
    closing = xml.find(b"</sheetData>")
    if closing >= 0:
        return xml[:closing] + f'<row r="{row_number}">'.encode() + new_cell + b"</row>" + xml[closing:]
    empty = re.search(rb"<sheetData\s*/>", xml)
    if empty is None:
        raise Unsupported("no sheetData")
    return (xml[:empty.start()] + f'<sheetData><row r="{row_number}">'.encode() + new_cell + b"</row></sheetData>"
            + xml[empty.end():])


def _row_style(xml: bytes, row_number: int, col: int = -1) -> int:
    """The format an empty cell shows: its row's own (customFormat), else its column's; a cell added there
    starts from it."""
    row = re.search(rb'<row\b[^>]*?\br="' + str(row_number).encode() + rb'"[^>]*>', xml)
    if row and b'customFormat="1"' in row.group(0):
        style = re.search(rb'\ss="(\d+)"', row.group(0))
        return int(style.group(1)) if style else 0
    for column in re.finditer(rb"<col\b[^>]*>", xml[:xml.find(b"<sheetData")]):
        low, high = re.search(rb'\bmin="(\d+)"', column.group(0)), re.search(rb'\bmax="(\d+)"', column.group(0))
        style = re.search(rb'\bstyle="(\d+)"', column.group(0))
        if low and high and style and int(low.group(1)) <= col + 1 <= int(high.group(1)):
            return int(style.group(1))
    return 0


def _with_relationships_namespace(xml: bytes) -> bytes:
    """The part's root declaring the `r:` prefix that the elements added here use."""
    root = _ROOT.search(xml)
    if b"xmlns:r=" in root.group(0):
        return xml
    opened = root.group(0)[:-1] + f' xmlns:r="{OFFICE_RELATIONSHIPS}">'.encode()
    return xml[:root.start()] + opened + xml[root.end():]


def _with_legacy_drawing(xml: bytes, rel_id: str) -> bytes:
    xml = _with_relationships_namespace(xml)
    element = f'<legacyDrawing r:id="{rel_id}"/>'.encode()
    at = _first_child_after_legacy(xml)
    return xml[:at] + element + xml[at:]


def _first_child_after_legacy(xml: bytes) -> int:
    """Where legacyDrawing goes: before the first of the worksheet's own children that the schema puts after
    it. Only the worksheet's children count: an extLst inside a cfRule (Excel's data bars) is not one."""
    end = xml.find(b"</sheetData>")
    start = end + len(b"</sheetData>") if end >= 0 else re.search(rb"<sheetData\s*/>", xml).end()
    depth = 1  # inside <worksheet>, after sheetData
    for tag in _TAG.finditer(xml, start):
        closing, name, empty = tag.groups()
        if closing:
            depth -= 1
            if depth == 0:
                return tag.start()  # </worksheet>
            continue
        if depth == 1 and name in _AFTER_LEGACY:
            return tag.start()
        if not empty:
            depth += 1
    raise Unsupported("the worksheet does not close")


def _comments_xml(comments: list[tuple[str, list[Mark]]]) -> bytes:
    entries = []
    for ref, marks in comments:
        text = "\n\n".join(m.text for m in marks)[:30000]
        entries.append(f'<comment ref="{ref}" authorId="0"><text><r><rPr><sz val="9"/><rFont val="Tahoma"/>'
                       f'<family val="2"/></rPr><t xml:space="preserve">{escape(text)}</t></r></text></comment>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<authors><author>{AUTHOR}</author></authors><commentList>{"".join(entries)}</commentList>'
            '</comments>').encode()


def _vml(comments: list[tuple[str, list[Mark]]], block: int) -> bytes:
    """Excel draws a note from its VML shape: one hidden box per comment, anchored at its cell."""
    shapes = []
    for number, (ref, _) in enumerate(comments, start=1):
        row, col = a1_to_index(ref)
        shapes.append(
            f'<v:shape id="_x0000_s{block * 1024 + number}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:270pt;height:135pt;z-index:1;'
            'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>'
            f'<x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>')
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            f'{"".join(shapes)}</xml>').encode()


# ---------------------------------------------------------------------------------------- the list sheet
def _add_listing(package: Package, workbook: bytes, listing: Listing, formats: dict[str, int]) -> None:
    _require_unprefixed(workbook, b"workbook")
    part = package.free_name("xl/worksheets/sheet{}.xml")
    package.write(part, _listing_xml(listing, formats))
    package.content_type(part, SHEET_TYPE)
    rel_id = package.relate(WORKBOOK, part, "worksheet")
    sheets = re.search(rb"<sheets\b[^>]*>", workbook)
    if sheets is None:
        raise Unsupported("no <sheets> in the workbook part")
    next_id = max((int(i) for i in _SHEET_ID.findall(workbook)), default=0) + 1
    entry = f'<sheet name={quoteattr(listing.name)} sheetId="{next_id}" r:id="{rel_id}"/>'.encode()
    workbook = workbook[:sheets.end()] + entry + workbook[sheets.end():]
    # Names local to a sheet count sheets by position: every one moves up by the sheet put first.
    workbook = _LOCAL_SHEET.sub(lambda m: m.group(1) + str(int(m.group(2)) + 1).encode() + m.group(3), workbook)
    workbook = re.sub(rb"<workbookView\b[^>]*?/?>", lambda view: _ACTIVE_TAB.sub(b"", view.group(0)), workbook)
    package.write(WORKBOOK, _with_relationships_namespace(workbook))


def _listing_xml(listing: Listing, formats: dict[str, int]) -> bytes:
    rows = [_row(1, [(listing.title, formats["title"])]), _row(2, [(listing.summary, formats["summary"])]),
            _row(4, [(text, formats["header"]) for text in listing.header])]
    for number, (error, values) in enumerate(listing.rows, start=5):
        styled = [(value, formats["error_first" if error and col == 0 else "error" if error else "body"])
                  for col, value in enumerate(values)]
        rows.append(_row(number, styled))
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(listing.widths, 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{OFFICE_RELATIONSHIPS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>').encode()


def _row(number: int, cells: list[tuple[str, int]]) -> str:
    out = []
    for col, (text, style) in enumerate(cells):
        if text == "":
            out.append(f'<c r="{cell_name(number - 1, col)}" s="{style}"/>')
            continue
        out.append(f'<c r="{cell_name(number - 1, col)}" s="{style}" t="inlineStr"><is>'
                   f'<t xml:space="preserve">{escape(text)}</t></is></c>')
    return f'<row r="{number}">{"".join(out)}</row>'


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _require_unprefixed(xml: bytes, tag: bytes) -> None:
    root = _ROOT.search(xml)
    if root is None or not root.group(0).startswith(b"<" + tag):
        raise Unsupported(f"the <{tag.decode()}> part is written with a namespace prefix")

