"""`consolidate fields --previous-table FILE`: last period's figures as a table ready for the office to fill,
for the first year, when last year exists only on paper."""
from __future__ import annotations

from pathlib import Path

from pipeline.files import atomic_path
from pipeline.form import FormSpec
from pipeline.previous.read import TABLE_CODE, TABLE_UNIT, TABLE_VALUE


def write_previous_table(spec: FormSpec, path: Path) -> Path:
    """Every count and money field, with its label and unit; `Mã CĐCS` left blank means the province figure.
    A .csv is written as UTF-8 with a byte order mark, which Excel opens with the Vietnamese letters intact."""
    path = Path(path)
    header = [TABLE_CODE, "Nội dung", "Đơn vị tính", TABLE_VALUE, TABLE_UNIT]
    rows = [[f.code, f.label, f.unit, None, None] for f in spec.numeric_fields]
    with atomic_path(path) as temporary:
        if path.suffix.lower() == ".csv":
            import csv

            with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle).writerows([header] + [["" if v is None else v for v in row] for row in rows])
        else:
            _write_xlsx(spec, temporary, header, rows)
    return path


def _write_xlsx(spec: FormSpec, path: Path, header: list[str], rows: list[list]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    try:
        sheet = workbook.add_worksheet("Số liệu kỳ trước")
        bold = workbook.add_format({"bold": True, "font_name": "Times New Roman", "bg_color": "#D9E1F2", "border": 1})
        text = workbook.add_format({"font_name": "Times New Roman", "border": 1})
        entry = workbook.add_format({"font_name": "Times New Roman", "border": 1, "bg_color": "#FFF2CC",
                                     "num_format": "#,##0"})
        for col, (title, width) in enumerate(zip(header, (24, 60, 16, 18, 14))):
            sheet.write_string(0, col, title, bold)
            sheet.set_column(col, col, width)
        for row, (code, label, unit, _, _) in enumerate(rows, start=1):
            sheet.write_string(row, 0, code, text)
            sheet.write_string(row, 1, label, text)
            sheet.write_string(row, 2, unit, text)
            sheet.write_blank(row, 3, None, entry)
            sheet.write_blank(row, 4, None, text)
        sheet.freeze_panes(1, 0)
        sheet.write_string(len(rows) + 2, 0, f"Điền số toàn tỉnh của kỳ trước vào cột \"{TABLE_VALUE}\" ({spec.title}). "
                                             f"Muốn so sánh từng đơn vị: thêm dòng cùng mã trường, ghi mã đơn vị ở cột "
                                             f"\"{TABLE_UNIT}\". Để trống nếu kỳ trước không có số liệu đó.")
    finally:
        workbook.close()
