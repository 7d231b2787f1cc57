"""Defined names of a returned workbook (xlsx/xlsm, ods, xls): which sheet and cell each field code names."""
from __future__ import annotations

import io
import re
import zipfile

from defusedxml import ElementTree

from pipeline.template.layout import column_letter

_OOXML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
# 'Số liệu'!$D$20  or  Sheet1!D20  (one cell; a range keeps its top-left cell)
_OOXML_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]+)")
# $'Số liệu'.$D$20  (ODS)
_ODS_REF = re.compile(r"^\$?(?:'((?:[^']|'')+)'|([^.']+))\.\$?([A-Z]{1,3})\$?([0-9]+)")

CellName = tuple[str, str]  # (sheet, "D20")


def _parsed(match: re.Match | None) -> CellName | None:
    if not match:
        return None
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    return sheet, f"{match.group(3)}{match.group(4)}"


def ooxml_names(archive: zipfile.ZipFile) -> tuple[dict[str, CellName], dict[str, str]]:
    """Workbook-level defined names, and each sheet's part path, from xl/workbook.xml (never expanding entities)."""
    root = ElementTree.fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
    names: dict[str, CellName] = {}
    for element in root.iter(f"{_OOXML}definedName"):
        if element.get("localSheetId") is not None or not element.text:
            continue
        parsed = _parsed(_OOXML_REF.match(element.text.strip()))
        if parsed:
            names[element.get("name", "")] = parsed
    return names, _sheet_parts(archive, root)


def _sheet_parts(archive: zipfile.ZipFile, root) -> dict[str, str]:
    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    parts = {}
    for sheet in root.iter(f"{_OOXML}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def ods_names(archive: zipfile.ZipFile) -> dict[str, CellName]:
    """Named ranges of an OpenDocument spreadsheet, read from content.xml without expanding entities."""
    names: dict[str, CellName] = {}
    with archive.open("content.xml") as content:
        for _, element in ElementTree.iterparse(content, forbid_dtd=True):
            if element.tag == f"{_ODS_TABLE}named-range":
                address = element.get(f"{_ODS_TABLE}cell-range-address") or ""
                parsed = _parsed(_ODS_REF.match(address))
                if parsed:
                    names[element.get(f"{_ODS_TABLE}name", "")] = parsed
            elif element.tag == f"{_ODS_TABLE}table-row":
                element.clear()  # rows are not needed; keep memory flat on large sheets
    return names


def xls_names(data: bytes) -> dict[str, CellName]:
    """Workbook-level names of a legacy .xls, through xlrd."""
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    names: dict[str, CellName] = {}
    try:
        for name in book.name_obj_list:
            if name.scope != -1:
                continue
            try:
                sheet, row, _, col, _ = name.area2d(clipped=False)
            except Exception:  # a name that is not a single area: not one of ours
                continue
            names[name.name] = (sheet.name, f"{column_letter(col)}{row + 1}")
    finally:
        book.release_resources()
    return names


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))
