"""sheetxml reads cells from the guard's inflated parts as python-calamine does, or declines: never a third value."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from pipeline.intake import submission as submission_module
from pipeline.intake.names import ooxml_names
from pipeline.intake.sheetxml import Declined, XmlWorkbook
from pipeline.intake.submission import ReadTask, read_submission
from pipeline.intake.zipguard import InflatedParts, check_zip
from pipeline.ooxml import cell_name
from tests.requirements import shared

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx(cells: str, strings: str = "", formats: str = "", xfs: str = '<xf numFmtId="0"/>',
          workbook_pr: str = "") -> bytes:
    """A minimal workbook with one sheet "S" whose sheetData is `cells`, written as Excel writes one."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f'<workbookPr{workbook_pr}/><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{_REL}/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_REL}/sharedStrings" '
        f'Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
        '</Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'
        f'{cells}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">{strings}</sst>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}"><numFmts>{formats}'
        f'</numFmts><cellXfs>{xfs}</cellXfs></styleSheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return out.getvalue()


def _both(data: bytes) -> tuple[XmlWorkbook, dict[str, object]]:
    """sheetxml over the guard's parts, and calamine's value of every cell of sheet "S"."""
    parts = InflatedParts()
    assert check_zip(data, keep=parts) is None
    _, sheets = ooxml_names(parts)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("S")
    start = sheet.start or (0, 0)
    calamine = {cell_name(r + start[0], c + start[1]): (None if v == "" else v)
                for r, row in enumerate(sheet.to_python()) for c, v in enumerate(row)}
    return XmlWorkbook(parts, sheets), calamine


def _row(*cells: str) -> str:
    return f'<row r="1">{"".join(cells)}</row>'


def test_values_of_every_kind_are_calamines():
    data = _xlsx(
        '<row r="1"><c r="A1"><v>5</v></c><c r="B1" t="n"><v>-0.25</v></c><c r="C1" t="s"><v>0</v></c>'
        '<c r="D1" t="s"><v>1</v></c><c r="E1" t="b"><v>1</v></c><c r="F1" t="e"><v>#DIV/0!</v></c>'
        '<c r="G1"><f>1+1</f><v></v></c><c r="H1" t="str"><f>A1</f><v>x &amp; y</v></c>'
        '<c r="I1" t="inlineStr"><is><t>Số liệu</t></is></c><c r="J1" t="inlineStr"></c>'
        '<c r="K1" s="1"><v>45271</v></c><c r="L1" s="2"><v>45271</v></c><c r="M1" s="3"><v>1250</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2" t="s"><v>4</v></c></row>',
        strings='<si><t>Hà Nội</t></si><si><r><t xml:space="preserve">Công </t></r><r><rPr><b/></rPr><t>đoàn</t></r>'
                '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t>dòng 1\r\ndòng 2</t></si>'
                '<si><t>a_x000D_b _x005F_x000D_</t></si><si><t xml:space="preserve">  cách  </t></si>',
        formats='<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="#,##0 &quot;đ&quot;"/>',
        xfs='<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="165"/>')
    xml, calamine = _both(data)
    for ref, expected in calamine.items():
        got = xml.value("S", ref)
        assert (type(got), got) == (type(expected), expected), ref
    assert xml.value("S", "K1") == dt.date(2023, 12, 11) and xml.value("S", "B1") == -0.25
    assert xml.value("S", "D1") == "Công đoàn"  # runs joined, the phonetic guide left out
    assert xml.value("S", "A2") == "dòng 1\ndòng 2" and xml.value("S", "B2") == "a\rb _x000D_"
    assert xml.value("S", "Z9") is None


