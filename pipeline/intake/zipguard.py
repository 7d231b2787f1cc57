"""Cheap checks of a spreadsheet zip (xlsx, xlsm, ods) before any reader opens it: bombs, far cells, XML entities."""
from __future__ import annotations

import codecs
import functools
import io
import html
import re
import struct
import zipfile
import zlib
from xml.parsers import expat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.problems import Problem, problem
from pipeline.ooxml import column_index, column_letter, sheet_of_part

CHUNK_SIZE = 256 * 1024
INPUT_SLICE = 64 * 1024  # compressed bytes fed to zlib at a time
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 1000
    max_total_uncompressed: int = 100 * 1024 * 1024  # a real report is well under 5 MB
    max_ratio: float = 100.0  # like Apache POI: refuse entries inflating over 100:1 ...
    ratio_min_size: int = 1024 * 1024  # ... once they are larger than this uncompressed
    max_row: int = 5000  # the template uses < 200 rows; far beyond is hostile
    max_col: int = 200  # column index (1-based); "GR"


class InflatedParts(dict):
    """The parts the zip guard inflated (name -> bytes), read like a zip's members: read once, used by every
    reader after. `irregular` names the XML parts whose cells or rows are not all canonical `<c r="A1"` /
    `<row r="1"` (a position implied by order, another attribute first, a namespace prefix)."""

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()

    def read(self, name: str) -> bytes:
        return self[name]


def check_zip(source: Path | bytes, limits: ZipLimits = ZipLimits(), keep: InflatedParts | None = None
              ) -> Problem | None:
    """The first reason to refuse this xlsx/xlsm/ods (a path, or its bytes already read) before reading it,
    or None. Never raises. With `keep`, every part inflated by the scan is left there, so that the readers
    after it need not inflate the same part again.

    Entry names with absolute paths or '..' are not refused: readers only look parts up by name and
    never extract to disk, so such names are harmless here (though a sign of a crafted file).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            return _check_archive(archive, limits, keep)
    except _Refusal as refusal:
        return refusal.problem
    except Exception:  # unreadable directory, CRC or size mismatch, unsupported method, cut stream...
        return problem("bad-zip")


# --- problems ----------------------------------------------------------------------------------


class _Refusal(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


class _FarCell(Exception):
    """Raised inside a part's scan; turned into a problem once the sheet's name is known."""

    def __init__(self, part: str, ref: str, sheet: str | None = None) -> None:
        super().__init__(ref)
        self.part = part
        self.ref = ref[:32]
        self.sheet = sheet


class _Damaged(Exception):
    """An XML part that is not well-formed: cut short, or bytes that no writer produces."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


class _NeedsPositions(Exception):
    """The fast scan met cells or rows whose position is implied by their order, or odd syntax."""


# --- the archive -------------------------------------------------------------------------------


def _check_archive(archive: zipfile.ZipFile, limits: ZipLimits, keep: InflatedParts | None = None) -> Problem | None:
    infos = archive.infolist()
    _check_directory(infos, limits)
    _check_required_parts(archive, infos)
    budget = _Budget(limits)
    try:
        for info in infos:
            _scan_member(archive, info, limits, budget, keep)
    except _FarCell as far:
        return _far_cell_problem(archive, far)
    except _Damaged as damaged:
        sheet = _sheet_name(archive, damaged.part)
        return problem("damaged-part", sheet=sheet, value=damaged.part, where=_part_label(damaged.part, sheet))
    return None


def _part_label(part: str, sheet: str | None) -> str:
    return f"Trang tính «{sheet}» ({part})" if sheet else f"Phần {part} của tệp"


def _far_cell_problem(archive: zipfile.ZipFile, far: _FarCell) -> Problem:
    sheet = far.sheet or _sheet_name(archive, far.part)
    where = _part_label(far.part, sheet)
    corners = far.ref.split(":")
    cell: str | None = far.ref
    if not all(_is_address(corner) for corner in corners):
        # "0", "A0", "-1", "A\x011": no cell of any sheet is called that, so none is named as the cell
        what, cell = f"một địa chỉ ô không hợp lệ («{far.ref}»)", None
    elif len(corners) > 1:
        what = f"vùng {far.ref}"
    elif far.ref.isdigit():
        what = f"dòng số {far.ref}"
    else:
        what = f"ô ở vị trí {far.ref}"
    return problem("far-cell", sheet=sheet, cell=cell, value=far.part, where=where, what=what)


def _is_address(text: str) -> bool:
    """A row number or an A1 reference, however far: what a user could look for in a sheet."""
    match = re.fullmatch(r"([A-Za-z]{0,7})([0-9]+)", text)
    return match is not None and int(match.group(2)) >= 1


