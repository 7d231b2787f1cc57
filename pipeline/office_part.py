"""The office's own part of the report: a workbook the office fills itself (`consolidate template --office-part`),
with a text cell per section of the form for what the office directed, did and plans, and the figures of its
own the spec declares ([[office_fields]]: awards by level, new unions, next year's targets). The draft puts its
text first in each section, before what the units say, and its figures in tables (outputs/report.py).

The sheet is protected: the office types only into the yellow cells. Rows are found by the key in column A
(hidden), never by position, so a later version of the form that adds a section still reads an older file."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.form import FormSpec
from pipeline.intake.numbers import parse_vietnamese_number
from pipeline.ooxml import column_letter
from pipeline.tables import cell_text
from pipeline.vietnamese import vn_number

SHEET = "Phần văn phòng"
TEXT_KEY = "text:"  # column A of a section's text row: "text:II.1"
FORM_KEY = "form:"  # cell A1: "form:bao-cao-cd-2023"
KEY, LABEL, VALUE, UNIT = 0, 1, 2, 3  # columns
TEXT_HEIGHT = 120  # points: a few paragraphs visible; the row grows when the office drags it


def office_part_name(spec: FormSpec) -> str:
    return f"phan-van-phong-{spec.id}.xlsx"


class OfficePartError(ValueError):
    """An office part that cannot be used at all (not a workbook, another form's): the message names the file."""


@dataclass(frozen=True)
class OfficePart:
    """What the office wrote in its part: texts by section code, figures by office field code."""

    source: Path
    sha256: str
    texts: dict[str, str] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # cells not understood, each naming file, sheet and cell

    def as_json(self) -> dict:
        return {"path": str(self.source), "sections": sorted(self.texts), "figures": self.figures,
                "notes": list(self.notes)}


def office_label(spec: FormSpec, field) -> str:
    """An office figure's label with "cấp mình" (the office filling it in) named: "Công đoàn Viên chức tỉnh Thanh
    Hóa tặng giấy khen: tập thể"."""
    return field.label.replace("Cấp mình", spec.office).replace("cấp mình", spec.office)


def sections_for(spec: FormSpec):
    """The sections the office writes for: every section of the report (the unit's identity block is not one)."""
    return [s for s in spec.sections if s.code != spec.unit_section]


def text_label(spec: FormSpec, section) -> str:
    in_plans = spec.plans_section is not None and spec.plans_section in (section.code, section.parent)
    return ("Nhiệm vụ, giải pháp, chỉ tiêu của văn phòng" if in_plans
            else "Văn phòng đã chỉ đạo, thực hiện, đánh giá chung")


def build_office_part(spec: FormSpec, texts: dict[str, str] | None = None,
                      figures: dict[str, float] | None = None) -> bytes:
    """The office part as .xlsx bytes (XlsxWriter): blank, or filled with `texts` and `figures` (the demo's)."""
    texts, figures = texts or {}, figures or {}
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    # A fixed date, so the same spec gives the same bytes (the committed file is checked against it).
    book.set_properties({"title": f"Phần của văn phòng - {spec.short_title}",
                         "created": dt.datetime.combine(spec.deadline, dt.time())})
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top", "text_wrap": True}
    style = {name: book.add_format({**base, **extra}) for name, extra in {
        "title": {"bold": True, "font_size": 14, "text_wrap": False},
        "note": {"italic": True, "font_color": "#444444"},
        "head": {"bold": True, "bg_color": "#D9E1F2", "border": 1},
        "section": {"bold": True, "bg_color": "#EDEDED", "border": 1},
        "label": {"border": 1},
        "text": {"locked": False, "bg_color": "#FFF2CC", "border": 1},
        "number": {"locked": False, "bg_color": "#FFF2CC", "border": 1, "num_format": "#,##0.##",
                   "text_wrap": False},
    }.items()}
    sheet = book.add_worksheet(SHEET)
    sheet.set_column(KEY, KEY, 14, None, {"hidden": True})
    sheet.set_column(LABEL, LABEL, 42)
    sheet.set_column(VALUE, VALUE, 80)
    sheet.set_column(UNIT, UNIT, 12)
    sheet.write(0, KEY, FORM_KEY + spec.id)
    sheet.write(0, LABEL, f"PHẦN CỦA VĂN PHÒNG — {spec.short_title.upper()}", style["title"])
    sheet.merge_range(1, LABEL, 1, UNIT, (
        f"Văn phòng ghi vào các ô màu vàng: ở mỗi mục, những việc {spec.office} đã chỉ đạo, thực hiện và đánh giá "
        "chung (ở mục nhiệm vụ năm sau: nhiệm vụ, giải pháp và chỉ tiêu của văn phòng), cùng các số liệu của riêng "
        "văn phòng. Ô nào không có thì để trống. Xuống dòng trong ô: Alt+Enter. Lưu tệp này cạnh thư mục inbox "
        f"(tên {office_part_name(spec)}) rồi chạy consolidate: nội dung được đặt lên đầu từng mục của dự thảo "
        "báo cáo, trước phần tổng hợp từ các CĐCS."), style["note"])
    sheet.set_row(1, 78)
    row = 2
    for column, text in ((LABEL, "Mục / chỉ tiêu"), (VALUE, "Văn phòng ghi"), (UNIT, "Đơn vị tính")):
        sheet.write(row, column, text, style["head"])
    for section in sections_for(spec):
        row += 1
        sheet.write(row, LABEL, section.heading, style["section"])
        sheet.write_blank(row, VALUE, None, style["section"])
        sheet.write_blank(row, UNIT, None, style["section"])
        row += 1
        sheet.write(row, KEY, TEXT_KEY + section.code)
        sheet.write(row, LABEL, text_label(spec, section), style["label"])
        sheet.write(row, VALUE, texts.get(section.code, ""), style["text"])
        sheet.write_blank(row, UNIT, None, style["label"])
        sheet.set_row(row, TEXT_HEIGHT)
        for office_field in spec.office_fields_in(section.code):
            row += 1
            sheet.write(row, KEY, office_field.code)
            sheet.write(row, LABEL, office_label(spec, office_field), style["label"])
            sheet.write(row, VALUE, figures.get(office_field.code, ""), style["number"])
            sheet.write(row, UNIT, "%" if office_field.kind == "percent" else office_field.unit, style["label"])
            sheet.data_validation(row, VALUE, row, VALUE, {
                "validate": "decimal", "criteria": "between", "minimum": 0,
                "maximum": 100 if office_field.kind == "percent" else 1e15,
                "input_title": office_field.label[:32], "input_message": (office_field.hint or
                                                                          "Ghi một số, ví dụ 12.")[:255],
                "error_title": "Chỉ ghi số", "error_message": "Ghi một số không âm (tỷ lệ: từ 0 đến 100)."})
    sheet.freeze_panes(3, 0)
    sheet.protect("", {"format_rows": True, "format_columns": True})
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    book.close()
    return buffer.getvalue()


def write_office_part(spec: FormSpec, folder: Path) -> Path:
    """The blank office part in `folder`, replacing one there only if it is still blank (never the office's text)."""
    from pipeline.files import atomic_write_bytes

    path = Path(folder) / office_part_name(spec)
    if path.exists() and not _blank(spec, path):
        raise OfficePartError(f"Tệp '{path}' đã có nội dung văn phòng ghi: không ghi đè. Đổi tên hoặc chuyển tệp "
                              "đó đi nếu muốn tạo bản trắng mới.")
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, build_office_part(spec))
    return path


