"""Outputs: the consolidated workbook reopened and compared, the Word report, feedback copies, safe writing."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from python_calamine import CalamineWorkbook

from pipeline.cli import EXIT_BUSY, cli
from pipeline.form import load_spec
from pipeline.outputs.workbook import sheet_names
from tests.helpers import by_file, run_json

WORKBOOK = "tong-hop-bao-cao-cd-2023.xlsx"
REPORT = "bao-cao-tong-hop-bao-cao-cd-2023.docx"


@pytest.fixture()
def three_units(tmp_path):
    """Two clean units of different sizes and one with women above the total, plus a roster with a missing unit."""
    from pipeline.template.build import build_template
    from tests.filling import fill_template, good_values

    spec = load_spec()
    template = build_template(spec)
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    values = {"CD001": good_values(spec, "CD001", size=100), "CD002": good_values(spec, "CD002", size=300)}
    values["CD002"]["thu_nhap_binh_quan"] = 10_500_000
    values["CD002"]["tm_V"] = "Đề nghị tăng mức hỗ trợ Mái ấm Công đoàn cho đoàn viên khó khăn về nhà ở."
    on_time = dt.datetime(2023, 12, 5, 9).timestamp()
    for code, answers in values.items():
        fill_template(template, answers, inbox / f"{code}.xlsx")
        __import__("os").utime(inbox / f"{code}.xlsx", (on_time, on_time))
    bad = good_values(spec, "CD003", size=50)
    bad["cbccvcld_nu"] = 80
    fill_template(template, bad, inbox / "CD003.xlsx")
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS,Khối,Email,Điện thoại\nCD001,Trường A,Giáo dục,a@x.vn,01\n"
                      "CD002,Bệnh viện B,Y tế,b@x.vn,02\nCD003,Trường C,Giáo dục,c@x.vn,03\n"
                      "CD004,Sở D,Hành chính,d@x.vn,04\n", encoding="utf-8")
    out = tmp_path / "out"
    code, document = run_json(inbox, out, "--roster", str(roster))
    return {"out": out, "document": document, "values": values, "code": code, "inbox": inbox, "roster": roster}


def test_workbook_has_every_sheet_in_order(three_units):
    book = CalamineWorkbook.from_path(str(three_units["out"] / WORKBOOK))
    assert book.sheet_names == sheet_names(load_spec())
    # the machine-readable sheets last: what the workbook is, then each unit's texts (read by the level above)
    assert book.sheet_names[-2:] == ["_du_lieu", "_thuyet_minh"] and "So với năm trước" not in book.sheet_names


def test_totals_sheet_matches_the_sums_and_weighted_income(three_units):
    workbook = openpyxl.load_workbook(three_units["out"] / WORKBOOK, read_only=True)
    rows = {row[1]: row[3] for row in workbook["Tổng hợp"].iter_rows(values_only=True) if row and len(row) > 3}
    a, b = three_units["values"]["CD001"], three_units["values"]["CD002"]
    assert rows["Tổng số CBCCVCLĐ"] == a["cbccvcld_tong"] + b["cbccvcld_tong"]
    income = round((8_500_000 * 100 + 10_500_000 * 300) / 400)
    assert rows["Thu nhập bình quân (bình quân theo tổng số CBCCVCLĐ)"] == income
    assert rows["Số đơn vị đã nhận báo cáo"] == 2


def test_units_sheet_has_one_row_per_accepted_unit_and_python_totals(three_units):
    book = CalamineWorkbook.from_path(str(three_units["out"] / WORKBOOK))
    rows = book.get_sheet_by_name("Theo đơn vị").to_python()
    header = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    body = [r for r in rows[header + 1:] if r[1] in ("CD001", "CD002")]
    total = next(r for r in rows if "TỔNG CỘNG TOÀN TỈNH" in r)
    column = rows[header].index("Tổng số CBCCVCLĐ (người)")
    assert len(body) == 2 and total[column] == 400  # a value, not a formula: calamine reads it as written


def test_formula_looking_text_stays_text(tmp_path, spec, template_bytes):
    from pipeline.template.fill import named_cell
    from tests.filling import good_values

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    values = good_values(spec, "CD001")
    workbook = openpyxl.load_workbook(__import__("io").BytesIO(template_bytes))
    for code, value in values.items():
        sheet, ref = named_cell(workbook, code)
        workbook[sheet][ref].value = value
    hostile = {"tm_V": '=HYPERLINK("http://x.invalid","bấm")', "tm_I": "+1+2 đoàn viên mới trong năm qua", "chu_tich": "@SUM(A1)",
               "tm_II_1": "-cmd|' /C calc'!A0 là một chuỗi độc hại"}
    for code, text in hostile.items():
        sheet, ref = named_cell(workbook, code)
        cell = workbook[sheet][ref]
        cell.value = text
        cell.data_type = "s"
    workbook.save(inbox / "a.xlsx")
    out = tmp_path / "out"
    run_json(inbox, out)
    written = openpyxl.load_workbook(out / WORKBOOK)
    cells = [c for ws in written.worksheets for row in ws.iter_rows() for c in row if c.value in hostile.values()]
    assert {c.value for c in cells} >= {hostile["tm_V"], hostile["tm_I"], hostile["tm_II_1"]}
    assert all(c.data_type == "s" for c in cells)
    assert not any(ws._hyperlinks for ws in written.worksheets)


def test_word_report_follows_the_outline_with_totals_written_in(three_units):
    document = Document(str(three_units["out"] / REPORT))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for heading in ("I. TÌNH HÌNH CÁN BỘ", "II. KẾT QUẢ HOẠT ĐỘNG", "III. TỒN TẠI", "IV. NHIỆM VỤ", "V. NHỮNG KIẾN NGHỊ"):
        assert heading in text
    # 2 of the 4 units on the roster merged: the figures say so, and never claim the whole province
    assert "Theo báo cáo của 2/4 CĐCS, các đơn vị có tổng số 400 CBCCVCLĐ, trong đó nữ 240, chiếm 60,0%" in text
    assert "toàn tỉnh" not in (text + cells).lower()
    assert "Tổng hợp (2/4 CĐCS)" in cells
    assert "Bệnh viện B" in text or "Công đoàn Trường CD002" in text
    assert "Mái ấm Công đoàn cho đoàn viên khó khăn" in text
    assert "TM. BAN THƯỜNG VỤ" in cells and "CHỦ TỊCH" in cells and "Nơi nhận:" in cells
    assert "ngày … tháng … năm …" in cells
    assert "1/4 đơn vị chưa gửi" not in text and "chưa gửi" not in text  # who did not report stays in the workbook
    assert {r.font.name for p in document.paragraphs for r in p.runs if r.font.name} <= {"Times New Roman"}


def test_feedback_copy_marks_the_cells_at_fault(three_units):
    path = three_units["out"] / "phan-hoi" / "CD003-CD003.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == "Danh sách lỗi"
    sheet = workbook["Số liệu"]
    marked = [c for row in sheet.iter_rows() for c in row if c.comment is not None]
    assert marked and all(c.fill.fgColor.rgb.endswith("FFC7CE") for c in marked if "LỖI" in c.comment.text)
    assert any("Số nữ (80)" in c.comment.text for c in marked)
    listed = [row for row in workbook["Danh sách lỗi"].iter_rows(min_row=5, values_only=True)]
    assert any("80" in row[4] for row in listed if row[4])
    assert any(row[1] == "Số liệu không khớp nhau" for row in listed)  # the catalogue's label


def test_feedback_copies_made_in_worker_processes_are_the_ones_made_here(three_units, monkeypatch):
    from pipeline.outputs import feedback

    path = three_units["out"] / "phan-hoi" / "CD003-CD003.xlsx"
    here = path.read_bytes()
    monkeypatch.setattr(feedback, "SPREAD_FROM", 0)
    made = []
    monkeypatch.setattr(feedback, "run_isolated", lambda func, items, **kw: made.extend(items) or
                        __import__("pipeline.isolation", fromlist=["run_isolated"]).run_isolated(func, items, **kw))
    elsewhere = three_units["out"].parent / "out-workers"  # a fresh outbox: an unchanged copy is not made again
    run_json(three_units["inbox"], elsewhere, "--roster", str(three_units["roster"]))
    assert [task.relative for task in made] == ["CD003.xlsx"]  # every copy went to the workers
    assert (elsewhere / "phan-hoi" / "CD003-CD003.xlsx").read_bytes() == here


def test_no_feedback_for_clean_units_and_chase_list_for_missing(three_units):
    out = three_units["out"]
    assert not (out / "phan-hoi" / "CD001-CD001.xlsx").exists()
    chase = openpyxl.load_workbook(out / "don-vi-chua-nop-hoac-muon.xlsx")
    rows = list(chase.active.iter_rows(values_only=True))
    assert rows[0][:6] == ("Mã CĐCS", "Tên CĐCS", "Khối", "Tình trạng", "Email", "Điện thoại")
    states = {row[0]: (row[3], row[4]) for row in rows[1:]}
    assert states == {"CD003": ("có lỗi", "c@x.vn"), "CD004": ("chưa nộp", "d@x.vn")}


def test_status_sheet_lists_every_roster_unit(three_units):
    workbook = openpyxl.load_workbook(three_units["out"] / WORKBOOK, read_only=True)
    states = {row[0]: row[3] for row in workbook["Tình hình nộp"].iter_rows(values_only=True) if row and row[0]
              and str(row[0]).startswith("CD")}
    assert states == {"CD001": "đúng hạn", "CD002": "đúng hạn", "CD003": "có lỗi", "CD004": "chưa nộp"}


def _same_inbox(document: dict) -> dict:
    """A run's document without what tells runs apart: what changed since the last one."""
    return {key: value for key, value in document.items() if key != "since_last_run"}


