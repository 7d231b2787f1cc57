"""Compared with last period (--previous): this tool's own workbook read back or a plain table filled by
hand give the same changes; the workbook, the report and the unit checks show them."""
from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli
from pipeline.demo import demo_roster, demo_values
from pipeline.demo.units import write_roster
from pipeline.form import load_spec
from pipeline.template.build import build_template
from tests.filling import fill_template

WORKBOOK, REPORT = "tong-hop-bao-cao-cd-2023.xlsx", "bao-cao-tong-hop-bao-cao-cd-2023.docx"


def _run(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, (json.loads(result.stdout) if result.exit_code in (0, 1) else {}), result.output


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """Last year's inbox A (units 1-8) and this year's B (units 2-9): unit 2 grew a little, unit 3 typed its
    average income in thousands of đồng, unit 9 is new, unit 1 sent nothing this year."""
    root = tmp_path_factory.mktemp("years")
    spec = load_spec()
    rng = random.Random(21)
    units = demo_roster(rng)[:9]
    template = build_template(spec)
    roster = write_roster(units, root / "ds.xlsx")
    last = {u.code: demo_values(spec, u, rng) for u in units[:8]}
    this = {code: dict(values) for code, values in last.items() if code != units[0].code}
    grown = this[units[1].code]
    grown["cbccvcld_tong"] += 4
    grown["cbccvcld_hop_dong"] += 4
    this[units[2].code]["thu_nhap_binh_quan"] //= 1000
    this[units[8].code] = demo_values(spec, units[8], rng)
    for name, values in (("a", last), ("b", this)):
        (root / name).mkdir()
        for code, answers in values.items():
            fill_template(template, answers, root / name / f"{code}.xlsx")
    # Last year's run, as last year's form said it: the same form, its period 2022.
    text = Path(spec.source).read_text(encoding="utf-8")
    last_form = root / "bao-cao-cd-2023.toml"
    last_form.write_text(text.replace('period = "2023"\nyear = 2023\ndeadline = 2023-12-11',
                                      'period = "2022"\nyear = 2022\ndeadline = 2023-12-11'), encoding="utf-8")
    assert last_form.read_text(encoding="utf-8") != text
    _, year_a, _ = _run("--form", str(last_form), "--inbox", str(root / "a"), "--outbox", str(root / "out-a"),
                        "--roster", str(roster))
    return {"root": root, "spec": spec, "units": units, "roster": roster, "last": last, "this": this, "a": year_a,
            "last_form": last_form}


def _b(two_years, previous, outbox: str):
    root = two_years["root"]
    return _run("--inbox", str(root / "b"), "--outbox", str(root / outbox), "--roster", str(two_years["roster"]),
                "--previous", str(previous))


def test_a_run_without_previous_says_so(two_years):
    document = two_years["a"]
    assert document["previous"] is None
    change = document["change"]["cbccvcld_tong"]
    assert change == {"previous": None, "current": document["totals"]["cbccvcld_tong"], "delta": None, "percent": None}
    assert set(document["change"]) == {f.code for f in two_years["spec"].numeric_fields}


def test_last_years_workbook_is_read_back_and_every_change_computed(two_years):
    previous = two_years["root"] / "out-a" / WORKBOOK
    _, document, _ = _b(two_years, previous, "out-b")
    assert document["previous"]["source"] == str(previous) and document["previous"]["form"] == "bao-cao-cd-2023"
    assert document["previous"]["period"] == "2022"
    last_total = sum(v["cbccvcld_tong"] for v in two_years["last"].values())
    this_total = sum(v["cbccvcld_tong"] for v in two_years["this"].values())
    change = document["change"]["cbccvcld_tong"]
    assert change["previous"] == last_total and change["current"] == this_total
    assert change["delta"] == this_total - last_total
    assert change["percent"] == round(100 * (this_total - last_total) / last_total, 1)
    assert document["previous"]["totals"]["cbccvcld_tong"] == last_total
    assert set(document["previous"]) == {"source", "form", "period", "totals"}  # the contract, exactly


def test_a_filled_plain_table_gives_the_same_changes(two_years, tmp_path):
    root = two_years["root"]
    table = tmp_path / "ky-truoc.xlsx"
    result = CliRunner().invoke(cli, ["fields", "--previous-table", str(table)])
    assert result.exit_code == 0 and table.is_file()
    book = openpyxl.load_workbook(table)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Mã trường", "Nội dung", "Đơn vị tính", "Giá trị"] and "Mã CĐCS" in header
    province = {code: entry["current"] for code, entry in two_years["a"]["change"].items()}
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in province:
            row[3].value = province[row[0].value]
    for code, values in two_years["last"].items():  # each unit's own figures too, for the unit checks
        for field in two_years["spec"].numeric_fields:
            sheet.append([field.code, None, None, values[field.code], code])
    book.save(table)
    _, from_table, _ = _b(two_years, table, "out-table")
    _, from_workbook, _ = _b(two_years, root / "out-a" / WORKBOOK, "out-b2")
    assert from_table["change"] == from_workbook["change"]
    assert from_table["previous"]["period"] == "2022"  # a table says no period: the year before the form's


def test_money_typed_in_thousands_is_warned_and_small_growth_is_not(two_years):
    _, document, _ = _b(two_years, two_years["root"] / "out-a" / WORKBOOK, "out-b3")
    units = two_years["units"]
    by_unit = {f["unit"]: f for f in document["files"]}
    warned = [p for p in by_unit[units[2].code]["problems"] if p["code"] == "changed-from-previous"]
    assert [p["field"] for p in warned] == ["thu_nhap_binh_quan"]
    assert "nghìn đồng" in warned[0]["message"] and warned[0]["cell"] and warned[0]["severity"] == "warning"
    assert by_unit[units[2].code]["status"] == "accepted"
    assert not any(p["code"] == "changed-from-previous" for code in (units[1].code, units[8].code)
                   for p in by_unit[code]["problems"])


def test_the_workbook_and_the_report_show_the_movement(two_years):
    root = two_years["root"]
    _b(two_years, root / "out-a" / WORKBOOK, "out-b4")
    book = openpyxl.load_workbook(root / "out-b4" / WORKBOOK)
    header = [c.value for c in book["Tổng hợp"][5]]
    assert header[3:7] == ["Toàn tỉnh", "Năm 2022", "Tăng/giảm", "%"]
    compared = [row for row in book["So với năm trước"].iter_rows(values_only=True) if row and row[0]]
    notes = {row[0]: row[2] for row in compared}
    units = two_years["units"]
    assert notes[units[0].code] == "chưa có báo cáo kỳ này" and notes[units[8].code] == "mới báo cáo kỳ này"
    report = "\n".join(p.text for p in Document(root / "out-b4" / REPORT).paragraphs)
    delta = sum(v["cbccvcld_tong"] for v in two_years["this"].values()) - sum(
        v["cbccvcld_tong"] for v in two_years["last"].values())
    word = "tăng" if delta > 0 else "giảm"
    assert re.search(rf"So với năm 2022, tổng số CBCCVCLĐ {word} [0-9.]+ người \([0-9,]+%\)", report)
    assert "7 đơn vị có báo cáo cả hai kỳ; 1 đơn vị mới báo cáo kỳ này; 1 đơn vị có số liệu năm 2022" in report


def test_an_older_workbook_or_a_bad_table_is_refused_with_what_to_do(two_years, tmp_path):
    older = tmp_path / "cu.xlsx"
    book = openpyxl.load_workbook(two_years["root"] / "out-a" / WORKBOOK)
    del book["_du_lieu"]
    book.save(older)
    code, _, output = _b(two_years, older, "out-c")
    assert code == 2 and "--previous-table" in output

    bad = tmp_path / "sai.csv"
    with open(bad, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["Mã trường", "Giá trị"], ["cbccvcld_tong", "1.250"], ["khong_co", "5"]])
    code, _, output = _b(two_years, bad, "out-d")
    assert code == 2 and "dòng 3" in output and "khong_co" in output


