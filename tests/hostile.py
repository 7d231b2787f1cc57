"""Generators of hostile and broken submissions: each writes one file into a directory and returns its path.

Generators that damage a real workbook take it first: `truncated(src, directory)`. Nothing here opens the
files; in particular python-calamine must never read a far-cell file in the test process (it aborts it).
"""
from __future__ import annotations

import io
import random
import shutil
import struct
import zipfile
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{PKG_REL_NS}">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{PKG_REL_NS}">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>Công đoàn cơ sở</t></si></sst>'
)
BILLION_LAUGHS_DOCTYPE = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">'
    "]>"
)


def sheet_xml(cells: str, dimension: str = "A1", extra: str = "", doctype: str = "") -> str:
    """A worksheet part around raw `<row>` markup; `extra` goes after sheetData (mergeCells...)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"{doctype}"
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<dimension ref="{dimension}"/>'
        f"<sheetData>{cells}</sheetData>{extra}</worksheet>"
    )


NORMAL_CELLS = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c></row>'


def xlsx_parts(sheet: str | bytes | None = None, **overrides: str | bytes) -> dict[str, str | bytes]:
    """The parts of a minimal one-sheet workbook; keyword names use '__' for '/' and '_dot_' for '.'."""
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/sharedStrings.xml": SHARED_STRINGS,
        "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(NORMAL_CELLS, "A1:B1"),
    }
    for key, value in overrides.items():
        parts[key.replace("__", "/").replace("_dot_", ".")] = value
    return parts


def write_zip(path: Path, parts: dict[str, str | bytes], level: int = 6) -> Path:
    """Write the parts as a deflated zip, in the given order."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in parts.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def minimal_xlsx(directory: Path, name: str = "minimal.xlsx", sheet: str | bytes | None = None) -> Path:
    """A hand-written valid one-sheet workbook (A1 text, B1 number)."""
    return write_zip(directory / name, xlsx_parts(sheet))


# --- zip-level attacks -------------------------------------------------------------------------


def zip_bomb(directory: Path, megabytes: int = 20) -> Path:
    """A workbook whose sheet inflates from a few KB to `megabytes` of whitespace (ratio ~1000:1)."""
    padding = " " * (megabytes * 1024 * 1024)
    sheet = sheet_xml(NORMAL_CELLS + padding, "A1:B1")
    return write_zip(directory / "bomb.xlsx", xlsx_parts(sheet), level=9)


def zip_bomb_many_parts(directory: Path, count: int = 1500) -> Path:
    """A workbook padded with thousands of tiny extra parts."""
    parts = xlsx_parts()
    for index in range(count):
        parts[f"xl/junk/part{index}.bin"] = b"x"
    return write_zip(directory / "many-parts.xlsx", parts, level=1)


def lying_sizes(directory: Path, megabytes: int = 8) -> Path:
    """A zip bomb whose central directory and local header claim the sheet inflates to 1 KB only."""
    path = zip_bomb(directory, megabytes)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    real = struct.pack("<I", info.file_size)
    fake = struct.pack("<I", 1024)
    # The size field follows the CRC and compressed size in both headers; patch every copy of it.
    crc_and_sizes = struct.pack("<II", info.CRC, info.compress_size) + real
    start = 0
    while (hit := data.find(crc_and_sizes, start)) >= 0:
        data[hit + 8: hit + 12] = fake
        start = hit + 12
    path = directory / "lying.xlsx"
    path.write_bytes(bytes(data))
    return path