def _blank(spec: FormSpec, path: Path) -> bool:
    try:
        part = read_office_part(spec, path)
    except OfficePartError:
        return False
    return not part.texts and not part.figures


def find_office_part(spec: FormSpec, inbox: Path) -> Path | None:
    """The office part beside the inbox, or in the templates folder beside it (where `template --office-part`
    writes it), in that order."""
    parent = Path(inbox).resolve().parent
    for candidate in (parent / office_part_name(spec), parent / "templates" / office_part_name(spec)):
        if candidate.is_file():
            return candidate
    return None


def read_office_part(spec: FormSpec, path: Path) -> OfficePart:
    """The office's texts and figures. A file that is not this form's office part is an OfficePartError; a figure
    that is not a number is left out with a note naming its cell."""
    from python_calamine import CalamineWorkbook

    from pipeline.tables import TableError, reading

    path = Path(path)
    try:
        data = path.read_bytes()
        with reading(path):
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            if SHEET not in book.sheet_names:
                raise OfficePartError(f"Tệp phần văn phòng '{path}' không có trang \"{SHEET}\": hãy dùng tệp tạo bằng "
                                      "consolidate template --office-part.")
            rows = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    except (OSError, TableError) as exc:
        raise OfficePartError(f"Không đọc được tệp phần văn phòng '{path}': {exc}.") from exc
    form = str(rows[0][KEY]) if rows and rows[0] else ""
    if form != FORM_KEY + spec.id:
        raise OfficePartError(f"Tệp phần văn phòng '{path}' là của mẫu '{form.removeprefix(FORM_KEY) or '?'}', không "
                              f"phải mẫu '{spec.id}': hãy tạo bằng consolidate template --office-part --form {spec.id}.")
    return _parsed(spec, path, hashlib.sha256(data).hexdigest(), rows)