def test_second_run_gives_the_same_results(three_units):
    _, again = run_json(three_units["inbox"], three_units["out"], "--roster", str(three_units["roster"]))
    assert _same_inbox(again) == _same_inbox(three_units["document"])
    assert again["since_last_run"]["new_files"] == [] and again["since_last_run"]["previous_run"]


@pytest.mark.parametrize("writer, output, parallel_from", [
    ("pipeline.outputs.workbook.write_workbook", WORKBOOK, 200),
    ("pipeline.outputs.report.write_report", REPORT, 0),  # the report is written by the second process
])
def test_failed_write_keeps_the_previous_complete_output(three_units, monkeypatch, writer, output, parallel_from):
    import importlib

    import pipeline.outputs

    module_name, function = writer.rsplit(".", 1)
    target = three_units["out"] / output
    before = target.read_bytes()

    def broken(result, path):
        path.write_bytes(b"half a file")
        raise OSError("đĩa đầy")

    monkeypatch.setattr(pipeline.outputs, "PARALLEL_FROM", parallel_from)
    monkeypatch.setattr(importlib.import_module(module_name), function, broken)
    result = CliRunner().invoke(cli, ["--inbox", str(three_units["inbox"]), "--outbox", str(three_units["out"]), "-q"])
    assert result.exit_code == 4 and "đĩa đầy" in result.stderr
    assert target.read_bytes() == before
    assert not [p for p in three_units["out"].rglob("*.tmp")]


