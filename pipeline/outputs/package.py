"""An OOXML package edited in place: parts replaced or added, relationships and content types kept in step,
every other part copied byte for byte. Edits are made on the XML text with patterns, never by re-serialising
a parsed tree, so what the editor does not know (drawings, images, form controls, VBA) stays as it was."""
from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import BinaryIO

from pipeline.xmltext import quoteattr

CONTENT_TYPES = "[Content_Types].xml"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELATIONSHIP_ID = re.compile(rb'\bId="([^"]*)"')
_COMPRESS_LEVEL = 1  # parts written anew are small; the fastest level keeps a copy within milliseconds


class Unsupported(Exception):
    """A package this editor does not change safely (prefixed XML, parts it would have to merge)."""


class Package:
    """A zip package read once; `save` writes the original entries in order, then the added ones."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.infos = self.archive.infolist()
        self.names = {info.filename for info in self.infos}
        self.folded = {name.lower() for name in self.names}
        self.changed: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}

    def read(self, part: str) -> bytes:
        if part in self.changed or part in self.added:
            return self.changed.get(part, self.added.get(part, b""))
        return self.archive.read(part)

    def has(self, part: str) -> bool:
        return part in self.names or part in self.added

    def write(self, part: str, data: bytes) -> None:
        if part in self.names:
            self.changed[part] = data
        else:
            self.added[part] = data
            self.folded.add(part.lower())

    def free_name(self, pattern: str) -> str:
        """The first of pattern.format(1), (2)… that no part of the package holds, compared ignoring case."""
        number = 1
        while pattern.format(number).lower() in self.folded:
            number += 1
        return pattern.format(number)

    def content_type(self, part: str, content_type: str) -> None:
        """An Override for `part`, added to [Content_Types].xml."""
        xml = self.read(CONTENT_TYPES)
        # A stale Override for the same name (a part since removed) would otherwise stand twice.
        xml = re.sub(rb'<Override\s[^>]*PartName="' + re.escape(("/" + part).encode()) + rb'"[^>]*/>', b"", xml,
                     flags=re.I)
        entry = f'<Override PartName={quoteattr("/" + part)} ContentType={quoteattr(content_type)}/>'
        self.write(CONTENT_TYPES, _before_close(xml, b"</Types>", entry.encode()))

    def default_type(self, extension: str, content_type: str) -> None:
        """A Default for files ending in `extension`, unless the package already has one."""
        xml = self.read(CONTENT_TYPES)
        if re.search(rb'<Default\s[^>]*Extension="' + re.escape(extension.encode()) + rb'"', xml, re.I):
            return
        entry = f'<Default Extension={quoteattr(extension)} ContentType={quoteattr(content_type)}/>'
        self.write(CONTENT_TYPES, _before_close(xml, b"</Types>", entry.encode()))

    def relate(self, source: str, target: str, kind: str) -> str:
        """A relationship from part `source` to part `target` (both package paths); returns its new Id."""
        rels = rels_path(source)
        xml = self.read(rels) if self.has(rels) else (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{RELATIONSHIPS_NS}"></Relationships>').encode()
        taken = set(_RELATIONSHIP_ID.findall(xml))
        number = len(taken) + 1
        while f"rIdFb{number}".encode() in taken:
            number += 1
        rel_id = f"rIdFb{number}"
        relative = posixpath.relpath(target, posixpath.dirname(source) or ".")
        entry = (f'<Relationship Id="{rel_id}" Type="{OFFICE_RELATIONSHIPS}/{kind}" '
                 f'Target={quoteattr(relative)}/>')
        self.write(rels, _before_close(xml, b"</Relationships>", entry.encode()))
        return rel_id

    def save(self) -> bytes:
        """The package: unchanged entries as their original compressed bytes, changed and added ones deflated."""
        out = io.BytesIO()
        self.save_to(out)
        return out.getvalue()

    def save_to(self, out: BinaryIO, streams: dict[str, Iterable[bytes]] | None = None) -> None:
        """The package written to the seekable `out`; a part named in `streams` is replaced by the bytes its
        iterable yields, deflated as they come (a part too large to hold in memory at once)."""
        streams = streams or {}
        writer = _ZipWriter(out)
        for info in self.infos:
            if info.filename in streams:
                writer.add_stream(info.filename, streams[info.filename], info.date_time)
            elif info.filename in self.changed:
                writer.add(info.filename, self.changed[info.filename], info.date_time)
            else:
                writer.copy(self.data, info)
        for part, data in self.added.items():
            writer.add(part, data)
        writer.finish()


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _before_close(xml: bytes, closing: bytes, entry: bytes) -> bytes:
    at = xml.rfind(closing)
    if at < 0:
        self_closed = re.search(rb"<" + re.escape(closing[2:-1]) + rb"\b[^>]*/>", xml)
        if not self_closed:
            raise Unsupported(f"no {closing.decode()} in the part")
        start, end = self_closed.span()
        return xml[:start] + xml[start:end - 2] + b">" + entry + closing + xml[end:]
    return xml[:at] + entry + xml[at:]


class _ZipWriter:
    """A zip written by hand, so that an entry can be copied as it is stored: no inflating, no deflating."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.start = out.tell()
        self.directory: list[bytes] = []

    def add(self, name: str, data: bytes, date_time: tuple = (1980, 1, 1, 0, 0, 0)) -> None:
        deflate = zlib.compressobj(_COMPRESS_LEVEL, zlib.DEFLATED, -15)
        packed = deflate.compress(data) + deflate.flush()
        self._entry(name, packed, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data), date_time, 0)

    def add_stream(self, name: str, chunks: Iterable[bytes], date_time: tuple) -> None:
        """An entry deflated chunk by chunk; its header is written first and completed once the sizes are known."""
        header = self.out.tell()
        self._entry(name, b"", zipfile.ZIP_DEFLATED, 0, 0, date_time, 0)
        deflate = zlib.compressobj(_COMPRESS_LEVEL, zlib.DEFLATED, -15)
        crc = size = packed = 0
        for chunk in chunks:
            crc, size = zlib.crc32(chunk, crc), size + len(chunk)
            piece = deflate.compress(chunk)
            self.out.write(piece)
            packed += len(piece)
        piece = deflate.flush()
        self.out.write(piece)
        packed += len(piece)
        if size >= 0xFFFFFFFF or packed >= 0xFFFFFFFF or self.out.tell() - self.start >= 0xFFFFFFFF:
            raise Unsupported(f"{name} is larger than a zip without zip64 holds")
        end = self.out.tell()
        sizes = struct.pack("<III", crc, packed, size)
        self.out.seek(header + 14)
        self.out.write(sizes)
        self.out.seek(end)
        entry = self.directory[-1]
        self.directory[-1] = entry[:16] + sizes + entry[28:]

    def copy(self, source: bytes, info: zipfile.ZipInfo) -> None:
        if info.flag_bits & 0x1 or info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF:
            raise Unsupported(f"{info.filename} is encrypted or a zip64 entry")
        offset = info.header_offset
        if source[offset:offset + 4] != b"PK\x03\x04":
            raise Unsupported(f"no local header for {info.filename}")
        name_length, extra_length = struct.unpack("<HH", source[offset + 26:offset + 30])
        start = offset + 30 + name_length + extra_length
        packed = source[start:start + info.compress_size]
        self._entry(info.filename, packed, info.compress_type, info.CRC, info.file_size, info.date_time,
                    info.external_attr, utf8=bool(info.flag_bits & 0x800))

    def _entry(self, name: str, packed: bytes, method: int, crc: int, size: int, date_time: tuple,
               external: int, utf8: bool | None = None) -> None:
        # A copied name keeps its own bytes: zipfile read a name without bit 11 as cp437, so it goes back so.
        utf8 = not name.isascii() if utf8 is None else utf8
        encoded = name.encode("utf-8" if utf8 else "cp437")
        flags = 0x800 if utf8 and not name.isascii() else 0  # bit 11: the name is UTF-8
        year, month, day, hour, minute, second = date_time
        dos_time = (hour << 11) | (minute << 5) | (second // 2)
        dos_date = (max(year, 1980) - 1980) << 9 | (month << 5) | day
        offset = self.out.tell() - self.start
        fields = struct.pack("<HHHHHIIIH", 20, flags, method, dos_time, dos_date, crc, len(packed), size, len(encoded))
        self.out.write(b"PK\x03\x04" + fields + b"\x00\x00" + encoded)
        self.out.write(packed)
        self.directory.append(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                              + struct.pack("<HHHHII", 0, 0, 0, 0, external, offset) + encoded)

    def finish(self) -> None:
        start = self.out.tell() - self.start
        for entry in self.directory:
            self.out.write(entry)
        size = self.out.tell() - self.start - start
        count = len(self.directory)
        self.out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, size, start, 0))
