"""Scanning a zip's text parts as they inflate: well-formedness (expat), DOCTYPE and entities, and (through
farcells.py) cells placed far beyond the template."""
from __future__ import annotations

import codecs
from xml.parsers import expat

from pipeline.intake.farcells import OdsTracker, PositionTracker, check_canonical, check_ranges
from pipeline.intake.ziptypes import Damaged, Refusal, ZipLimits
from pipeline.problems import problem


def scanner_for(part: str, first: bytes, limits: ZipLimits, positional: bool) -> XmlScanner | None:
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
    return XmlScanner(part, limits, encoding, positional, ods_content, xml)


def _well_formedness_parser(part: str):
    """An expat parser with no content handlers (the cheapest way to check a part is well-formed) that
    refuses a DOCTYPE as soon as it starts, before any entity in it is declared or expanded."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(*_: object) -> None:
        raise _entities_refusal(part)

    parser.StartDoctypeDeclHandler = refuse_doctype
    return parser


def _entities_refusal(part: str) -> Refusal:
    return Refusal(problem("xml-entities", value=part, part=part))


def _utf16_encoding(first: bytes) -> str | None:
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = first[:8]
    if len(head) == 8 and head[1::2] == bytes(4) and bytes(1) not in head[0::2]:
        return "utf-16-le"
    if len(head) == 8 and head[0::2] == bytes(4) and bytes(1) not in head[1::2]:
        return "utf-16-be"
    return None


class XmlScanner:
    """Feeds a part's text in chunks, scanning only whole tags: each segment ends just before a '<'."""

    def __init__(self, part: str, limits: ZipLimits, encoding: str | None, positional: bool, ods: bool,
                 xml: bool) -> None:
        self.part = part
        self.limits = limits
        self.parser = _well_formedness_parser(part) if xml else None
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace") if encoding else None
        self.pending = bytearray()
        self.cells = PositionTracker(part, limits) if positional else None
        self.ods = OdsTracker(part, limits) if ods else None

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
            raise Damaged(self.part) from None

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
            check_canonical(segment, self.limits)
        if b"dimension" in segment or b"mergeCell" in segment:
            check_ranges(segment, self.part, self.limits)
