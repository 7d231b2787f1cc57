"""The office's own part of the report (issue 25.1) and the draft's honest scope and single place per figure
(25.2, 25.3): the office's text first in each section, its figures in tables, next year's part the office's."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli
from pipeline.form import load_spec
from pipeline.office_part import build_office_part, office_part_name, read_office_part
from tests.helpers import run_json

REPORT = "bao-cao-tong-hop-bao-cao-cd-2023.docx"
UNCHANGED = "Không có gì thay đổi từ lần tổng hợp trước"
OFFICE_TEXT_I = "Năm 2023, văn phòng đã chỉ đạo các CĐCS nắm chắc tình hình viên chức sau sắp xếp bộ máy."


@pytest.fixture(scope="module")
def spec():
    return load_spec()


@pytest.fixture()
def inbox(tmp_path, spec):
    from pipeline.template.build import build_template
    from tests.filling import fill_template, good_values

    folder = tmp_path / "work" / "inbox"
    folder.mkdir(parents=True)
    template = build_template(spec)
    on_time = dt.datetime(2023, 12, 5, 9).timestamp()
    for code, size in (("CD001", 100), ("CD002", 300)):
        fill_template(template, good_values(spec, code, size=size), folder / f"{code}.xlsx")
        os.utime(folder / f"{code}.xlsx", (on_time, on_time))
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS,Khối,Email,Điện thoại\nCD001,Trường A,Giáo dục,a@x.vn,01\n"
                      "CD002,Bệnh viện B,Y tế,b@x.vn,02\nCD003,Trường C,Giáo dục,c@x.vn,03\n", encoding="utf-8")
    return folder, roster


def _body(path: Path) -> list[str]:
    """The report's paragraphs and table rows, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(str(path))
    lines = []
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            lines.append(Paragraph(element, document).text)
        elif element.tag.endswith("}tbl"):
            lines += [" | ".join(c.text for c in row.cells) for row in Table(element, document).rows]
    return [line for line in lines if line.strip()]


def _comments(path: Path) -> list[str]:
    return [c.text for c in Document(str(path)).comments]


def test_template_office_part_writes_a_blank_part_and_never_overwrites_the_office_text(tmp_path, spec):
    out = tmp_path / "templates"
    result = CliRunner().invoke(cli, ["template", "--office-part", "--out", str(out)])
    assert result.exit_code == 0, result.output
    path = out / "phan-van-phong-bao-cao-cd-2023.xlsx"
    assert path.is_file() and str(path) in result.output
    blank = read_office_part(spec, path)
    assert blank.texts == {} and blank.figures == {}
    path.write_bytes(build_office_part(spec, {"I": OFFICE_TEXT_I}))
    again = CliRunner().invoke(cli, ["template", "--office-part", "--out", str(out)])
    assert again.exit_code == 2 and "không ghi đè" in again.output
    assert read_office_part(spec, path).texts == {"I": OFFICE_TEXT_I}


def test_committed_office_part_is_what_the_spec_builds(spec):
    committed = Path(__file__).resolve().parents[1] / "templates" / office_part_name(spec)
    assert committed.read_bytes() == build_office_part(spec)


