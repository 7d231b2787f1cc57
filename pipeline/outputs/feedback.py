"""Feedback for units: a copy of each faulty workbook with the cells marked, and a chase list for a mail merge."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from pipeline.files import atomic_path
from pipeline.ledger import FileRecord

FEEDBACK_DIR = "phan-hoi"
CHASE_LIST = "don-vi-chua-nop-hoac-muon.xlsx"
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
LIST_SHEET = "Danh sách lỗi"
FONT = "Times New Roman"


def feedback_name(record: FileRecord) -> str:
    stem = re.sub(r"[^0-9A-Za-z._-]+", "_", Path(record.relative).stem).strip("._") or "tep"
    code = re.sub(r"[^0-9A-Za-z._-]+", "_", record.unit or "khong-ro-ma")
    return f"{code}-{stem}.xlsx"


def write_feedback(result, outbox: Path) -> list[Path]:
    """One marked copy per unit file with problems (its newest file), and the chase list; returns paths written."""
    folder = outbox / FEEDBACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    keep: set[str] = set()
    for record in result.ledger.records:
        if record.status not in ("accepted", "rejected") or not record.problems:
            continue
        target = folder / feedback_name(record)
        with atomic_path(target) as temporary:
            _marked_copy(record, temporary)
        written.append(target)
        keep.add(target.name)
    for stale in folder.glob("*.xlsx"):
        if stale.name not in keep:  # a unit that fixed its file no longer gets last run's feedback
            stale.unlink(missing_ok=True)
    chase = outbox / CHASE_LIST
    with atomic_path(chase) as temporary:
        _chase_list(result, temporary)
    written.append(chase)
    return written


def _marked_copy(record: FileRecord, target: Path) -> None:
    """The unit's own workbook when it can be opened, else a workbook holding just the list of problems."""
    workbook = None
    if record.submission.kind in ("xlsx", "xlsm") and record.submission.outcome == "read":
        try:
            workbook = openpyxl.load_workbook(record.submission.path)
        except Exception:  # the list alone still tells the unit what to fix
            workbook = None
    if workbook is None:
        workbook = openpyxl.Workbook()
        workbook.active.title = LIST_SHEET
    else:
        _mark_cells(workbook, record)
    _problem_sheet(workbook, record)
    workbook.save(target)


def _mark_cells(workbook, record: FileRecord) -> None:
    for problem in record.problems:
        if not problem.sheet or problem.sheet not in workbook.sheetnames or not problem.cell:
            continue
        sheet = workbook[problem.sheet]
        for ref in (problem.cell, *problem.related):
            cell = sheet[ref]
            cell.fill = ERROR_FILL if problem.is_error else WARNING_FILL
            label = "LỖI" if problem.is_error else "CẢNH BÁO"
            text = f"{label}: {problem.message}"
            if cell.comment is not None:
                text = f"{cell.comment.text}\n\n{text}"
            cell.comment = Comment(text[:30000], "consolidate", width=360, height=180)


def _problem_sheet(workbook, record: FileRecord) -> None:
    sheet = workbook[LIST_SHEET] if LIST_SHEET in workbook.sheetnames else workbook.create_sheet(LIST_SHEET, 0)
    workbook.active = workbook.sheetnames.index(LIST_SHEET)
    for other in workbook.worksheets:
        other.sheet_view.tabSelected = other.title == LIST_SHEET
    errors = sum(p.is_error for p in record.problems)
    sheet["A1"] = f"Phản hồi về tệp {record.relative}"
    sheet["A1"].font = Font(name=FONT, bold=True, size=14)
    sheet["A2"] = (f"Có {errors} lỗi cần sửa và {len(record.problems) - errors} cảnh báo cần xem lại. Các ô có vấn đề "
                   "được tô màu (đỏ: lỗi, vàng: cảnh báo) và có ghi chú. Sửa trong tệp gốc của đơn vị rồi gửi lại.")
    sheet["A2"].font = Font(name=FONT, italic=True)
    for col, title in enumerate(("Mức độ", "Trang", "Ô", "Nội dung"), start=1):
        sheet.cell(4, col, title).font = Font(name=FONT, bold=True)
    for row, problem in enumerate(record.problems, start=5):
        values = ("Lỗi" if problem.is_error else "Cảnh báo", problem.sheet or "",
                  ", ".join(filter(None, (problem.cell, *problem.related))), problem.message)
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row, col, value)
            cell.data_type = "s"  # a message quoting a unit's "=..." text must stay text here too
            cell.font = Font(name=FONT, bold=col == 1 and problem.is_error, color="C00000" if problem.is_error else None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (10, 12, 14, 100)):
        sheet.column_dimensions[letter].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _chase_list(result, target: Path) -> None:
    """Units missing or late, with email and phone: columns named for a mail merge."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Cần nhắc"
    sheet.append(["Mã CĐCS", "Tên CĐCS", "Khối", "Tình trạng", "Email", "Điện thoại", "Ghi chú"])
    for status in result.ledger.units:
        if status.state not in ("missing", "late", "rejected"):
            continue
        note = {"missing": "Chưa gửi báo cáo", "late": "Gửi sau hạn",
                "rejected": "Tệp có lỗi, cần sửa và gửi lại (xem thư mục phan-hoi)"}[status.state]
        sheet.append([status.unit.code, status.unit.name, status.unit.group, status.label, status.unit.email,
                      status.unit.phone, note])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    for letter, width in zip("ABCDEFG", (11, 36, 16, 12, 28, 14, 50)):
        sheet.column_dimensions[letter].width = width
    workbook.save(target)