def test_this_periods_own_workbook_is_refused_as_last_periods(two_years, tmp_path):
    root = two_years["root"]
    _run("--inbox", str(root / "b"), "--outbox", str(tmp_path / "this"))
    code, _, output = _b(two_years, tmp_path / "this" / WORKBOOK, "out-same")
    assert code == 2 and "chính kỳ này (2023)" in output


def test_a_field_finds_last_periods_figure_under_its_old_code(two_years, tmp_path):

    text = Path(two_years["spec"].source).read_text(encoding="utf-8")
    text = text.replace('code = "cbccvcld_hop_dong"\n', 'code = "cbccvcld_hop_dong"\nprevious = "lao_dong_hop_dong"\n')
    spec_path = tmp_path / "bao-cao-cd-2023.toml"
    spec_path.write_text(text, encoding="utf-8")
    table = tmp_path / "cu.csv"
    with open(table, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["Mã trường", "Giá trị"], ["lao_dong_hop_dong", "1.000"]])
    root = two_years["root"]
    _, document, _ = _run("--form", str(spec_path), "--inbox", str(root / "b"), "--outbox", str(tmp_path / "o"),
                          "--previous", str(table))
    assert document["change"]["cbccvcld_hop_dong"]["previous"] == 1000
    assert document["change"]["cbccvcld_tong"]["previous"] is None  # absent last year: blank, never 0