@pytest.mark.parametrize("case", [
    dict(cells=_row('<c r="A1" s="1"><v>45271.5</v></c>'), formats='<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>',
         xfs='<xf numFmtId="0"/><xf numFmtId="164"/>'),  # a date with a time
    dict(cells=_row('<c r="A1" s="1"><v>45271</v></c>'), formats='<numFmt numFmtId="164" formatCode="[h]:mm"/>',
         xfs='<xf numFmtId="0"/><xf numFmtId="164"/>'),  # a duration
    dict(cells=_row('<c r="A1" s="1"><v>45271</v></c>'), xfs='<xf numFmtId="0"/><xf numFmtId="14"/>',
         workbook_pr=' date1904="1"'),  # the Mac date system
    dict(cells=_row('<c r="A1" t="s"><v>0</v></c>'), strings="<si><t> trimmed? </t></si>"),
    dict(cells=_row('<c r="A1" t="d"><v>2023-12-11</v></c>')),
    dict(cells=_row('<c r="A1"><v>1_000</v></c>')),  # Python's float takes it; Excel never writes it
])
def test_what_it_is_not_sure_of_it_declines(case):
    xml, _ = _both(_xlsx(**case))
    with pytest.raises(Declined):
        xml.value("S", "A1")


def test_a_sheet_with_irregular_cells_is_declined_whole():
    xml, calamine = _both(_xlsx('<row r="1"><c s="0" r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'))
    assert calamine == {"A1": 1.0, "B1": 2.0}
    with pytest.raises(Declined):
        xml.value("S", "B1")


def test_a_declined_value_is_read_through_calamine(tmp_path, spec, write_submission, monkeypatch):
    # Excel keeps a typed date with a time as a fraction: sheetxml declines it, calamine reads the whole sheet.
    path = write_submission("a.xlsx", "E001", ngay_bao_cao=dt.datetime(2023, 12, 5, 9, 30))
    submission = read_submission(ReadTask(str(path), spec.source))
    assert submission.readable and submission.values["ngay_bao_cao"] == dt.date(2023, 12, 5)
    assert submission.values["cbccvcld_tong"] == 100


def test_the_forms_own_files_are_read_without_calamine(spec, write_submission, monkeypatch):
    """The point of sheetxml: a returned template is read from the guard's parts alone."""
    def refuse(*_):
        raise AssertionError("calamine opened")
    monkeypatch.setattr(submission_module.CellReader, "book", property(refuse))
    path = write_submission("a.xlsx", "E001")
    submission = read_submission(ReadTask(str(path), spec.source))
    assert submission.readable and submission.values["ngay_bao_cao"] == dt.date(2023, 12, 5)
    assert submission.values["ten_cdcs"] == "Công đoàn Trường E001"


@pytest.mark.slow
def test_every_cell_of_the_real_files_is_calamines_or_declined():
    """Files nobody here wrote: 288 xlsx from Excel, LibreOffice, POI, openpyxl, readxl, roo... every cell
    calamine reads, sheetxml reads the same (type and value) or declines; most it reads."""
    read = declined = 0
    for path in sorted(p for p in shared("realfiles").rglob("*") if p.is_file()):
        data = path.read_bytes()
        if not data.startswith(b"PK"):
            continue
        parts = InflatedParts()
        try:
            if check_zip(data, keep=parts) is not None:
                continue
            _, sheets = ooxml_names(parts)
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception:  # not an xlsx (an ods, a docx), or one calamine cannot open: nothing to compare
            continue
        xml = XmlWorkbook(parts, sheets)
        for name in book.sheet_names:
            try:
                sheet = book.get_sheet_by_name(name)
                rows, start = sheet.to_python(), sheet.start or (0, 0)
            except Exception:
                continue
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    ref, expected = cell_name(r + start[0], c + start[1]), None if value == "" else value
                    try:
                        got = xml.value(name, ref)
                    except Declined:
                        declined += 1
                        continue
                    read += 1
                    if isinstance(got, float) and got != got and expected != expected:
                        continue  # NaN
                    assert (type(got), got) == (type(expected), expected), (path.name, name, ref)
    assert read > 80_000 and declined < read / 2, (read, declined)  # mostly whole irregular sheets
