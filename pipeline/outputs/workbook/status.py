"""The "Tình hình nộp" sheet: each unit's state against the deadline, and a pie chart of the states."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.intake.rollup import ROLLUP
from pipeline.ledger import UNIT_LABELS
from pipeline.outputs.workbook.common import FONT, Book, set_widths
from pipeline.outputs.workbook.sheets import STATUS
from pipeline.vietnamese import vn_datetime


def write(book: Book, sheet: Worksheet) -> None:
    ledger = book.ledger
    row = book.title(sheet, "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ", landscape=True)
    deadline = ledger.deadline.strftime("%d/%m/%Y")
    against = ("Đối chiếu với danh sách đơn vị." if ledger.roster_given
               else "Không có danh sách đơn vị: chỉ liệt kê các đơn vị đã gửi.")
    sheet.write_string(3, 0, f"Hạn nộp: {deadline}. {against}", book.f["note"])
    widths = (11, 46, 18, 12, 40, 17, 30, 14)
    set_widths(sheet, widths)
    book.header(sheet, row, ["Mã CĐCS", "Tên CĐCS", "Khối", "Tình trạng", "Tệp", "Thời điểm nhận", "Email",
                             "Điện thoại"])
    first = row + 1
    counts = {state: 0 for state in UNIT_LABELS}
    for status in ledger.units:
        row += 1
        counts[status.state] += 1
        unit, record = status.unit, status.record
        values = [unit.code, unit.name, unit.group, status.label, _file(record),
                  vn_datetime(record.modified) if record else "", unit.email, unit.phone]
        book.fit_row(sheet, row, values[:5], widths)  # an email or a phone number is one word: never wrapped
        for col, value in enumerate(values):
            book.text(sheet, row, col, value, "state_" + status.state if col == 3 else "text")
    sheet.autofilter(first - 1, 0, max(row, first - 1), 7)
    _chart(book, sheet, counts, row + 2)


def _file(record) -> str:
    """The file that stands for the unit; a sub-office's roll-up says how many of its own units reported."""
    if record is None:
        return ""
    rollup = record.submission.rollup if record.submission.kind == ROLLUP else None
    if not rollup or not record.parts:
        return record.relative
    return f"{record.relative} (bảng tổng hợp: {rollup.get('reported')}/{rollup.get('expected')} CĐCS đã báo cáo)"


def _chart(book: Book, sheet: Worksheet, counts: dict[str, int], top: int) -> None:
    """The chart's data sits below the list: constant_memory mode writes rows in order only."""
    sheet.write_string(top, 1, "Tình trạng (số liệu của biểu đồ)", book.f["header"])
    sheet.write_string(top, 2, "Số đơn vị", book.f["header"])
    for offset, (state, label) in enumerate(UNIT_LABELS.items(), start=1):
        sheet.write_string(top + offset, 1, label, book.f["text"])
        sheet.write_number(top + offset, 2, counts[state], book.f["num"])
    chart = book.workbook.add_chart({"type": "pie"})
    chart.add_series({"name": "Tình hình nộp báo cáo", "categories": [STATUS, top + 1, 1, top + 4, 1],
                      "values": [STATUS, top + 1, 2, top + 4, 2],
                      "data_labels": {"value": True, "percentage": True, "category": True, "separator": "\n",
                                      "font": {"name": FONT}},
                      "points": [{"fill": {"color": c}} for c in ("#70AD47", "#FFC000", "#C00000", "#A5A5A5")]})
    chart.set_title({"name": "Tình hình nộp báo cáo", "name_font": {"name": FONT, "size": 12}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT}})
    sheet.insert_chart(3, 9, chart)  # beside the list, where the eye lands; the data stays below