def test_a_table_on_a_sheet_named_tong_hop_with_its_header_on_the_first_row_is_read(two_years, tmp_path):
    from pipeline.previous.read import read_previous

    book = openpyxl.Workbook()
    book.active.title = "Tổng hợp"
    book.active.append(["Mã trường", "Giá trị"])
    book.active.append(["cbccvcld_tong", 1250])
    book.save(tmp_path / "bang.xlsx")
    assert read_previous(two_years["spec"], tmp_path / "bang.xlsx").totals["cbccvcld_tong"] == 1250


def test_a_unit_of_last_period_no_longer_on_the_roster_is_said_so(two_years, tmp_path):
    root, units = two_years["root"], two_years["units"]
    roster = write_roster(units[1:], tmp_path / "ds-moi.xlsx")
    _run("--inbox", str(root / "b"), "--outbox", str(tmp_path / "o"), "--roster", str(roster),
         "--previous", str(root / "out-a" / WORKBOOK))
    book = openpyxl.load_workbook(tmp_path / "o" / WORKBOOK, read_only=True)
    notes = {row[0]: row[2] for row in book["So với năm trước"].iter_rows(values_only=True) if row and row[0]}
    assert notes[units[0].code] == "không còn trong danh sách đơn vị"
    words = "\n".join(p.text for p in Document(tmp_path / "o" / REPORT).paragraphs)
    assert "1 đơn vị có số liệu năm 2022 nay không còn trong danh sách đơn vị" in words
    assert "nhưng chưa có báo cáo kỳ này" not in words


def _units_table(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["Mã trường", "Giá trị", "Mã CĐCS"], *[[c, v, u] for u, c, v in rows]])
    return path


def test_a_table_of_a_few_units_is_compared_over_those_units_only(two_years, tmp_path):
    """An office that typed last year's figures of two units only: set beside the whole province they would read
    as growth of hundreds of percent; both periods are counted over those two units, and the headings say so."""
    root, units, spec = two_years["root"], two_years["units"], two_years["spec"]
    few = [units[1].code, units[2].code]
    table = _units_table(tmp_path / "hai-don-vi.csv", [(code, f.code, two_years["last"][code][f.code])
                                                       for code in few for f in spec.numeric_fields])
    _, document, _ = _b(two_years, table, "out-few")
    assert set(document["previous"]) == {"source", "form", "period", "totals"}  # the contract, unchanged
    moved = document["change"]["cbccvcld_tong"]
    assert moved["previous"] == sum(two_years["last"][code]["cbccvcld_tong"] for code in few)
    assert moved["current"] == sum(two_years["this"][code]["cbccvcld_tong"] for code in few)  # +4 at units[1]
    assert moved["delta"] == 4 and abs(moved["percent"]) < 10
    income = document["change"]["thu_nhap_binh_quan"]  # units[2] typed it in thousands: a real fall, weighted
    assert income["current"] < income["previous"]
    assert document["totals"]["cbccvcld_tong"] == sum(v["cbccvcld_tong"] for v in two_years["this"].values())

    book = openpyxl.load_workbook(root / "out-few" / WORKBOOK)
    sheet = book["Tổng hợp"]
    header = [c.value for c in sheet[5]]
    assert header[3:7] == ["Toàn tỉnh", "Năm 2022 (cùng 2 đơn vị)", "Tăng/giảm", "%"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Bảng số liệu năm 2022 chỉ có 2 trong 8 đơn vị") for t in texts)
    total_row = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "Tổng số CBCCVCLĐ")
    shares = [total_row[i] for i, title in enumerate(header) if title == "% so với kỳ trước"]
    assert shares and all(share is None or abs(share) < 0.1 for share in shares)  # each Khối over the same units
    notes = {row[0]: row[2] for row in book["So với năm trước"].iter_rows(values_only=True) if row and row[0]}
    assert notes[units[8].code] == "không có trong bảng số liệu năm 2022"  # left out of the table, not new
    report = Document(root / "out-few" / REPORT)
    words = "\n".join(p.text for p in report.paragraphs)
    assert "Riêng 2 đơn vị có số liệu cả hai kỳ, so với năm 2022, tổng số CBCCVCLĐ tăng 4 người" in words
    assert "Bảng số liệu năm 2022 thiếu 6 đơn vị có báo cáo kỳ này" in words
    assert "chỉ tính trên 2 đơn vị có số liệu cả hai kỳ, không phải mọi đơn vị báo cáo kỳ này" in words
    assert words.count("Bảng số liệu năm 2022 chỉ có 2 trong 8 đơn vị") == 1  # one note, not one per table
    assert any("Năm 2022 (cùng 2 đơn vị)" in cell.text for t in report.tables for cell in t.rows[0].cells)