def test_office_text_and_figures_come_first_and_next_year_is_the_offices(inbox, spec):
    folder, roster = inbox
    texts = {"I": OFFICE_TEXT_I + "\nDòng thứ hai của văn phòng.",
             "IV": "Năm 2024, văn phòng tập trung vào 4 nhiệm vụ trọng tâm."}
    part = folder.parent / office_part_name(spec)  # beside the inbox: found without an option
    part.write_bytes(build_office_part(spec, texts, {"vp_khen_tld_tap_the": 1, "vp_ct_vung_manh": 85}))
    code, document = run_json(folder, folder.parent / "out", "--roster", str(roster))
    assert document["office_part"]["path"] == str(part)
    assert document["office_part"]["sections"] == ["I", "IV"]
    lines = _body(folder.parent / "out" / REPORT)
    office = lines.index(OFFICE_TEXT_I)
    assert lines[office + 1] == "Dòng thứ hai của văn phòng."  # a paragraph per line the office typed
    units = next(i for i, line in enumerate(lines) if line.startswith("Theo báo cáo của 2/3 CĐCS, các đơn vị có "
                                                                        "tổng số 400 CBCCVCLĐ"))
    assert lines.index("I. TÌNH HÌNH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, LAO ĐỘNG") < office < units
    assert any(re.fullmatch(r"\d+ \| Tổng Liên đoàn Lao động Việt Nam tặng bằng khen: tập thể \| tập thể \| 1", line)
               for line in lines)
    assert "Số liệu của Công đoàn Viên chức tỉnh Thanh Hóa:" in lines  # whose figures the table holds
    plans = lines.index("IV. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM NĂM 2024")
    assert lines[plans + 1] == texts["IV"]
    assert "Chỉ tiêu năm 2024 của Công đoàn Viên chức tỉnh Thanh Hóa:" in lines[plans:]
    assert any(line.endswith("| CĐCS xếp loại hoàn thành tốt nhiệm vụ trở lên | % | 85") for line in lines[plans:])
    drafted = [line for line in lines[plans:] if line.startswith("– ")]
    units_plans = [line for line in lines[plans:lines.index("V. NHỮNG KIẾN NGHỊ, ĐỀ XUẤT")]
                   if line.startswith("Các CĐCS đề ra: ")]
    assert units_plans and not [line for line in drafted if lines.index(line) < lines.index("V. NHỮNG KIẾN NGHỊ, ĐỀ XUẤT")]
    comments = _comments(folder.parent / "out" / REPORT)
    assert not any("Mục này là nhiệm vụ, giải pháp và chỉ tiêu của chính văn phòng" in c for c in comments)
    assert any("Phần văn phòng đã chỉ đạo" in c for c in comments)  # II, III, V have no office text yet


def test_without_an_office_part_the_draft_says_where_it_goes(inbox, spec):
    folder, roster = inbox
    run_json(folder, folder.parent / "out", "--roster", str(roster))
    comments = _comments(folder.parent / "out" / REPORT)
    where = [c for c in comments if "consolidate template --office-part" in c]
    assert len(where) == 5  # one per part of the report: I to V
    assert any("nhiệm vụ, giải pháp và chỉ tiêu của chính văn phòng năm 2024" in c for c in where)


def test_a_figure_that_is_not_a_number_is_named_and_left_out(inbox, spec, tmp_path):
    folder, roster = inbox
    part = tmp_path / "vp.xlsx"
    part.write_bytes(build_office_part(spec, {}, {"vp_cdcs_thanh_lap": "hai", "vp_ct_vung_manh": 140,
                                                  "vp_khen_tld_tap_the": "1.250"}))
    read = read_office_part(spec, part)
    assert read.figures == {"vp_khen_tld_tap_the": 1250}
    assert any("vp.xlsx" in n and "\"Phần văn phòng\"" in n and "\"hai\" không phải một số" in n for n in read.notes)
    assert any("tỷ lệ 140 nằm ngoài 0–100" in n for n in read.notes)
    code, document = run_json(folder, folder.parent / "out", "--roster", str(roster), "--office-part", str(part))
    assert document["office_part"]["notes"] == list(read.notes)


def test_another_forms_part_or_a_damaged_file_stops_with_its_name(inbox, spec, tmp_path):
    folder, roster = inbox
    other = load_spec("1-hdcd")
    part = tmp_path / "vp-1hdcd.xlsx"
    part.write_bytes(build_office_part(other))
    result = CliRunner().invoke(cli, ["--inbox", str(folder), "--outbox", str(tmp_path / "out"),
                                      "--office-part", str(part)])
    assert result.exit_code == 2 and "vp-1hdcd.xlsx" in result.output and "mẫu '1-hdcd'" in result.output
    assert not (tmp_path / "out").exists()
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(cli, ["--inbox", str(folder), "--outbox", str(tmp_path / "out"),
                                      "--office-part", str(broken)])
    assert result.exit_code == 2 and "hong.xlsx" in result.output