def _check_directory(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    """What the central directory declares: cheap, but only a first line since headers can lie."""
    if len(infos) > limits.max_entries:
        raise _Refusal(problem("too-many-parts", count=len(infos), limit=limits.max_entries))
    if sum(info.file_size for info in infos) > limits.max_total_uncompressed:
        raise _Refusal(_total_bomb(limits))
    for info in infos:
        _check_ratio(info.filename, info.file_size, info.compress_size, limits)


def _check_ratio(part: str, size: int, compressed: int, limits: ZipLimits) -> None:
    if size > limits.ratio_min_size and size > limits.max_ratio * max(compressed, 1):
        what = f"phần {part} giải nén ra gấp hơn {limits.max_ratio:g} lần"
        raise _Refusal(problem("zip-bomb", value=part, what=what))


def _total_bomb(limits: ZipLimits) -> Problem:
    megabytes = f"{limits.max_total_uncompressed / (1024 * 1024):g}"
    return problem("zip-bomb", what=f"giải nén ra hơn {megabytes} MB")


def _check_required_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    names = {info.filename.lower(): info for info in infos}
    required = "xl/workbook.xml"
    mimetype = names.get("mimetype")
    if mimetype is not None and mimetype.file_size < 256:
        with archive.open(mimetype) as member:
            if member.read(256).strip() == ODS_MIMETYPE:
                required = "content.xml"
    if required not in names:
        raise _Refusal(problem("missing-part", value=required, part=required))


class _Budget:
    """Counts the bytes really inflated, whatever the headers said."""

    def __init__(self, limits: ZipLimits) -> None:
        self.limits = limits
        self.total = 0
        self.member = 0

    def start(self) -> None:
        self.member = 0

    def spend(self, info: zipfile.ZipInfo, amount: int) -> None:
        self.member += amount
        self.total += amount
        if self.total > self.limits.max_total_uncompressed:
            raise _Refusal(_total_bomb(self.limits))
        _check_ratio(info.filename, self.member, info.compress_size, self.limits)

    def restart(self) -> None:
        """The member is read again from its start: its bytes count once."""
        self.total -= self.member
        self.member = 0


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, budget: _Budget,
                 keep: InflatedParts | None = None) -> None:
    """Inflate one member in chunks (zipfile checks its CRC and declared size at the end) and scan it."""
    budget.start()
    try:
        _scan_stream(archive, info, limits, budget, positional=False, keep=keep)
    except _NeedsPositions:
        if keep is not None:
            keep.irregular.add(info.filename)
        budget.restart()
        _scan_stream(archive, info, limits, budget, positional=True, keep=keep)


def _scan_stream(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, budget: _Budget, positional: bool,
    keep: InflatedParts | None = None,
) -> None:
    scanner: _XmlScanner | None = None
    chunks: list[bytes] = []
    waiting: bytes | None = None  # one chunk behind, so that the last is parsed as final (expat is faster so)
    for index, chunk in enumerate(_chunks(archive, info)):
        budget.spend(info, len(chunk))
        if index == 0:
            scanner = _scanner_for(info.filename, chunk, limits, positional)
        if scanner is not None and waiting is not None:
            scanner.feed(waiting)
        waiting = chunk
        if keep is not None:
            chunks.append(chunk)
    if scanner is not None:
        scanner.close(waiting or b"")
    if keep is not None:  # whole and checked: the total budget bounds what is kept
        keep[info.filename] = chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    source = archive.fp
    if (isinstance(source, io.BytesIO) and not info.flag_bits & 0x1
            and info.compress_type in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED)):
        yield from _inflated(source.getbuffer(), info)
        return
    with archive.open(info) as member:
        while chunk := member.read(CHUNK_SIZE):
            yield chunk


def _inflated(data: memoryview, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member inflated straight from the zip's bytes in memory, in chunks of at most CHUNK_SIZE, with the
    checks zipfile makes (local header, CRC, size): a tenth of zipfile's cost for a template-sized part."""
    offset = info.header_offset
    if bytes(data[offset:offset + 4]) != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"no local header for {info.filename}")
    name_length, extra_length = struct.unpack("<HH", data[offset + 26:offset + 30])
    expected = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    if bytes(data[offset + 30:offset + 30 + name_length]) != expected:  # as zipfile refuses it
        raise zipfile.BadZipFile(f"names differ in the directory and the header of {info.filename}")
    start = offset + 30 + name_length + extra_length
    raw = data[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise zipfile.BadZipFile(f"{info.filename} is cut short")
    crc, size = 0, 0
    if not raw:  # an empty member or a folder entry: nothing to inflate, the size and CRC still checked
        pieces: Iterator[bytes] = iter(())
    elif info.compress_type == zipfile.ZIP_STORED:
        pieces = (bytes(raw[at:at + CHUNK_SIZE]) for at in range(0, len(raw), CHUNK_SIZE))
    else:
        pieces = _deflated_pieces(raw)
    for piece in pieces:
        crc, size = zlib.crc32(piece, crc), size + len(piece)
        if size > info.file_size:
            raise zipfile.BadZipFile(f"{info.filename} inflates beyond its declared size")
        yield piece
    if size != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"bad CRC or size for {info.filename}")


