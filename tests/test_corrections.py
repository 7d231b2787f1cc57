"""Issue 24, point 4: the office corrects the grouping in "Phân nhóm câu", and the correction lasts (workbook,
register), moving the point in JSON `themes`, in the workbook's sheets and in the Word draft."""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.narratives.corrections import Correction, apply_corrections
from pipeline.narratives.themes import Group
from tests.helpers import run_json

SHEET, CHOSEN = "Phân nhóm câu", "Nhóm do văn phòng chọn"
WORKBOOK = "tong-hop-bao-cao-cd-2023.xlsx"
FUNDS = "Đề nghị tăng kinh phí hỗ trợ hoạt động công đoàn cơ sở."
HALL = "Kiến nghị sửa chữa nhà văn hóa của cơ quan."
TRAINING = "Kiến nghị tổ chức tập huấn nghiệp vụ cho cán bộ công đoàn cơ sở."


@pytest.fixture()
def office(tmp_path, write_submission):
    """Three units' recommendations: CD001 and CD002 ask for funds, CD001 for its hall, CD003 for training."""
    write_submission("a.xlsx", "CD001", tm_V=f"{FUNDS} {HALL}")
    write_submission("b.xlsx", "CD002", tm_V=FUNDS)
    write_submission("c.xlsx", "CD003", tm_V=TRAINING)
    return tmp_path / "inbox", tmp_path / "outbox"


def run(office) -> dict:
    code, document = run_json(*office)
    assert code == 0, document
    return document


