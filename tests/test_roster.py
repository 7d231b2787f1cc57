"""The roster: codes, names and optional columns; blank and duplicate codes are clear errors."""
from __future__ import annotations

import unicodedata
import zipfile

import pandas as pd
import pytest
from docx import Document

from pipeline.form import load_spec
from pipeline.previous.read import read_previous
from pipeline.roster import RosterError, read_roster
from pipeline.tables import NotATable, reading

HAM_RONG = "Mã CĐCS;Tên CĐCS\nCD001;Trường THPT Hàm Rồng\n"


def test_csv_roster_with_optional_columns(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Mã CĐCS,Tên CĐCS,Khối,Email,Điện thoại\nCD001,Trường A,Giáo dục,a@x.vn,0912\n", encoding="utf-8-sig")
    [unit] = read_roster(path)
    assert (unit.code, unit.name, unit.group, unit.email, unit.phone) == ("CD001", "Trường A", "Giáo dục", "a@x.vn", "0912")


def test_xlsx_roster_keeps_codes_as_text(tmp_path):
    path = tmp_path / "ds.xlsx"
    pd.DataFrame({"Mã CĐCS": ["007", "NA"], "Tên CĐCS": ["A", "B"]}).to_excel(path, index=False)
    assert [u.code for u in read_roster(path)] == ["007", "NA"]


def test_duplicate_code_names_both_rows(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Mã CĐCS,Tên CĐCS\nCD1,A\nCD1,B\n", encoding="utf-8")
    with pytest.raises(RosterError, match="dòng 3.*trùng với dòng 2"):
        read_roster(path)


def test_blank_code_is_an_error(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Mã CĐCS,Tên CĐCS\n,Trường A\n", encoding="utf-8")
    with pytest.raises(RosterError, match="thiếu Mã CĐCS"):
        read_roster(path)


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Mã,Tên\nCD1,A\n", encoding="utf-8")
    with pytest.raises(RosterError, match="thiếu cột Mã CĐCS, Tên CĐCS"):
        read_roster(path)


def test_a_roster_the_reader_cannot_open_is_refused_in_words_a_clerk_reads(tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(RosterError) as info:
        read_roster(path)
    assert "tệp hỏng hoặc không phải tệp Excel" in str(info.value) and str(path) in str(info.value)


def _cp1258(text: str) -> bytes:
    """Text as Excel saves "CSV" on a Vietnamese Windows: code page 1258 has the letters â, ă, ê, ô, ơ, ư, đ
    but writes the five tones as combining marks after them (Python's codec will not compose that itself)."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    letters: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if letters and unicodedata.combining(char) and char not in tones:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + char)
        else:
            letters.append(char)
    return "".join(letters).encode("cp1258")


def _only_unit(path) -> tuple[str, str]:
    [unit] = read_roster(path)
    assert unicodedata.is_normalized("NFC", unit.name)
    return unit.code, unit.name


def test_a_semicolon_csv_roster_is_read(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Mã CĐCS;Tên CĐCS;Khối\nCD001;Trường THPT Hàm Rồng, Thanh Hóa;Giáo dục\n", encoding="utf-8-sig")
    [unit] = read_roster(path)
    assert (unit.code, unit.name, unit.group) == ("CD001", "Trường THPT Hàm Rồng, Thanh Hóa", "Giáo dục")


def test_a_cp1258_csv_roster_as_excel_saves_it_is_read(tmp_path):
    data = _cp1258(HAM_RONG)
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == HAM_RONG  # the round trip Windows makes
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "ds.csv"
    path.write_bytes(data)
    assert _only_unit(path) == ("CD001", "Trường THPT Hàm Rồng")


@pytest.mark.parametrize("name", ["ds.csv", "ds.txt"])
def test_a_utf16_tab_separated_roster_as_excel_unicode_text_is_read(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(HAM_RONG.replace(";", "\t").replace("\n", "\r\n").encode("utf-16"))  # with its BOM
    assert path.read_bytes()[:2] == b"\xff\xfe"
    assert _only_unit(path) == ("CD001", "Trường THPT Hàm Rồng")


def test_a_word_document_named_xlsx_is_refused_as_a_word_document(tmp_path):
    path = tmp_path / "ds.xlsx"
    document = Document()
    document.add_paragraph("Danh sách đơn vị")
    document.save(path)
    with pytest.raises(RosterError) as info:
        read_roster(path)
    message = str(info.value)
    assert str(path) in message and "văn bản Word (.docx)" in message and "styleSheet" not in message


def test_a_pdf_named_csv_is_refused_as_a_pdf(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    with pytest.raises(RosterError) as info:
        read_roster(path)
    assert str(path) in str(info.value) and "tệp PDF" in str(info.value)


def test_a_word_document_the_spreadsheet_reader_fails_on_is_named_when_its_path_is_given(tmp_path):
    from python_calamine import CalamineWorkbook

    path = tmp_path / "ky-truoc.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(NotATable, match="văn bản Word"), reading(path):
        CalamineWorkbook.from_path(str(path))


def test_a_previous_period_table_in_semicolon_csv_is_read(tmp_path):
    spec = load_spec()
    path = tmp_path / "ky-truoc.csv"
    path.write_bytes(_cp1258("Mã trường;Giá trị;Mã CĐCS\ncbccvcld_tong;1.250;\ncbccvcld_tong;40;CD001\n"))
    previous = read_previous(spec, path)
    assert previous.totals == {"cbccvcld_tong": 1250.0} and previous.units == {"CD001": {"cbccvcld_tong": 40.0}}


def test_a_semicolon_header_of_unknown_columns_still_names_the_missing_ones(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Mã;Tên\nCD1;A\n", encoding="utf-8")
    with pytest.raises(RosterError, match="thiếu cột Mã CĐCS, Tên CĐCS"):
        read_roster(path)


def test_a_workbook_saved_under_a_csv_name_is_read_as_the_workbook_it_is(tmp_path):
    path = tmp_path / "ds.csv"
    pd.DataFrame({"Mã CĐCS": ["CD001"], "Tên CĐCS": ["Trường THPT Hàm Rồng"]}).to_excel(path, index=False,
                                                                                         engine="openpyxl")
    assert _only_unit(path) == ("CD001", "Trường THPT Hàm Rồng")