def truncated(src: Path, directory: Path) -> Path:
    """The first half of a real file, as a broken upload or e-mail attachment leaves it."""
    data = src.read_bytes()
    path = directory / f"truncated{src.suffix}"
    path.write_bytes(data[: len(data) // 2])
    return path


def empty(directory: Path) -> Path:
    path = directory / "empty.xlsx"
    path.write_bytes(b"")
    return path


def random_bytes(directory: Path, size: int = 4096, seed: int = 20240601) -> Path:
    """Noise named .xlsx; the seed is fixed so the first bytes are known not to be a magic number."""
    path = directory / "noise.xlsx"
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


# --- XML attacks -------------------------------------------------------------------------------


def billion_laughs(directory: Path) -> Path:
    """A workbook whose sheet declares the classic exponential entity and uses it in a cell."""
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    sheet = sheet_xml(cells, doctype=BILLION_LAUGHS_DOCTYPE)
    return write_zip(directory / "billion-laughs.xlsx", xlsx_parts(sheet))


def xxe(directory: Path) -> Path:
    """A workbook whose shared strings pull /etc/passwd in through an external entity."""
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    )
    return write_zip(directory / "xxe.xlsx", xlsx_parts(xl__sharedStrings_dot_xml=strings))


def far_cell(directory: Path) -> Path:
    """A ~5 KB valid workbook with one cell at XFD1048576: calamine allocates the dense range and aborts."""
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    sheet = sheet_xml(cells, "A1:XFD1048576")
    # Filler keeps the file at the size of a real small upload; comments are ignored by every reader.
    filler = "<!-- " + " ".join(f"{i:05d}" for i in range(400)) + " -->"
    sheet = sheet.replace("<sheetData>", filler + "<sheetData>")
    return write_zip(directory / "far-cell.xlsx", xlsx_parts(sheet), level=0)


def far_dimension(directory: Path) -> Path:
    """Normal cells, but a `<dimension>` claiming the whole grid (some readers pre-allocate from it)."""
    return write_zip(directory / "far-dimension.xlsx", xlsx_parts(sheet_xml(NORMAL_CELLS, "A1:XFD1048576")))


def far_merge(directory: Path) -> Path:
    """Normal cells with a merged range over the whole grid (openpyxl creates a cell per merged edge cell)."""
    merge = '<mergeCells count="1"><mergeCell ref="C1:XFD1048576"/></mergeCells>'
    sheet = sheet_xml(NORMAL_CELLS, "A1:B1", extra=merge)
    return write_zip(directory / "far-merge.xlsx", xlsx_parts(sheet))


def far_cell_implicit(directory: Path, rows: int = 6000, width: int = 300) -> Path:
    """Cells and rows with no `r` attribute: their position is implied by their order, so it must be counted."""
    body = "<row>" + "<c><v>1</v></c>" * width + "</row>" + "<row><c><v>1</v></c></row>" * rows
    return write_zip(directory / "far-implicit.xlsx", xlsx_parts(sheet_xml(body)))


def far_cell_prefixed(directory: Path) -> Path:
    """A far cell written with a namespace prefix and `r` not first, as some generators do."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>'
        "<x:row r='1'><x:c t=\"n\"\n r = 'ZZ9999'><x:v>1</x:v></x:c></x:row>"
        "</x:sheetData></x:worksheet>"
    )
    return write_zip(directory / "far-prefixed.xlsx", xlsx_parts(sheet))


def malformed_sheet_xml(src: Path, directory: Path) -> Path:
    """A copy of a real workbook with its first sheet's XML cut off in the middle of a tag."""
    with zipfile.ZipFile(src) as zin:
        parts: dict[str, str | bytes] = {name: zin.read(name) for name in zin.namelist()}
    sheet = bytes(parts["xl/worksheets/sheet1.xml"])
    cut = sheet.find(b"<c ", len(sheet) // 2) + 4
    parts["xl/worksheets/sheet1.xml"] = sheet[:cut]
    return write_zip(directory / "malformed.xlsx", parts)


def missing_workbook_part(src: Path, directory: Path) -> Path:
    """A copy of a real workbook without xl/workbook.xml."""
    with zipfile.ZipFile(src) as zin:
        parts: dict[str, str | bytes] = {n: zin.read(n) for n in zin.namelist() if n != "xl/workbook.xml"}
    return write_zip(directory / "no-workbook.xlsx", parts)


# --- password-protected files ------------------------------------------------------------------


def encrypted(src: Path, directory: Path, password: str = "1234") -> Path:
    """A real workbook saved with a password (ECMA-376 agile encryption, as Excel 2010+ does it)."""
    path = directory / "encrypted.xlsx"
    with src.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return path


def biff_workbook_stream(filepass: bool) -> bytes:
    """A BIFF8 globals substream: BOF, optionally an RC4 FILEPASS record, EOF."""
    bof = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    body = bof
    if filepass:
        rc4_header = struct.pack("<HHH", 1, 1, 1) + bytes(48)
        body += struct.pack("<HH", 0x002F, len(rc4_header)) + rc4_header
    return body + struct.pack("<HH", 0x000A, 0)


def ole_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal OLE2 compound file (v3, 512-byte sectors) holding the streams in its root storage.

    Streams are padded to 4096 bytes so they live in the regular FAT, never in the mini stream.
    """
    payloads = [(name, data.ljust(4096, b"\0")) for name, data in streams.items()]
    # Siblings form a tree ordered by (name length, upper-cased name); a right-leaning chain is enough.
    payloads.sort(key=lambda item: (len(item[0]), item[0].upper()))
    dir_sectors = (len(payloads) + 1 + 3) // 4
    data_sectors = [-(-len(data) // 512) for _, data in payloads]
    total = dir_sectors + sum(data_sectors)
    fat_sectors = 1
    while fat_sectors * 128 < total + fat_sectors:
        fat_sectors += 1
    fat = [0xFFFFFFFD] * fat_sectors
    fat += _chain(len(fat), dir_sectors)
    starts = []
    for count in data_sectors:
        starts.append(len(fat))
        fat += _chain(len(fat), count)
    fat += [0xFFFFFFFF] * (fat_sectors * 128 - len(fat))
    entries = [_dir_entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1 if payloads else 0xFFFFFFFF)]
    for index, ((name, data), start) in enumerate(zip(payloads, starts, strict=True), start=1):
        right = index + 1 if index < len(payloads) else 0xFFFFFFFF
        entries.append(_dir_entry(name, 2, start, len(data), right=right))
    directory = b"".join(entries).ljust(dir_sectors * 512, b"\0")
    header = _ole_header(fat_sectors, first_dir=fat_sectors)
    data = b"".join(d.ljust(-(-len(d) // 512) * 512, b"\0") for _, d in payloads)
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + data
    path.write_bytes(header + body)
    return path


def _chain(first: int, count: int) -> list[int]:
    return [first + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]


def _ole_header(fat_sectors: int, first_dir: int) -> bytes:
    head = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16)
    head += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + bytes(6)
    head += struct.pack("<IIIIIIIII", 0, fat_sectors, first_dir, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    difat = list(range(fat_sectors)) + [0xFFFFFFFF] * (109 - fat_sectors)
    return head + struct.pack("<109I", *difat)


def _dir_entry(
    name: str, kind: int, start: int, size: int, *, right: int = 0xFFFFFFFF, child: int = 0xFFFFFFFF
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    entry = encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
    entry += struct.pack("<III", 0xFFFFFFFF, right, child) + bytes(16 + 4 + 16)
    return entry + struct.pack("<IQ", start, size)


def legacy_xls(directory: Path, name: str = "legacy.xls", stream: str = "Workbook") -> Path:
    """An Excel 97-2003 container with an unprotected globals substream (`Book` for Excel 5/95)."""
    return ole_file(directory / name, {stream: biff_workbook_stream(filepass=False)})


def encrypted_xls(directory: Path) -> Path:
    """An Excel 97-2003 container whose globals start with an RC4 FILEPASS record (a password to open)."""
    return ole_file(directory / "encrypted.xls", {"Workbook": biff_workbook_stream(filepass=True)})


def ole_without_workbook(directory: Path) -> Path:
    """An OLE2 container that is not a spreadsheet (a Word 97 file, say) named .xls."""
    return ole_file(directory / "word97.xls", {"WordDocument": b"\xec\xa5" + bytes(100)})


# --- right bytes, wrong kind -------------------------------------------------------------------


def csv_renamed(directory: Path) -> Path:
    """A CSV export (UTF-8 with BOM, as Excel writes 'CSV UTF-8') named .xlsx."""
    text = "\ufeffSTT,Chỉ tiêu,Số lượng\n1,Tổng số đoàn viên,120\n2,Đoàn viên nữ,64\n3,\"Ghi chú, nếu có\",\n"
    path = directory / "csv-renamed.xlsx"
    path.write_bytes(text.encode("utf-8"))
    return path


def semicolon_csv_cp1258(directory: Path) -> Path:
    """A CSV with ';' separators in the Windows Vietnamese code page, named .xls."""
    text = "STT;Chỉ tiêu;Số lượng\r\n1;Đoàn viên;120\r\n2;Nữ;64\r\n"
    path = directory / "csv-cp1258.xls"
    path.write_bytes(text.encode("cp1258", errors="replace"))
    return path


def tab_text_utf16(directory: Path) -> Path:
    """Excel's 'Unicode Text' export (UTF-16 with BOM, tab separated) named .xlsx."""
    text = "STT\tChỉ tiêu\tSố lượng\r\n1\tĐoàn viên\t120\r\n2\tNữ\t64\r\n"
    path = directory / "unicode-text.xlsx"
    path.write_bytes(text.encode("utf-16"))
    return path


def html_renamed(directory: Path) -> Path:
    """An HTML table named .xls, as many web systems 'export to Excel'."""
    html = (
        "\ufeff  <!DOCTYPE html>\n<HTML><head><meta charset='utf-8'></head><body>"
        "<table><tr><td>Chỉ tiêu</td><td>Số lượng</td></tr><tr><td>Đoàn viên</td><td>120</td></tr></table>"
        "</body></HTML>"
    )
    path = directory / "html-renamed.xls"
    path.write_bytes(html.encode("utf-8"))
    return path


def bare_table_html(directory: Path) -> Path:
    path = directory / "table.xls"
    path.write_bytes(b"\r\n<TABLE border=1><tr><td>1</td></tr></TABLE>")
    return path


def pdf_renamed(directory: Path) -> Path:
    path = directory / "scan.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    return path


def image_renamed(directory: Path, kind: str = "png") -> Path:
    """The first bytes of a photo of the paper report (png, jpeg, gif, tiff or bmp) named .xlsx."""
    heads = {
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        "gif": b"GIF89a\x01\x00\x01\x00",
        "tiff": b"II*\x00\x08\x00\x00\x00",
        "bmp": b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + struct.pack("<I", 40),
    }
    path = directory / f"photo-{kind}.xlsx"
    path.write_bytes(heads[kind] + bytes(64))
    return path


def docx_renamed(directory: Path) -> Path:
    """A Word document named .xlsx."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        ),
        "_rels/.rels": ROOT_RELS.replace("xl/workbook.xml", "word/document.xml"),
        "word/document.xml": (
            '<?xml version="1.0"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
        ),
    }
    return write_zip(directory / "letter.xlsx", parts)


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
# LibreOffice pads every sheet with empty repeated cells and rows up to the last column and row of the grid.
ODS_PADDING = (
    '<table:table-row table:number-rows-repeated="1048575">'
    '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
)


def ods_content(rows: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Biểu 1">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )


ODS_ROW = (
    '<table:table-row><table:table-cell office:value-type="float" office:value="42"><text:p>42</text:p>'
    '</table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
)


def ods(directory: Path, name: str = "report.ods", content: str | bytes | None = None, encrypted: bool = False) -> Path:
    """A minimal OpenDocument spreadsheet (mimetype first and stored, as the spec asks), padded like LibreOffice."""
    path = directory / name
    entry = '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
    if encrypted:
        entry += '><manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
        entry += '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
        entry += "</manifest:encryption-data></manifest:file-entry>"
    else:
        entry += "/>"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        f"{entry}</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        body = content if content is not None else ods_content(ODS_ROW + ODS_PADDING)
        zf.writestr("content.xml", body, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def ods_far_repeat(directory: Path) -> Path:
    """812 bytes that make calamine build a 1,000,000 x 99 grid of one value (7.8 GB, 24 s, then MemoryError)."""
    cell = '<table:table-cell table:number-columns-repeated="99" office:value-type="float" office:value="1"/>'
    rows = ODS_ROW + f'<table:table-row table:number-rows-repeated="1000000">{cell}</table:table-row>'
    return ods(directory, "far-repeat.ods", ods_content(rows))


def encrypted_ods(directory: Path) -> Path:
    """An OpenDocument spreadsheet saved with a password: still a zip, content.xml is ciphertext."""
    noise = random.Random(7).randbytes(2048)
    return ods(directory, "encrypted.ods", noise, encrypted=True)


def plain_zip(directory: Path) -> Path:
    """Several reports zipped together, named .xlsx."""
    return write_zip(directory / "archive.xlsx", {"bao-cao-1.txt": "x", "bao-cao-2.txt": "y"})


def macro_enabled(src: Path, directory: Path, name: str = "macro.xlsx") -> Path:
    """A copy of a real workbook whose main part is declared macro-enabled, under a misleading name."""
    with zipfile.ZipFile(src) as zin:
        parts: dict[str, str | bytes] = {n: zin.read(n) for n in zin.namelist()}
    types = bytes(parts["[Content_Types].xml"]).replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    parts["[Content_Types].xml"] = types
    return write_zip(directory / name, parts)


def renamed_copy(src: Path, directory: Path, name: str) -> Path:
    """The same bytes under another name (kinds must come from content, never the extension)."""
    path = directory / name
    shutil.copyfile(src, path)
    return path