def test_a_figure_typed_for_some_units_only_is_compared_over_those(two_years, tmp_path):
    """Like-for-like field by field: a unit counts for a figure only where both periods have it."""
    units = two_years["units"]
    a, b = units[1].code, units[2].code
    last = two_years["last"]
    table = _units_table(tmp_path / "mot-phan.csv", [(a, "cbccvcld_tong", last[a]["cbccvcld_tong"]),
                                                     (a, "cbccvcld_nu", last[a]["cbccvcld_nu"]),
                                                     (b, "cbccvcld_nu", last[b]["cbccvcld_nu"])])
    _, document, _ = _b(two_years, table, "out-part")
    this = two_years["this"]
    total = document["change"]["cbccvcld_tong"]
    assert (total["previous"], total["current"]) == (last[a]["cbccvcld_tong"], this[a]["cbccvcld_tong"])
    women = document["change"]["cbccvcld_nu"]
    assert women["previous"] == last[a]["cbccvcld_nu"] + last[b]["cbccvcld_nu"]
    assert women["current"] == this[a]["cbccvcld_nu"] + this[b]["cbccvcld_nu"]
    assert document["change"]["thu_nhap_binh_quan"]["previous"] is None  # typed for nobody: blank, never 0


def test_a_table_whose_codes_match_no_unit_says_so_and_compares_nothing(two_years, tmp_path):
    table = _units_table(tmp_path / "sai-ma.csv", [("1", "cbccvcld_tong", 50), ("2", "cbccvcld_tong", 60)])
    root = two_years["root"]
    _, document, _ = _b(two_years, table, "out-none")
    assert all(moved["previous"] is None and moved["delta"] is None for moved in document["change"].values())
    texts = [c.value for row in openpyxl.load_workbook(root / "out-none" / WORKBOOK)["Tổng hợp"].iter_rows()
             for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Không đơn vị nào trong bảng số liệu năm 2022 có báo cáo kỳ này") for t in texts)
    assert "Năm 2022 (không có đơn vị chung)" in texts
    words = "\n".join(p.text for p in Document(root / "out-none" / REPORT).paragraphs)
    assert "Không so sánh được: không đơn vị nào có số liệu cả hai kỳ" in words and "tính trên 0" not in words


def test_a_table_of_every_unit_and_the_tools_own_workbook_compare_the_province(two_years, tmp_path):
    root, spec = two_years["root"], two_years["spec"]
    this_units = set(two_years["this"])
    table = tmp_path / "moi-don-vi.csv"
    with open(table, "w", encoding="utf-8-sig", newline="") as handle:  # every unit reporting this year
        rows = [["Mã trường", "Giá trị", "Mã CĐCS"]]
        rows += [[f.code, 100, code] for code in sorted(this_units) for f in spec.numeric_fields]
        csv.writer(handle).writerows(rows)
    for previous, outbox in ((table, "out-all"), (root / "out-a" / WORKBOOK, "out-own")):  # own: unit 9 new, 1 gone
        _, document, _ = _b(two_years, previous, outbox)
        assert document["change"]["cbccvcld_tong"]["current"] == document["totals"]["cbccvcld_tong"]
        header = [c.value for c in openpyxl.load_workbook(root / outbox / WORKBOOK)["Tổng hợp"][5]]
        assert header[4] == "Năm 2022"
