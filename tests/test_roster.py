"""The roster: codes, names and optional columns; blank and duplicate codes are clear errors."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.roster import RosterError, read_roster


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
