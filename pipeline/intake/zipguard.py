"""Cheap checks of a spreadsheet zip (xlsx, xlsm, ods) before any reader opens it: bombs, far cells, XML entities.

This module checks the container and inflates its members, counting what they really inflate to; xmlscan.py
scans each text part as it streams past (farcells.py for the cells' positions); ziptypes.py has the types.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from pipeline.intake.farcells import column_name
from pipeline.intake.xmlscan import XmlScanner, scanner_for
from pipeline.intake.ziptypes import Damaged, FarCell, InflatedParts, NeedsPositions, Refusal, ZipLimits
from pipeline.ooxml import sheet_of_part
from pipeline.problems import Problem, problem

__all__ = ["InflatedParts", "ZipLimits", "check_zip", "column_name"]

CHUNK_SIZE = 256 * 1024
INPUT_SLICE = 64 * 1024  # compressed bytes fed to zlib at a time
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


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
    except Refusal as refusal:
        return refusal.problem
    except Exception:  # unreadable directory, CRC or size mismatch, unsupported method, cut stream...
        return problem("bad-zip")


def _check_archive(archive: zipfile.ZipFile, limits: ZipLimits, keep: InflatedParts | None = None) -> Problem | None:
    infos = archive.infolist()
    _check_directory(infos, limits)
    _check_required_parts(archive, infos)
    budget = _Budget(limits)
    try:
        for info in infos:
            _scan_member(archive, info, limits, budget, keep)
    except FarCell as far:
        return _far_cell_problem(archive, far)
    except Damaged as damaged:
        sheet = _sheet_name(archive, damaged.part)
        return problem("damaged-part", sheet=sheet, value=damaged.part, where=_part_label(damaged.part, sheet))
    return None


def _part_label(part: str, sheet: str | None) -> str:
    return f"Trang tính «{sheet}» ({part})" if sheet else f"Phần {part} của tệp"


def _far_cell_problem(archive: zipfile.ZipFile, far: FarCell) -> Problem:
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
        raise Refusal(problem("too-many-parts", count=len(infos), limit=limits.max_entries))
    if sum(info.file_size for info in infos) > limits.max_total_uncompressed:
        raise Refusal(_total_bomb(limits))
    for info in infos:
        _check_ratio(info.filename, info.file_size, info.compress_size, limits)


def _check_ratio(part: str, size: int, compressed: int, limits: ZipLimits) -> None:
    if size > limits.ratio_min_size and size > limits.max_ratio * max(compressed, 1):
        what = f"phần {part} giải nén ra gấp hơn {limits.max_ratio:g} lần"
        raise Refusal(problem("zip-bomb", value=part, what=what))


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
        raise Refusal(problem("missing-part", value=required, part=required))


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
            raise Refusal(_total_bomb(self.limits))
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
    except NeedsPositions:
        if keep is not None:
            keep.irregular.add(info.filename)
        budget.restart()
        _scan_stream(archive, info, limits, budget, positional=True, keep=keep)


def _scan_stream(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, budget: _Budget, positional: bool,
    keep: InflatedParts | None = None,
) -> None:
    scanner: XmlScanner | None = None
    chunks: list[bytes] = []
    waiting: bytes | None = None  # one chunk behind, so that the last is parsed as final (expat is faster so)
    for index, chunk in enumerate(_chunks(archive, info)):
        budget.spend(info, len(chunk))
        if index == 0:
            scanner = scanner_for(info.filename, chunk, limits, positional)
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
