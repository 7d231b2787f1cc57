"""The shared OOXML helpers: A1 addresses both ways, and which part holds which sheet."""
from __future__ import annotations

from pipeline.ooxml import a1_to_index, cell_name, column_index, column_letter, sheet_of_part, sheet_parts

WORKBOOK = (b'<workbook xmlns:r="r"><sheets><sheet name="B&#7889;&apos;s" sheetId="1" r:id="rId1"/>'
            b"<x:sheet name='S\xe1\xbb\x91 li\xe1\xbb\x87u' x:id='rId2'/></sheets></workbook>")
RELS = (b'<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>')


def test_addresses_round_trip():
    for row, col in ((0, 0), (19, 3), (4999, 199), (0, 16383)):
        assert a1_to_index(cell_name(row, col)) == (row, col)
    assert column_letter(199) == "GR" and column_index("GR") == 200 and column_index(b"xfd") == 16384
    assert a1_to_index("$D$20") == (19, 3) and column_letter(-1) == ""


def test_sheet_names_keep_apostrophes_and_any_quote_or_prefix():
    assert sheet_parts(WORKBOOK, RELS) == {"Bố's": "xl/worksheets/sheet1.xml", "Số liệu": "xl/worksheets/sheet2.xml"}
    assert sheet_of_part(WORKBOOK, RELS, "/XL/worksheets/sheet2.xml") == "Số liệu"
    assert sheet_of_part(WORKBOOK, RELS, "xl/worksheets/sheet9.xml") is None