def _deflated_pieces(raw: memoryview) -> Iterator[bytes]:
    """Inflated in pieces of at most CHUNK_SIZE; the input fed a slice at a time, so that what zlib leaves
    unconsumed (and Python copies) stays small however large the member."""
    inflater = zlib.decompressobj(-15)
    for at in range(0, len(raw), INPUT_SLICE):
        pending: bytes | memoryview = raw[at:at + INPUT_SLICE]
        while pending and not inflater.eof:
            piece = inflater.decompress(pending, CHUNK_SIZE)
            if piece:
                yield piece
            pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    while not inflater.eof:  # output zlib still holds once the input is all in
        piece = inflater.decompress(b"", CHUNK_SIZE)
        if not piece:
            break
        yield piece
    if not inflater.eof:
        raise zipfile.BadZipFile("deflate stream cut short")


# --- scanning XML parts ------------------------------------------------------------------------


def _scanner_for(part: str, first: bytes, limits: ZipLimits, positional: bool) -> _XmlScanner | None:
    """A scanner for text parts; binary parts (images, vbaProject.bin...) only get inflated and counted."""
    encoding = _utf16_encoding(first)
    if encoding is None and b"\x00" in first[:4096]:
        return None
    # Every text part is scanned, not just xl/worksheets/*: readers follow the relationships, so a sheet can
    # live under any name (seen: calamine reads a sheet stored as xl/sheet1.bin, and matches names ignoring case).
    ods_content = part.lower() == "content.xml"
    # XML by its content, not its name, for the same reason; a text part that starts otherwise (an ODS
    # `mimetype`, a stray .txt) has no structure to check.
    xml = first.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00").startswith(b"<")
    return _XmlScanner(part, limits, encoding, positional, ods_content, xml)


def _well_formedness_parser(part: str):
    """An expat parser with no content handlers (the cheapest way to check a part is well-formed) that
    refuses a DOCTYPE as soon as it starts, before any entity in it is declared or expanded."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(*_: object) -> None:
        raise _entities_refusal(part)

    parser.StartDoctypeDeclHandler = refuse_doctype
    return parser


def _entities_refusal(part: str) -> _Refusal:
    return _Refusal(problem("xml-entities", value=part, part=part))


def _utf16_encoding(first: bytes) -> str | None:
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = first[:8]
    if len(head) == 8 and head[1::2] == bytes(4) and bytes(1) not in head[0::2]:
        return "utf-16-le"
    if len(head) == 8 and head[0::2] == bytes(4) and bytes(1) not in head[1::2]:
        return "utf-16-be"
    return None


class _XmlScanner:
    """Feeds a part's text in chunks, scanning only whole tags: each segment ends just before a '<'."""

    def __init__(self, part: str, limits: ZipLimits, encoding: str | None, positional: bool, ods: bool,
                 xml: bool) -> None:
        self.part = part
        self.limits = limits
        self.parser = _well_formedness_parser(part) if xml else None
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace") if encoding else None
        self.pending = bytearray()
        self.cells = _PositionTracker(part, limits) if positional else None
        self.ods = _OdsTracker(part, limits) if ods else None

    def feed(self, chunk: bytes) -> None:
        if self.parser is not None:
            self._parse(chunk, final=False)
        if self.decoder is not None:
            chunk = self.decoder.decode(chunk).encode("utf-8")
        cut = chunk.rfind(b"<")
        if cut < 0:
            # No tag starts here; copying into `pending` keeps one huge tag from costing quadratic time.
            self.pending += chunk
            return
        segment = bytes(self.pending) + chunk[:cut]
        self.pending = bytearray(chunk[cut:])
        self._scan(segment)

    def close(self, last: bytes = b"") -> None:
        """The last chunk (possibly empty), parsed as the end of the part."""
        if self.parser is not None:
            self._parse(last, final=True)
        if self.decoder is not None:
            last = self.decoder.decode(last, final=True).encode("utf-8")
        self._scan(bytes(self.pending) + last)
        self.pending = bytearray()

    def _parse(self, data: bytes, final: bool) -> None:
        """expat sees the raw bytes (it reads the encoding declaration itself) as they stream past."""
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError:
            raise _Damaged(self.part) from None

    def _scan(self, segment: bytes) -> None:
        if not segment:
            return
        if b"<!DOCTYPE" in segment or b"<!ENTITY" in segment:
            raise _entities_refusal(self.part)
        if self.ods is not None:
            self.ods.feed(segment)
        if self.cells is not None:
            self.cells.feed(segment)
        else:
            self._fast_check(segment)
        if b"dimension" in segment or b"mergeCell" in segment:
            self._check_ranges(segment)

    def _fast_check(self, segment: bytes) -> None:
        """Canonical markup (`<c r="A1"`, `<row r="1"`) within limits passes at C speed.

        A match is either a far cell or markup the patterns do not cover (no r, r not first, other
        whitespace or quotes, `<x:c`): the positional walk then tells which and names the cell.
        """
        cell_ok, row_ok = _position_patterns(self.limits.max_row, self.limits.max_col)
        if cell_ok.search(segment) or row_ok.search(segment) or _PREFIXED_TAG.search(segment):
            raise _NeedsPositions

    def _check_ranges(self, segment: bytes) -> None:
        cell_ok = _range_pattern(self.limits.max_row, self.limits.max_col)
        for pattern in (_DIMENSION_REF, _MERGE_REF):
            for ref in pattern.findall(segment):
                if cell_ok.fullmatch(ref):  # the usual "A1:E12": within limits at C speed
                    continue
                if not all(_within(_position(corner), self.limits) for corner in ref.split(b":")):
                    raise _FarCell(self.part, ref.decode("ascii", "replace"))


