"""The "Thay đổi" sheet: what changed since the last run, new and removed files, units whose state moved."""
from __future__ import annotations

import datetime as dt

from xlsxwriter.worksheet import Worksheet

from pipeline.ledger import UNIT_LABELS
from pipeline.outputs.workbook.common import Book, set_widths
from pipeline.register import VIETNAM


def write(book: Book, sheet: Worksheet) -> None:
    """What changed since the last run: new and removed files, units whose state moved."""
    since = book.consolidation.since
    when = since.get("previous_run")
    row = book.title(sheet, _title(when), landscape=False)
    set_widths(sheet, (22, 60, 20, 20))
    book.header(sheet, row, ["Thay đổi", "Tệp hoặc đơn vị", "Trước", "Nay"])
    names = book.unit_names()
    lines = ([("Tệp mới hoặc đã sửa", path, "", "") for path in since.get("new_files", [])]
             + [("Tệp không còn trong hộp thư", path, "", "") for path in since.get("removed_files", [])]
             + [("Đơn vị đổi tình trạng", f"{c['unit']} {names.get(c['unit'], '')}".strip(),
                 UNIT_LABELS.get(c["from"], c["from"]), UNIT_LABELS.get(c["to"], c["to"]))
                for c in since.get("units_changed", [])])
    for values in lines:
        row += 1
        for col, value in enumerate(values):
            book.text(sheet, row, col, value)
    if when and not lines:
        book.text(sheet, row + 1, 0, "Không có thay đổi nào: hộp thư và tình trạng các đơn vị như lần chạy trước.",
                  "note")


def _title(when: str | None) -> str:
    """The sheet's title: since when, in Vietnam's time, or that this is the outbox's first run."""
    if not when:
        return "THAY ĐỔI: ĐÂY LÀ LẦN CHẠY ĐẦU TIÊN VỚI THƯ MỤC KẾT QUẢ NÀY"
    moment = dt.datetime.fromisoformat(when)
    moment = moment.astimezone(VIETNAM) if moment.tzinfo else moment
    return f"THAY ĐỔI TỪ LẦN CHẠY TRƯỚC (LÚC {moment:%H:%M} NGÀY {moment:%d/%m/%Y})"