def test_a_changed_office_part_is_not_an_unchanged_run(inbox, spec):
    folder, roster = inbox
    part = folder.parent / office_part_name(spec)
    part.write_bytes(build_office_part(spec, {"I": OFFICE_TEXT_I}))
    args = ["--inbox", str(folder), "--outbox", str(folder.parent / "out"), "--roster", str(roster)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert UNCHANGED in CliRunner().invoke(cli, args).output
    part.write_bytes(build_office_part(spec, {"I": "Nội dung mới của văn phòng cho mục I."}))
    third = CliRunner().invoke(cli, args)
    assert UNCHANGED not in third.output
    assert "Nội dung mới của văn phòng cho mục I." in _body(folder.parent / "out" / REPORT)


def test_a_figure_is_said_once_in_its_section(inbox, spec):
    """A figure a sentence states is not repeated in its section's table, and no section lists figures in prose
    that a table below repeats."""
    folder, roster = inbox
    run_json(folder, folder.parent / "out", "--roster", str(roster))
    lines = _body(folder.parent / "out" / REPORT)
    start, end = lines.index("I. TÌNH HÌNH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, LAO ĐỘNG"), lines.index(
        "II. KẾT QUẢ HOẠT ĐỘNG CÔNG ĐOÀN NĂM 2023")
    rows = [line for line in lines[start:end] if " | " in line]
    for label in ("Tổng số CBCCVCLĐ", "Tổng số đoàn viên cuối năm"):
        assert spec_label(spec, label) and not any(f"| {label} |" in row for row in rows)
    for section in [s.code for s in spec.sections if s.parent == "II"]:
        tabled = [f.label for f in spec.fields_in(section) if f.is_numeric]
        prose = [line for line in lines if line.startswith(("Theo báo cáo của", "Kết quả tổng hợp"))]
        for label in tabled:
            said = [line for line in prose if f"{label[:1].lower()}{label[1:]}:" in line]
            assert not said or not any(f"| {label} |" in row for row in lines), label


def spec_label(spec, label: str) -> bool:
    return any(f.label == label for f in spec.fields)


def test_a_percentage_typed_in_excel_and_a_number_in_a_text_cell_read_as_typed(spec, tmp_path):
    """Excel stores "85%" as 0.85 under a percent format; a text cell may hold a number."""
    import openpyxl

    from pipeline.office_part import SHEET

    path = tmp_path / "vp.xlsx"
    path.write_bytes(build_office_part(spec))
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    for row in sheet.iter_rows():
        if row[0].value == "vp_ct_vung_manh":
            row[2].value, row[2].number_format = 0.85, "0%"
        if row[0].value == "text:I":
            row[2].value = 2023
    book.save(path)
    read = read_office_part(spec, path)
    assert read.figures == {"vp_ct_vung_manh": 85.0} and read.texts == {"I": "2023"}


def test_a_fraction_typed_without_a_percent_format_is_that_many_percent(spec, tmp_path):
    """"1" typed in the part's own number format means 1 %, not 100 %: only a percent format says 0.85 is 85 %."""
    import openpyxl

    from pipeline.office_part import SHEET

    path = tmp_path / "vp.xlsx"
    path.write_bytes(build_office_part(spec))
    book = openpyxl.load_workbook(path)
    for row in book[SHEET].iter_rows():
        if row[0].value in ("vp_ct_vung_manh", "vp_ct_thu_kpcd"):
            row[2].value = 0.5 if row[0].value == "vp_ct_vung_manh" else 1.0
    book.save(path)
    assert read_office_part(spec, path).figures == {"vp_ct_vung_manh": 0.5, "vp_ct_thu_kpcd": 1.0}