def _parsed(spec: FormSpec, path: Path, sha256: str, rows: list[list]) -> OfficePart:
    codes = {f.code: f for f in spec.office_fields}
    sections = {s.code for s in sections_for(spec)}
    texts: dict[str, str] = {}
    figures: dict[str, float] = {}
    notes = []
    for index, row in enumerate(rows):
        key = str(row[KEY]).strip() if len(row) > KEY else ""
        value = row[VALUE] if len(row) > VALUE else ""
        cell = f"tệp {path.name}, trang \"{SHEET}\", ô {column_letter(VALUE)}{index + 1}"
        if key.startswith(TEXT_KEY) and key[len(TEXT_KEY):] in sections:
            text = _text(value)
            if text:
                texts[key[len(TEXT_KEY):]] = text
        elif key in codes and value not in ("", None):
            number = _number(value)
            if (codes[key].kind == "percent" and isinstance(value, float) and number is not None and number <= 1
                    and _shown_as_percent(path, index)):
                number *= 100  # "85%" typed in Excel is stored as 0.85 under a percent format
            if number is None:
                notes.append(f"Phần văn phòng, {cell} ({codes[key].label}): \"{value}\" không phải một số, "
                             "chưa đưa vào báo cáo.")
            elif codes[key].kind == "percent" and not 0 <= number <= 100:
                notes.append(f"Phần văn phòng, {cell} ({codes[key].label}): tỷ lệ {vn_number(number, 0 if number.is_integer() else 1)} nằm ngoài 0–100, "
                             "chưa đưa vào báo cáo.")
            else:
                figures[key] = number
    return OfficePart(path, sha256, texts, figures, tuple(notes))


def _shown_as_percent(path: Path, index: int) -> bool:
    """Whether the value cell of row `index` has a percent format (a typed "85%"), not the part's own "1" for 1 %:
    asked of openpyxl (calamine gives values, not formats), and only for a fraction in a percent figure."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return "%" in (book[SHEET].cell(row=index + 1, column=VALUE + 1).number_format or "")
    finally:
        book.close()


def _text(value) -> str:
    text = cell_text(value)  # a number typed in a text cell reads as typed ("2023", not "2023.0")
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) and value >= 0 else None
    text = str(value).strip().removesuffix("%").strip()
    number = parse_vietnamese_number(text)
    return float(number) if number is not None and number >= 0 else None