# Each pattern starts with a literal, so the regex engine skips ahead at C speed; a `<` start costs 5x more.
_PREFIXED_TAG = re.compile(rb":(?:c|row)[\s/>]")  # the OpenXML SDK writes `<x:c r=...>`
_DIMENSION_REF = re.compile(rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_MERGE_REF = re.compile(rb"mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_R_VALUE = re.compile(rb"""\sr\s*=\s*["']([^"']*)""")
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")


@functools.lru_cache(maxsize=8)
def _position_patterns(max_row: int, max_col: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Regexes matching a cell or row start tag that is not `<c r="in-limits"` / `<row r="in-limits"`.

    Only `<c` and `<row` tags count: DrawingML in themes and drawings has r attributes of its own
    (`<a:fillToRect r="50000"/>`).
    """
    rows = _decimal_up_to(max_row)
    cell = f'<c(?=[\\s/>])(?! r="(?i:{_columns_up_to(max_col)}){rows}")'
    row = f'<row(?=[\\s/>])(?! r="{rows}")'
    return re.compile(cell.encode("ascii")), re.compile(row.encode("ascii"))


@functools.lru_cache(maxsize=8)
def _range_pattern(max_row: int, max_col: int) -> re.Pattern[bytes]:
    """A range (or single cell) whose corners are plain A1 references within the limits."""
    corner = f"(?:{_columns_up_to(max_col)}){_decimal_up_to(max_row)}"
    return re.compile(f"{corner}(?::{corner})?".encode("ascii"))


def _decimal_up_to(limit: int) -> str:
    """A regex for the integers 1..limit written without leading zeros."""
    digits = str(limit)
    alternatives = [rf"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for index, char in enumerate(digits):
        low = 1 if index == 0 else 0
        if int(char) > low:
            alternatives.append(f"{digits[:index]}[{low}-{int(char) - 1}][0-9]{{{len(digits) - index - 1}}}")
    alternatives.append(digits)
    return "(?:" + "|".join(alternatives) + ")"


def _columns_up_to(limit: int) -> str:
    """A regex for the column names A..name(limit): same-length names sort like their numbers."""
    name = column_name(limit)
    alternatives = [f"[A-Z]{{1,{len(name) - 1}}}"] if len(name) > 1 else []
    for index, char in enumerate(name):
        if char > "A":
            alternatives.append(f"{name[:index]}[A-{chr(ord(char) - 1)}][A-Z]{{{len(name) - index - 1}}}")
    alternatives.append(name)
    return "(?:" + "|".join(alternatives) + ")"


def column_name(index: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 200 -> GR; 0 (no column) -> ""."""
    return column_letter(index - 1)


def _position(ref: bytes) -> tuple[int, int]:
    """(row, column) of an A1 ref, column 0 when absent; (0, 0), never within limits, when it is no plain ref."""
    if ref.isdigit() and len(ref) <= 7:
        return int(ref), 0
    match = _REF.fullmatch(ref)
    if match is None:
        return 0, 0
    return int(match.group(2)), column_index(match.group(1))


def _within(position: tuple[int, int], limits: ZipLimits) -> bool:
    row, column = position
    return 1 <= row <= limits.max_row and column <= limits.max_col


class _PositionTracker:
    """The slow path: walks every cell and row tag in order, as readers do, to place implied positions."""

    _TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)(?=[\s/>])([^>]*)")

    def __init__(self, part: str, limits: ZipLimits) -> None:
        self.part = part
        self.limits = limits
        self.row = 0
        self.column = 0

    def feed(self, segment: bytes) -> None:
        for name, attributes in self._TAG.findall(segment):
            value = _R_VALUE.search(attributes)
            if name == b"row":
                self._enter_row(value.group(1) if value else None)
            else:
                self._place_cell(value.group(1) if value else None)

    def _enter_row(self, ref: bytes | None) -> None:
        # A far row is refused only once it holds a cell: Excel writes empty rows far down for a changed height.
        if ref is None:
            self.row += 1
        else:
            self.row = _position(ref)[0]
            if self.row == 0:
                raise _FarCell(self.part, ref.decode("ascii", "replace"))
        self.column = 0

    def _place_cell(self, ref: bytes | None) -> None:
        if ref is None:
            self.column += 1
        else:
            self.row, self.column = _position(ref)
        if not _within((self.row, self.column), self.limits):
            label = ref.decode("ascii", "replace") if ref else f"{column_name(self.column)}{self.row}"
            raise _FarCell(self.part, label)


class _OdsTracker:
    """Places ODS cells through their repeat counts; only cells with content widen what readers allocate.

    calamine expands repeated rows and columns into a dense grid: an 812-byte file repeating one value
    over 1,000,000 rows x 99 columns took 7.8 GB and 24 s before failing. Empty repeats (LibreOffice pads
    every sheet to row 1048576 with them) cost nothing and are allowed.
    """

    # Any prefix: calamine wants the literal `table:`, but odfpy (pandas' ODS reader) resolves namespaces.
    _TAG = re.compile(rb"<(?:[\w.-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)>")
    _NAME = re.compile(rb"\s(?:[\w.-]+:)?name\s*=\s*[\"']([^\"']*)")
    _ROWS = re.compile(rb"number-rows-repeated\s*=\s*[\"']([0-9]{1,12})")
    _COLUMNS = re.compile(rb"number-columns-repeated\s*=\s*[\"']([0-9]{1,12})")

    def __init__(self, part: str, limits: ZipLimits) -> None:
        self.part = part
        self.limits = limits
        self.sheet: str | None = None
        self.next_row = 1
        self.row_end = 0
        self.column = 0

    def feed(self, segment: bytes) -> None:
        for name, attributes in self._TAG.findall(segment):
            if name == b"table":
                self._enter_table(attributes)
            elif name == b"table-row":
                self._enter_row(attributes)
            else:
                self._place_cell(attributes)

    def _enter_table(self, attributes: bytes) -> None:
        name = self._NAME.search(attributes)
        self.sheet = html.unescape(name.group(1).decode("utf-8", "replace")) if name else None
        self.next_row = 1

    def _enter_row(self, attributes: bytes) -> None:
        repeat = _repeat(self._ROWS, attributes)
        self.row_end = self.next_row + repeat - 1
        self.next_row += repeat
        self.column = 0

    def _place_cell(self, attributes: bytes) -> None:
        repeat = _repeat(self._COLUMNS, attributes)
        self.column += repeat
        has_content = not attributes.endswith(b"/") or b"value-type" in attributes
        if has_content and not _within((self.row_end, self.column), self.limits):
            raise _FarCell(self.part, f"{column_name(self.column)}{self.row_end}", self.sheet)


def _repeat(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    match = pattern.search(attributes)
    return max(int(match.group(1)), 1) if match else 1


# --- naming the sheet of a part (only once a far cell was found) --------------------------------


def _sheet_name(archive: zipfile.ZipFile, part: str) -> str | None:
    """The name users see for the sheet stored in `part` (looked up only once a problem was found)."""
    try:
        rels = _read_capped(archive, "xl/_rels/workbook.xml.rels")
        workbook = _read_capped(archive, "xl/workbook.xml")
    except Exception:
        return None
    return sheet_of_part(workbook, rels, part)


def _read_capped(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes:
    with archive.open(name) as member:
        return member.read(limit)
