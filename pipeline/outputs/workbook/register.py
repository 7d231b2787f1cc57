"""The "Sổ tiếp nhận" sheet: every file received, its state, times, version and digest."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.ledger import STATE_LABELS, received_order
from pipeline.outputs.workbook.common import Book, set_widths
from pipeline.vietnamese import vn_datetime


def write(book: Book, sheet: Worksheet) -> None:
    ledger = book.ledger
    row = book.title(sheet, "SỔ TIẾP NHẬN TỆP", landscape=True)
    widths = (34, 11, 18, 11, 17, 17, 17, 10, 30, 66, 22, 12, 30)
    set_widths(sheet, widths)
    book.header(sheet, row, ["Tệp", "Đơn vị", "Trạng thái", "Kích thước (byte)", "Thời điểm sửa", "Thời điểm nhận",
                             "Lần đầu thấy", "Bản thứ", "Thư điện tử", "Lý do", "SHA-256", "Muộn hạn",
                             "Văn phòng đánh dấu"])
    first = row
    order = _versions(ledger.records)
    for record in ledger.records:
        row += 1
        mail = record.email
        values = [record.relative, record.unit or "", STATE_LABELS[record.state], None,
                  vn_datetime(record.modified), vn_datetime(record.received), vn_datetime(record.first_seen),
                  order.get(id(record), ""), f"{mail.sender} · {mail.subject}" if mail else "",
                  record.reason, record.submission.sha256, "muộn" if record.late else "", record.office_mark]
        book.fit_row(sheet, row, values[:10] + [""] + values[11:], widths)  # the digest stays on one line
        for col, value in enumerate(values):
            if col == 3:
                sheet.write_number(row, col, record.submission.size, book.f["num"])
            else:
                book.text(sheet, row, col, value, "code" if col == 10 else "text")
    sheet.autofilter(first, 0, max(row, first), 12)


def _versions(records) -> dict[int, str]:
    """Which of its unit's versions each read file is, as "2/3", in the order received (by id of the record)."""
    versions: dict[str, list] = {}
    for record in sorted(records, key=received_order):
        if record.unit and record.state in ("accepted", "rejected", "superseded"):
            versions.setdefault(record.unit, []).append(record)
    return {id(r): f"{i}/{len(rs)}" for rs in versions.values() for i, r in enumerate(rs, start=1)}