def test_second_run_at_once_exits_with_its_own_code(three_units, monkeypatch):
    from filelock import FileLock

    from pipeline.outputs import lock

    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.2)
    with FileLock(str(three_units["out"] / lock.LOCK_NAME)):
        result = CliRunner().invoke(cli, ["--inbox", str(three_units["inbox"]), "--outbox", str(three_units["out"])])
    assert result.exit_code == EXIT_BUSY and "đang ghi" in result.stderr


def test_problems_and_register_sheets_account_for_every_file(three_units):
    workbook = openpyxl.load_workbook(three_units["out"] / WORKBOOK, read_only=True)
    register = [row for row in workbook["Sổ tiếp nhận"].iter_rows(values_only=True) if row and str(row[0]).endswith(".xlsx")]
    assert sorted(r[0] for r in register) == ["CD001.xlsx", "CD002.xlsx", "CD003.xlsx"]
    problems = [row for row in workbook["Lỗi, cảnh báo"].iter_rows(values_only=True) if row and row[0] == "CD003.xlsx"]
    assert any(row[2] == "Lỗi" and row[3] == "Số liệu không khớp nhau" and row[4] == "rule" for row in problems)


def test_text_at_the_cell_limit_is_kept_whole_with_a_warning(tmp_path, write_submission):
    long_text = ("Đoàn viên tham gia tích cực các phong trào thi đua của đơn vị. " * 700)[:40_000]
    write_submission("a.xlsx", tm_II_3=long_text)
    out = tmp_path / "out"
    _, document = run_json(tmp_path / "inbox", out)
    entry = by_file(document)["a.xlsx"]
    assert entry["status"] == "accepted"
    assert [p["field"] for p in entry["problems"] if p["code"] == "too-long"] == ["tm_II_3"]
    workbook = openpyxl.load_workbook(out / WORKBOOK, read_only=True)
    texts = [c for row in workbook["Thuyết minh"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert max(len(t) for t in texts) == 32767


def test_texts_beyond_a_cell_are_split_over_rows_never_cut(three_units, monkeypatch):
    from pipeline.outputs.workbook import common as module

    monkeypatch.setattr(module, "CELL_LIMIT", 40)  # every narrative of the demo units is longer than this
    out = three_units["out"]
    _, document = run_json(three_units["inbox"], out, "--roster", str(three_units["roster"]))
    rows = CalamineWorkbook.from_path(str(out / WORKBOOK)).get_sheet_by_name("Thuyết minh").to_python()
    text = three_units["values"]["CD002"]["tm_I"].strip()
    first = next(i for i, row in enumerate(rows) if row[0] == "CD002" and text.startswith(row[2]))
    pieces = [rows[first][2]]
    while rows[first + len(pieces)][0] == "CD002 (tiếp)":
        pieces.append(rows[first + len(pieces)][2])
    assert len(pieces) > 1 and all(len(piece) <= 40 for piece in pieces) and "".join(pieces) == text
    assert rows[first + 1][1] == f"{rows[first][1]} (tiếp)"


def test_outputs_written_by_two_processes_are_the_same(three_units, monkeypatch):
    import pipeline.outputs

    monkeypatch.setattr(pipeline.outputs, "PARALLEL_FROM", 0)
    out = three_units["out"]
    before = Document(str(out / REPORT))
    code, document = run_json(three_units["inbox"], out, "--roster", str(three_units["roster"]))
    assert (code, _same_inbox(document)) == (three_units["code"], _same_inbox(three_units["document"]))
    after = Document(str(out / REPORT))
    assert [p.text for p in after.paragraphs if "ngày" not in p.text] == \
           [p.text for p in before.paragraphs if "ngày" not in p.text]
    assert (out / "phan-hoi" / "CD003-CD003.xlsx").is_file()



def test_a_province_beyond_the_parallel_size_writes_its_outputs_in_one_process(three_units, monkeypatch):
    """Memory first for a large province: no forked writer (it would copy every page the workbook touches)."""
    import pipeline.outputs

    monkeypatch.setattr(pipeline.outputs, "PARALLEL_FROM", 0)
    monkeypatch.setattr(pipeline.outputs, "SEQUENTIAL_FROM", 1)  # the three units' two accepted are "large"

    def in_child(result, sending):
        raise AssertionError("the outputs were to be written in this process")

    monkeypatch.setattr(pipeline.outputs, "_write_rest_in_child", in_child)
    out = three_units["out"]
    code, document = run_json(three_units["inbox"], out, "--roster", str(three_units["roster"]))
    assert (code, _same_inbox(document)) == (three_units["code"], _same_inbox(three_units["document"]))
    assert (out / "phan-hoi" / "CD003-CD003.xlsx").is_file()


def test_constant_memory_workbook_holds_the_same_cells(three_units, monkeypatch):
    """Large runs write in constant-memory mode, where a cell written out of row order is silently lost."""
    from pipeline.outputs import workbook as module

    def cells(path):
        book = CalamineWorkbook.from_path(str(path))
        return {name: [[v for v in row] for row in book.get_sheet_by_name(name).to_python()
                       if "tổng hợp lúc" not in str(row)] for name in book.sheet_names
                if name != "Thay đổi"}  # the one sheet that differs between two runs

    out = three_units["out"]
    normal = cells(out / WORKBOOK)
    monkeypatch.setattr(module, "CONSTANT_MEMORY_FROM", 0)
    run_json(three_units["inbox"], out, "--roster", str(three_units["roster"]))
    assert cells(out / WORKBOOK) == normal


def _record(relative: str, unit: str | None = None, sha: str = "ab" * 32):
    from pipeline.intake.submission import Submission
    from pipeline.ledger import FileRecord

    submission = Submission(relative, 1, 0.0, sha, unit=unit)
    return FileRecord(relative, submission)


def test_feedback_names_keep_vietnamese_and_the_type_and_never_collide():
    from pipeline.outputs.feedback import feedback_names

    records = [_record("Báo cáo.xlsx", "CD1"), _record("Báo cáo.ods", "CD1"), _record("Báo cáo.xls", "CD1"),
               _record("Trường A.xlsx", sha="01" * 32), _record("Trưởng A.xlsx", sha="02" * 32),
               _record("tháng 12/a.xlsx", sha="03" * 32), _record("THÁNG 12/A.xlsx", sha="04" * 32),
               _record('x:y*"z".xlsx', "CD/2")]
    names = feedback_names(records)
    assert names[:5] == ["CD1-Báo cáo.xlsx", "CD1-Báo cáo (ods).xlsx", "CD1-Báo cáo (xls).xlsx",
                         "khong-ro-ma-Trường A.xlsx", "khong-ro-ma-Trưởng A.xlsx"]
    # Names equal but for case (one file on Windows and macOS) get the first hex digits of their sha256.
    assert names[5:7] == ["khong-ro-ma-tháng 12_a-030303.xlsx", "khong-ro-ma-THÁNG 12_A-040404.xlsx"]
    assert names[7] == "CD_2-x_y_z_.xlsx"
    assert len({n.casefold() for n in names}) == len(records)


def test_feedback_names_of_equal_bytes_under_names_that_read_alike_still_differ():
    from pipeline.outputs.feedback import feedback_names

    names = feedback_names([_record("a/b.xlsx"), _record("a_b.xlsx"), _record("A_B.xlsx")])
    assert len({n.casefold() for n in names}) == 3


def test_the_comparison_sheet_says_year_or_period_as_the_form_reports():
    yearly, twice = load_spec(), load_spec("1-hdcd")
    assert "So với năm trước" in sheet_names(yearly, previous=object())
    assert "So với kỳ trước" in sheet_names(twice, previous=object())
    assert not {"So với năm trước", "So với kỳ trước"} & set(sheet_names(twice))


def test_rows_written_as_xml_read_back_as_xlsxwriter_writes_them(tmp_path):
    """The bulk rows (outputs/rows.py) hold what XlsxWriter would have written: escapes, numbers, dates, blanks."""
    import io

    import xlsxwriter

    from pipeline.outputs.rows import SheetRows, save_with_rows

    values = ["a & b < c > d", "  lề trái", "dòng 1\ndòng 2", "\x01\x0b điều khiển", "_x0041_ như mã", "=1+2",
              "Tiếng Việt: Công đoàn cơ sở", 12, 1234567.5, -3, dt.date(2023, 12, 11), dt.datetime(2023, 5, 20, 9, 30),
              None, float("nan")]

    def write(path, bulk: bool):
        frame = io.BytesIO() if bulk else str(path)
        book = xlsxwriter.Workbook(frame, {"strings_to_formulas": False, "strings_to_numbers": False})
        style = book.add_format({"text_wrap": True, "num_format": "#,##0.0"})
        date = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet = book.add_worksheet("Trang")
        sheet.write_string(0, 0, "Khung")
        if not bulk:
            for row, value in enumerate(values, start=1):
                if isinstance(value, dt.date):
                    sheet.write_datetime(row, 1, value if isinstance(value, dt.datetime)
                                         else dt.datetime.combine(value, dt.time()), date)
                elif value is None or value != value:
                    sheet.write_blank(row, 1, None, style)
                elif isinstance(value, str):
                    sheet.write_string(row, 1, value, style)
                else:
                    sheet.write_number(row, 1, value, style)
        indices = (style._get_xf_index(), date._get_xf_index())
        book.close()
        if bulk:
            cells = [(None, [(1, value, indices[isinstance(value, dt.date)])]) for value in values]
            save_with_rows(frame.getvalue(), [SheetRows("xl/worksheets/sheet1.xml", 1, len(values), 1,
                                                        lambda: iter(cells))], path)

    write(tmp_path / "plain.xlsx", bulk=False)
    write(tmp_path / "bulk.xlsx", bulk=True)
    # openpyxl undoes "_x005F_" in shared strings only (the bulk rows' strings are inline); calamine in both.
    for reader in (lambda p: CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Trang").to_python(),
                   lambda p: [[c.value for c in row] for row in openpyxl.load_workbook(p)["Trang"].iter_rows()
                              if "_x0041_" not in str(row[1].value)],
                   lambda p: [[(c.number_format, c.alignment.wrap_text) for c in row]
                              for row in openpyxl.load_workbook(p)["Trang"].iter_rows()]):
        assert reader(tmp_path / "bulk.xlsx") == reader(tmp_path / "plain.xlsx")
    assert openpyxl.load_workbook(tmp_path / "bulk.xlsx")["Trang"].dimensions == "A1:B15"


def test_narrative_rows_are_as_tall_as_their_wrapped_text(three_units):
    """Rows are not grown by Excel or LibreOffice: a text two lines long drawn in a one-line row covered the next."""
    sheet = openpyxl.load_workbook(three_units["out"] / WORKBOOK)["Thuyết minh"]
    rows = [row for row in sheet.iter_rows() if row[0].value == "CD002" and row[2].value]
    assert rows and all(len(row[2].value) > 92 for row in rows)  # longer than a line of the 80-wide column
    assert all((sheet.row_dimensions[row[0].row].height or 0) >= 33 for row in rows)


def test_register_and_problem_rows_are_as_tall_as_their_reasons(three_units):
    """A rejected file's reason wraps over two lines: drawn in a one-line row it covered the next file's row."""
    book = openpyxl.load_workbook(three_units["out"] / WORKBOOK)
    register = book["Sổ tiếp nhận"]
    header = next(row for row in register.iter_rows() if row[0].value == "Tệp")
    column = {cell.value: cell.column - 1 for cell in header}
    rows = {row[0].value: row for row in register.iter_rows() if str(row[0].value).endswith(".xlsx")}
    reason = rows["CD003.xlsx"][column["Lý do"]]
    assert len(reason.value) > 66 * 1.15  # longer than a line of its column
    assert (register.row_dimensions[reason.row].height or 0) >= 33
    assert register.row_dimensions[rows["CD001.xlsx"][0].row].height is None  # "Hợp lệ": one line, left alone
    assert not rows["CD001.xlsx"][column["SHA-256"]].alignment.wrap_text  # the digest on one line
    problems = book["Lỗi, cảnh báo"]
    long = [row for row in problems.iter_rows() if row[0].value == "CD003.xlsx" and len(row[8].value) > 92]
    assert long and all((problems.row_dimensions[row[0].row].height or 0) >= 33 for row in long)


def test_the_annex_gives_each_line_of_a_units_text_its_own_paragraph(tmp_path, write_submission):
    """A justified paragraph stretches a line that ends in a manual break across the page: lines are paragraphs."""
    lines = ["Tính đến ngày 30/11/2023, đơn vị có 60 CBCCVCLĐ, trong đó nữ 40 người.",
             "- Tổng số đoàn viên là 58 người; trong năm kết nạp mới 3 đoàn viên.",
             "- Thu nhập bình quân đạt khoảng 7.400.000 đồng/người/tháng, chi trả đầy đủ, kịp thời."]
    write_submission("a.xlsx", "CD001", tm_I="\n".join(lines))
    write_submission("b.xlsx", "CD002", tm_I="\n\n".join(lines))  # blank lines between: no empty paragraphs
    run_json(tmp_path / "inbox", tmp_path / "out")
    paragraphs = [p for p in Document(str(tmp_path / "out" / "phu-luc-thuyet-minh-bao-cao-cd-2023.docx")).paragraphs]
    start = next(i for i, p in enumerate(paragraphs) if p.text == "PHỤ LỤC")
    annex = [p.text for p in paragraphs[start:]]
    for code in ("CD001", "CD002"):
        first = next(i for i, text in enumerate(annex) if f"({code}): " in text and lines[0] in text)
        assert annex[first].endswith(lines[0])
        assert annex[first + 1] == lines[1] and annex[first + 2].startswith(lines[2])
    assert not any("\n" in text for text in annex)
    notes = [text[text.index("[Nhóm: "):] for text in annex if "[Nhóm: " in text]
    assert notes and not any(".;" in note for note in notes)  # labels that are sentences, joined without ".;"
    assert all(len(label.split()) <= 9 for note in notes for label in note[7:-1].split("; "))  # 8 words and "…"


def test_a_blank_narrative_is_blank_everywhere_never_nan(tmp_path, write_submission):
    """pandas puts NaN in a text column for a blank: no output may show it as the word "nan"."""
    write_submission("a.xlsx", "CD001")
    write_submission("b.xlsx", "CD002", tm_III_1=None, tm_IV_2=None)
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert sorted(document["units"]["accepted"] + document["units"]["late"]) == ["CD001", "CD002"]
    texts = [s["text"] for groups in document["themes"].values() for g in groups for s in g["sentences"]]
    assert texts and not any(t.strip().lower() == "nan" for t in texts)
    annex = Document(str(tmp_path / "out" / "phu-luc-thuyet-minh-bao-cao-cd-2023.docx"))
    assert not any(p.text.strip().endswith(": nan") or p.text.strip() == "nan" for p in annex.paragraphs)
    book = CalamineWorkbook.from_path(str(tmp_path / "out" / "tong-hop-bao-cao-cd-2023.xlsx"))
    for name in ("Thuyết minh", "Phân nhóm câu", "_thuyet_minh"):
        cells = [str(c) for row in book.get_sheet_by_name(name).to_python() for c in row]
        assert "nan" not in cells, name


def test_the_title_is_not_headed_twice_and_the_letterhead_has_its_rules(three_units):
    from docx.oxml.ns import qn

    document = Document(str(three_units["out"] / "bao-cao-tong-hop-bao-cao-cd-2023.docx"))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[0] == "BÁO CÁO"
    assert texts[1] == "Kết quả hoạt động Công đoàn năm 2023, nhiệm vụ trọng tâm năm 2024"
    letterhead = document.tables[0]
    rules = [p for cell in letterhead.rows[0].cells for p in cell.paragraphs
             if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]
    assert len(rules) == 2  # under the issuer and under "CÔNG ĐOÀN VIỆT NAM"
    cells = "\n".join(c.text for c in letterhead.rows[0].cells)
    assert "Số: …/BC-CĐVC" in cells


def test_points_past_excels_last_row_are_said_not_written(tmp_path, write_submission, monkeypatch):
    """A national roll-up has more points than a sheet has rows: the sheet stops at the last row with a note."""
    import pipeline.outputs.workbook.pointgroups as pointgroups

    write_submission("a.xlsx", "CD001")
    write_submission("b.xlsx", "CD002")
    monkeypatch.setattr(pointgroups, "LAST_ROW", 12)  # as if Excel's sheet ended at row 13
    run_json(tmp_path / "inbox", tmp_path / "out")
    rows = CalamineWorkbook.from_path(str(tmp_path / "out" / "tong-hop-bao-cao-cd-2023.xlsx")).get_sheet_by_name(
        "Phân nhóm câu").to_python()
    assert len(rows) <= 13
    assert any(str(row[0]).startswith("Còn ") and "giới hạn 1.048.576 dòng" in str(row[0]) for row in rows)


def test_the_next_steps_name_only_what_there_is_to_do(tmp_path, write_submission):
    import os

    path = write_submission("a.xlsx", "CD001")
    on_time = dt.datetime(2023, 12, 5, 9).timestamp()
    os.utime(path, (on_time, on_time))
    saved = CliRunner().invoke(cli, ["--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out")])
    assert saved.exit_code == 0, saved.output
    # no roster, nothing refused: nothing to send back, nobody to chase
    assert "Việc tiếp theo: mở bảng tổng hợp." in saved.output


def test_bulk_rows_go_on_in_bounded_pieces_and_a_repeated_text_is_written_alike():
    """Rows are handed to the compressor by size, not by count (a row of a unit's texts runs to tens of thousands
    of characters), and a text met again is written exactly as the first time."""
    from pipeline.outputs import rows as rows_module
    from pipeline.outputs.rows import SheetRows, _cell

    made = [(None, [(0, "CD001", 3), (1, "ý kiến " * 6000 + str(index), 4)]) for index in range(80)]
    made += [(30.0, [(0, "Mục I & <II>", 3), (1, "  Mục I & <II>", 3), (2, 5, 5)])] * 3 + [(None, [])]
    sheet = SheetRows("xl/worksheets/sheet1.xml", 1, len(made), 2, lambda: iter(made))
    chunks = list(sheet.xml())
    assert len(chunks) > 1
    assert max(len(chunk.decode()) for chunk in chunks) < rows_module._BATCH_CHARS + 50_000
    expected = "".join((f'<row r="{number}" ht="{height:g}" customHeight="1">' if height else f'<row r="{number}">')
                       + "".join(_cell(f"{'ABC'[col]}{number}", value, style) for col, value, style in cells)
                       + "</row>" for number, (height, cells) in enumerate(made, start=2) if cells)
    assert b"".join(chunks).decode() == expected


def test_the_annex_written_as_xml_is_what_python_docx_writes(tmp_path, write_submission, monkeypatch):
    """The annex's unit texts go in as XML (annex.unit_text); python-docx's calls make the same document, byte for
    byte: escapes, quotes, two spaces, a non-breaking space, a tab, blank lines, a line wrapped inside a sentence.
    Only the wrap is undone: every other character of a line is printed as the unit typed it."""
    import zipfile

    from pipeline.outputs import annex

    write_submission("a.xlsx", "CD001", tm_I="Dòng & <một> \"hai\" 'ba' &amp;\n\n- Dòng hai,  giữa \u00a0 có\tkhoảng\nCuối.")
    write_submission("b.xlsx", "CD002", tm_I="Một câu bị ngắt dòng ở\ngiữa khi dán từ PDF.", tm_II_1="Hội nghị tốt.")
    write_submission("c.xlsx", "CD003")
    run_json(tmp_path / "inbox", tmp_path / "xml")

    def by_calls(self, lead: str, lines: list[str], groups: str | None) -> None:  # what the XML stands for
        paragraph = self.para("")
        paragraph.add_run(lead).bold = True
        paragraph.add_run(lines[0])
        for line in lines[1:]:
            paragraph = self.para(line)
        if groups:
            paragraph.add_run(groups).italic = True

    monkeypatch.setattr(annex._AnnexWriter, "unit_text", by_calls)
    run_json(tmp_path / "inbox", tmp_path / "calls")

    def document(out):
        with zipfile.ZipFile(out / "phu-luc-thuyet-minh-bao-cao-cd-2023.docx") as package:
            return package.read("word/document.xml")

    printed = document(tmp_path / "xml").decode()
    assert "ngắt dòng ở giữa khi dán" in printed  # the wrap undone: one paragraph
    assert "Dòng hai,  giữa \u00a0 có</w:t><w:tab/><w:t>khoảng" in printed  # the line's own spaces and tab kept
    assert document(tmp_path / "xml") == document(tmp_path / "calls")


def test_an_annex_text_drops_what_xml_cannot_hold():
    from docx import Document

    from pipeline.outputs import annex

    class Consolidation:
        spec = figures = None

    writer = annex._AnnexWriter(Document(), Consolidation())
    writer.unit_text("Trường A (CD001): ", ["Có \x01ký tự\x1f điều khiển\ufffe."], " [Nhóm: a; b]")
    assert writer.doc.paragraphs[-1].text == "Trường A (CD001): Có ký tự điều khiển. [Nhóm: a; b]"