def summary(office) -> str:
    inbox, outbox = office
    result = CliRunner().invoke(cli, ["--inbox", str(inbox), "--outbox", str(outbox)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.stdout


def group_of(document: dict, unit: str, text: str, field: str = "tm_V") -> dict:
    return next(g for g in document["themes"][field]
                if any(s["unit"] == unit and s["text"] == text for s in g["sentences"]))


def sheet_rows(outbox) -> tuple[int, list[tuple[int, tuple]]]:
    """The header row's number and every row below it, with its number (as Excel numbers rows)."""
    book = openpyxl.load_workbook(outbox / WORKBOOK, read_only=True)
    rows = list(book[SHEET].iter_rows(values_only=True))
    book.close()
    header = next(at for at, row in enumerate(rows) if row and row[0] == "Mục")
    return header + 1, [(header + 2 + at, row) for at, row in enumerate(rows[header + 1:])]


def type_in(outbox, unit: str, text: str, value, field_label: str = "V. Kiến nghị, đề xuất") -> int:
    """Type `value` in the yellow column of the point's row, as staff would; returns the row's number."""
    _, rows = sheet_rows(outbox)
    number = next(at for at, row in rows if row[0] == field_label and row[1] == unit and row[3] == text)
    book = openpyxl.load_workbook(outbox / WORKBOOK)
    book[SHEET].cell(number, 7).value = value
    book.save(outbox / WORKBOOK)
    return number


def number_of(outbox, label: str, field_label: str = "V. Kiến nghị, đề xuất") -> int:
    _, rows = sheet_rows(outbox)
    return next(row[4] for _, row in rows if row[0] == field_label and row[5] == label)


def groups_sheet(outbox) -> list[tuple]:
    book = openpyxl.load_workbook(outbox / WORKBOOK, read_only=True)
    rows = [row for row in book["Nhóm ý kiến"].iter_rows(values_only=True) if row and row[0]]
    book.close()
    return rows


def test_the_sheet_lists_every_point_with_its_group_and_an_empty_yellow_column(office):
    document = run(office)
    header, rows = sheet_rows(office[1])
    book = openpyxl.load_workbook(office[1] / WORKBOOK)
    sheet = book[SHEET]
    assert [c.value for c in sheet[header]] == ["Mục", "Mã CĐCS", "Đơn vị", "Ý", "Nhóm", "Tên nhóm", CHOSEN]
    assert "gõ “riêng”" in sheet.cell(header - 1, 1).value and sheet.cell(header - 1, 1).font.i
    assert sheet.cell(header + 1, 7).fill.fgColor.rgb.endswith("FFFF99")
    assert sheet.freeze_panes == f"A{header + 1}" and sheet.auto_filter.ref
    assert book.sheetnames.index(SHEET) == book.sheetnames.index("Nhóm ý kiến") + 1
    points = [row for _, row in rows if row[1]]
    labels = {f.code: f.label for f in _spec().narrative_fields}
    expected = [(labels[code], s["unit"], s["text"], number, g["label"])
                for code, groups in document["themes"].items()
                for number, g in enumerate(groups, start=1) for s in g["sentences"]]
    assert [tuple(row[:2]) + (row[3], row[4], row[5]) for row in points] == expected
    assert all(row[6] is None for row in points)


def _spec():
    from pipeline.form import load_spec

    return load_spec()


def test_a_group_number_typed_moves_the_point_and_the_correction_lasts(office):
    inbox, outbox = office
    first = run(office)
    funds = group_of(first, "CD001", FUNDS)
    assert group_of(first, "CD003", TRAINING)["label"] != funds["label"]
    type_in(outbox, "CD003", TRAINING, number_of(outbox, funds["label"]))

    said = summary(office)
    assert "Đã áp dụng 1 chỉnh sửa phân nhóm của văn phòng" in said
    document = run(office)
    moved = group_of(document, "CD003", TRAINING)
    assert moved["label"] == funds["label"] and moved["units"] == ["CD001", "CD002", "CD003"]
    assert sum(len(g["sentences"]) for g in document["themes"]["tm_V"]) == 4  # no point lost nor doubled
    assert document["notes"] == []
    row = next(r for r in groups_sheet(outbox) if str(r[1]).endswith(funds["label"]))
    assert row[2] == 3 and "Công đoàn Trường CD003" in row[3]
    # the yellow cell shows the correction in force: the number of the group the point is in now
    _, rows = sheet_rows(outbox)
    shown = next(row for _, row in rows if row[1] == "CD003" and row[3] == TRAINING)
    assert shown[6] == shown[4] == number_of(outbox, funds["label"])
    # kept in the register: the workbook deleted, the next run applies it still
    (outbox / WORKBOOK).unlink()
    again = run(office)
    assert group_of(again, "CD003", TRAINING)["label"] == funds["label"]
    from docx import Document

    report = [p.text for p in Document(outbox / "bao-cao-tong-hop-bao-cao-cd-2023.docx").paragraphs]
    # the Word draft: the point is drafted with the group it was moved to, not on its own
    assert any(t.startswith(f"– {FUNDS.rstrip('.')}") and "CD003" in t for t in report)
    assert not any(t.startswith(f"– {TRAINING.rstrip('.')}") for t in report)


def test_a_new_label_and_riêng_make_new_groups_and_an_emptied_cell_withdraws(office):
    inbox, outbox = office
    first = run(office)
    assert len(group_of(first, "CD002", FUNDS)["sentences"]) == 2
    type_in(outbox, "CD001", HALL, "Cơ sở vật chất  của cơ quan ")
    type_in(outbox, "CD002", FUNDS, "Riêng")
    document = run(office)
    named = group_of(document, "CD001", HALL)
    assert named["label"] == "Cơ sở vật chất của cơ quan" and named["units"] == ["CD001"]
    alone = group_of(document, "CD002", FUNDS)
    assert alone["units"] == ["CD002"] and len(alone["sentences"]) == 1
    assert group_of(document, "CD001", FUNDS)["units"] == ["CD001"]
    _, rows = sheet_rows(outbox)
    chosen = {(row[1], row[3]): row[6] for _, row in rows if row[0] == "V. Kiến nghị, đề xuất"}
    assert chosen[("CD001", HALL)] == "Cơ sở vật chất của cơ quan" and chosen[("CD002", FUNDS)] == "riêng"
    # the office empties a cell: that correction is withdrawn, in the register too
    type_in(outbox, "CD002", FUNDS, None)
    run(office)
    (outbox / WORKBOOK).unlink()
    later = run(office)
    assert group_of(later, "CD002", FUNDS)["units"] == ["CD001", "CD002"]
    assert group_of(later, "CD001", HALL)["label"] == "Cơ sở vật chất của cơ quan"


def test_a_correction_whose_point_is_gone_is_reported_not_dropped(office, write_submission):
    inbox, outbox = office
    run(office)
    type_in(outbox, "CD001", HALL, "riêng")
    run(office)
    write_submission("a.xlsx", "CD001", tm_V=f"{FUNDS} Kiến nghị xây mới nhà văn hóa.")  # the unit rewrote it
    said = summary(office)
    assert "Đã áp dụng 0 chỉnh sửa phân nhóm của văn phòng" in said
    assert "1 chỉnh sửa không còn áp dụng được" in said and "CD001" in said
    _, rows = sheet_rows(outbox)
    gone = [row for _, row in rows if row[1] == "CD001" and row[3] == HALL]
    assert gone and gone[0][5] == "(ý này không còn trong báo cáo của đơn vị)" and gone[0][6] == "riêng"
    # the workbook deleted, the register still reports it
    (outbox / WORKBOOK).unlink()
    assert "1 chỉnh sửa không còn áp dụng được" in summary(office)


def test_a_value_that_means_nothing_is_reported_naming_its_row(office):
    inbox, outbox = office
    before = run(office)
    row = type_in(outbox, "CD003", TRAINING, 99)
    other = type_in(outbox, "CD002", FUNDS, 2.5)
    said = summary(office)
    assert f"dòng {row}" in said and "không có nhóm số 99" in said
    assert f"dòng {other}" in said
    after = run(office)
    assert after["themes"] == before["themes"] and after["notes"] == []


def test_two_runs_without_corrections_group_alike(office):
    first, second = run(office), run(office)
    assert first["themes"] == second["themes"]
    assert "chỉnh sửa phân nhóm" not in summary(office)


def test_a_damaged_workbook_is_a_note_not_a_failed_run(office):
    inbox, outbox = office
    run(office)
    (outbox / WORKBOOK).write_bytes(b"PK\x03\x04 not a workbook")
    said = summary(office)
    assert "Không đọc được bảng tổng hợp cũ" in said


def test_apply_corrections_returns_new_groups_largest_first_and_leaves_the_given_alone():
    a = Group("f", None, [("U1", "A", "Một ý."), ("U2", "B", "Một ý.")])
    b = Group("f", None, [("U3", "C", "Ý khác.")])
    themes = {"f": [a, b]}
    moved, applied, missing = apply_corrections(themes, [
        Correction("f", "U3", "Ý  khác.", ("group", "Một ý.")),
        Correction("f", "U9", "Không có.", ("alone",))])
    assert applied == 1 and [c.unit for c in missing] == ["U9"]
    assert [len(g.sentences) for g in moved["f"]] == [3]
    assert themes["f"] == [a, b] and len(a.sentences) == 2 and len(b.sentences) == 1
    named, applied, _ = apply_corrections(themes, [Correction("f", "U1", "Một ý.", ("new", "Nhóm mới"))])
    assert applied == 1 and [g.label for g in named["f"]] == ["Một ý.", "Nhóm mới", "Ý khác."]


def test_a_register_made_before_corrections_were_kept_is_read_and_gains_them(office):
    import sqlite3

    inbox, outbox = office
    first = run(office)
    with sqlite3.connect(outbox / "so-tiep-nhan.sqlite") as db:
        db.execute("DROP TABLE corrections")
    type_in(outbox, "CD001", HALL, number_of(outbox, group_of(first, "CD003", TRAINING)["label"]))
    document = run(office)
    assert document["notes"] == [] and len(document["since_last_run"]["new_files"]) == 0  # its history kept
    assert group_of(document, "CD001", HALL)["units"] == ["CD001", "CD003"]
    (outbox / WORKBOOK).unlink()
    assert group_of(run(office), "CD001", HALL)["units"] == ["CD001", "CD003"]
