"""Build the template workbook of a form with XlsxWriter: names, validation, live checks, protection."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline.form import FieldSpec, FormSpec, RuleSpec
from pipeline.ooxml import column_letter
from pipeline.template import guide
from pipeline.template.layout import (
    COL_CHECK,
    COL_LABEL,
    COL_NUMBER,
    COL_TEXT,
    COL_UNIT,
    COL_VALUE,
    FIGURES_FIRST_ROW,
    NAME_FORM_ID,
    NAME_FORM_VERSION,
    NAME_UNIT_CODE,
    NARRATIVE_TITLE,
    SHEET_FIGURES,
    SHEET_GUIDE,
    SHEET_IDENTITY,
    SHEET_NARRATIVE,
    SUBTITLE_ROW,
    TITLE_ROW,
    TemplateLayout,
    layout_for,
)
from pipeline.template.styles import page_setup, template_formats

# A narrative cell is one row (intake reads it by its name), so the row is what must hold a long section. It is
# written with a height but as an automatic one (no customHeight, see _auto_heights): Excel and LibreOffice fit the
# row to what the unit types or pastes (a short section prints short, a long one grows; Excel stops at 409 pt,
# its tallest row), while a file written by a program, which no application re-fits on opening, keeps this
# height. Leaving the row without a height would not do: LibreOffice shows such a row one line high when it
# opens a file it did not fill itself. The height holds a long real section whole: the 2,054 characters in six
# paragraphs of tests/test_template_print.py, at 12 pt, printed whole from 252 pt in LibreOffice with Times New
# Roman's metrics (Liberation Serif) and from 318 pt with DejaVu Serif, its wider fallback where Times is missing.
NARRATIVE_HEIGHT = 340
CHECK_FAIL_MARK = "✗"


@dataclass(frozen=True)
class UnitCopy:
    """The roster unit a per-unit copy is prefilled for."""

    code: str
    name: str


def build_template(spec: FormSpec, unit: UnitCopy | None = None) -> bytes:
    """The template as .xlsx bytes: blank, or prefilled and locked for one roster unit."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    builder = _Builder(workbook, spec, unit)
    builder.build()
    workbook.close()
    return _finish_parts(buffer.getvalue(), builder.auto_height_rows)


def _finish_parts(xlsx: bytes, auto_height_rows: dict[int, list[int]]) -> bytes:
    """What XlsxWriter cannot write, edited into the parts: the workbook structure protected (no sheet added,
    renamed or deleted), and the heights of `auto_height_rows` (0-based rows by sheet index) made automatic."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    sheet_parts = {f"xl/worksheets/sheet{index + 1}.xml": rows for index, rows in auto_height_rows.items()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"<bookViews>", b'<workbookProtection lockStructure="1"/><bookViews>', 1)
            elif item.filename in sheet_parts:
                data = _auto_heights(data, sheet_parts[item.filename])
            target.writestr(item, data)
    return out.getvalue()


def _auto_heights(sheet_xml: bytes, rows: list[int]) -> bytes:
    """The rows' heights stay as written but lose customHeight: the application re-fits them to their content
    once it is edited (XlsxWriter marks every height it writes as set by hand)."""
    for row in rows:
        sheet_xml = re.sub(rb'(<row r="%d"[^>]*?) customHeight="1"' % (row + 1), rb"\1", sheet_xml, count=1)
    return sheet_xml


class _Builder:
    def __init__(self, workbook: Workbook, spec: FormSpec, unit: UnitCopy | None) -> None:
        self.workbook = workbook
        self.spec = spec
        self.unit = unit
        self.layout: TemplateLayout = layout_for(spec)
        self.formats = template_formats(workbook)
        self.auto_height_rows: dict[int, list[int]] = {}  # sheet index -> rows whose height the application fits

    def build(self) -> None:
        self.workbook.set_properties({
            "title": self.spec.title, "subject": self.spec.document, "author": self.spec.issuer,
            "company": self.spec.issuer, "comments": f"Mẫu {self.spec.id} phiên bản {self.spec.version}",
            # A fixed date, so the same spec always builds the same bytes (the committed template does not churn).
            "created": dt.datetime.combine(self.spec.deadline, dt.time()),
        })
        self.workbook.set_custom_property("form_id", self.spec.id)
        self.workbook.set_custom_property("form_version", self.spec.version)
        guide.write_guide(self.workbook.add_worksheet(SHEET_GUIDE), self.spec, self.formats)
        self.write_figures(figures := self.workbook.add_worksheet(SHEET_FIGURES))
        if self.spec.narrative_fields:  # a form of figures only has no narrative sheet
            self.write_narrative(self.workbook.add_worksheet(SHEET_NARRATIVE))
        self.write_identity(self.workbook.add_worksheet(SHEET_IDENTITY))
        for code, ref in self.layout.cells.items():
            self.workbook.define_name(code, ref.absolute)
        figures.activate()

    # ------------------------------------------------------------------ figures sheet
    def write_figures(self, sheet: Worksheet) -> None:
        f = self.formats
        page_setup(sheet, portrait=True)
        sheet.set_column(COL_NUMBER, COL_NUMBER, 6)
        sheet.set_column(COL_LABEL, COL_LABEL, 50)
        sheet.set_column(COL_UNIT, COL_UNIT, 16)  # "đồng/người/tháng" on one line
        sheet.set_column(COL_VALUE, COL_VALUE, 18)
        sheet.set_column(COL_CHECK, COL_CHECK, 30)
        self.write_letterhead(sheet, last_col=COL_CHECK)
        sheet.merge_range(5, COL_NUMBER, 5, COL_LABEL, "Tự kiểm tra số liệu:", f["label_bold"])
        sheet.merge_range(5, COL_UNIT, 5, COL_CHECK, "", f["summary"])
        sheet.write_formula(5, COL_UNIT, self.summary_formula(), f["summary"], "")
        sheet.conditional_format(5, COL_UNIT, 5, COL_CHECK, {
            "type": "text", "criteria": "begins with", "value": "Có", "format": f["error_mark"]})
        anchored = self.rules_by_anchor()
        for row in self.layout.figures:
            if row.kind == "header":
                for col, title in enumerate(("STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Kiểm tra")):
                    sheet.write(row.row, col, title, f["table_header"])
                sheet.repeat_rows(row.row)
            elif row.kind == "section":
                sheet.merge_range(row.row, COL_NUMBER, row.row, COL_CHECK, row.section.heading, f["section"])
                # A long heading wraps in its merged row; neither Excel nor LibreOffice grows the row for it.
                sheet.set_row(row.row, _text_height(row.section.heading, SECTION_CHARS, 16))
            elif row.field.section == self.spec.unit_section:
                self.write_unit_field(sheet, row.row, row.field)
            else:
                self.write_figure(sheet, row.row, row.number, row.field, anchored.get(row.field.code, []))
        self.colour_rule_cells(sheet)
        sheet.protect("", {"format_rows": True, "format_columns": True})
        sheet.freeze_panes(FIGURES_FIRST_ROW, 0)

    def write_letterhead(self, sheet: Worksheet, last_col: int) -> None:
        f = self.formats
        split = last_col // 2
        sheet.merge_range(0, 0, 0, split, self.spec.issuer, f["head_org"])
        sheet.merge_range(0, split + 1, 0, last_col, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f["head_org"])
        sheet.merge_range(1, 0, 1, split, "", f["head_unit"])
        name = self.layout.cells[self.spec.roles.unit_name]
        # The unit's name as typed ("Công đoàn Trường …") heads the sheet, as on the unit's own letterhead.
        sheet.write_formula(1, 0, f'=IF(LEN({name.absolute[1:]})>0,UPPER({name.absolute[1:]}),"CĐCS …")',
                            f["head_unit"], self.unit.name.upper() if self.unit else "CĐCS …")
        sheet.merge_range(1, split + 1, 1, last_col, "Độc lập - Tự do - Hạnh phúc", f["head_motto"])
        sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, self.spec.title.upper(), f["title"])
        # Under the title, what a unit would otherwise phone about: the deadline and where to send the file.
        source, send = f"(Theo {self.spec.document})", send_line(self.spec)
        sheet.merge_range(SUBTITLE_ROW, 0, SUBTITLE_ROW, last_col, "", f["subtitle"])
        sheet.write_rich_string(SUBTITLE_ROW, 0, f["subtitle_run"], source, f["send_run"], "\n" + send, f["subtitle"])
        sheet.set_row(TITLE_ROW, 36)
        sheet.set_row(SUBTITLE_ROW, _text_height(f"{source}\n{send}", SUBTITLE_CHARS, 15))

    def write_unit_field(self, sheet: Worksheet, row: int, field: FieldSpec) -> None:
        f = self.formats
        sheet.merge_range(row, COL_NUMBER, row, COL_LABEL, "", f["label"])
        self.write_label(sheet, row, COL_NUMBER, field)
        prefilled = self.prefilled(field.code)
        style = f["locked_value"] if prefilled is not None else (f["info_date"] if field.kind == "date" else f["info_text"])
        sheet.merge_range(row, COL_UNIT, row, COL_CHECK, "", style)
        if prefilled is not None:
            sheet.write_string(row, COL_UNIT, prefilled, style)
            return
        self.validate(sheet, row, COL_UNIT, field)

    def write_figure(self, sheet: Worksheet, row: int, number: str, field: FieldSpec, rules: list[RuleSpec]) -> None:
        f = self.formats
        sheet.write(row, COL_NUMBER, number, f["number"])
        self.write_label(sheet, row, COL_LABEL, field)
        sheet.write(row, COL_UNIT, field.unit, f["unit"])
        style = {"count": "input_count", "money": "input_count", "date": "input_date"}.get(field.kind, "input_choice")
        sheet.write_blank(row, COL_VALUE, None, f[style])
        self.validate(sheet, row, COL_VALUE, field)
        if rules:
            formula = "&".join(f'IF({_failing(rule)},{_excel_text(CHECK_FAIL_MARK + " " + rule.short + ". ")},"")'
                               for rule in rules)
            sheet.write_formula(row, COL_CHECK, "=" + formula, f["check"], "")
        else:
            sheet.write_blank(row, COL_CHECK, None, f["check"])

    def write_label(self, sheet: Worksheet, row: int, col: int, field: FieldSpec) -> None:
        """The field's label and, under it in small italics, its hint: what is counted and at what date, read
        beside the cell without selecting it (the hint is also the cell's input message)."""
        f = self.formats
        label = field.label + (" (*)" if field.required else "")
        if field.hint:
            sheet.write_rich_string(row, col, f["label_run"], label, f["hint_run"], "\n" + field.hint, f["label"])
        else:
            sheet.write(row, col, label, f["label"])
        # A wrapped label needs its lines' height: LibreOffice does not grow a row for it when it opens the file,
        # and no application grows a row for a merged cell.
        lines, hint_lines = _lines(label, LABEL_CHARS), _lines(field.hint, HINT_CHARS) if field.hint else 0
        if lines > 1 or hint_lines:
            sheet.set_row(row, lines * 15 + hint_lines * 13 + 5)

    def prefilled(self, code: str) -> str | None:
        if self.unit is None:
            return None
        return {self.spec.roles.unit_code: self.unit.code, self.spec.roles.unit_name: self.unit.name}.get(code)

    def validate(self, sheet: Worksheet, row: int, col: int, field: FieldSpec) -> None:
        message = _input_message(field)
        title = field.label[:32]
        if field.is_numeric:
            options = {"validate": "integer", "criteria": ">=", "value": field.minimum or 0,
                       "error_title": "Số liệu không hợp lệ",
                       "error_message": "Nhập một số nguyên không âm, ví dụ 1250. Không ghi chữ, dấu chấm hay đơn vị tính."}
        elif field.options:
            options = {"validate": "list", "source": list(field.options),
                       "error_title": "Chọn trong danh sách",
                       "error_message": "Chọn một giá trị trong danh sách thả xuống: " + "; ".join(field.options)}
        elif field.kind == "date":
            options = {"validate": "date", "criteria": "between",
                       "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2100, 12, 31),
                       "error_title": "Ngày không hợp lệ",
                       "error_message": "Nhập ngày dạng ngày/tháng/năm, ví dụ 05/12/2023."}
        else:
            options = {"validate": "length", "criteria": "<=", "value": 32767 if field.kind == "narrative" else 255,
                       "error_title": "Nội dung quá dài", "error_message": "Nội dung vượt quá độ dài cho phép của ô."}
        options.update({"input_title": title, "input_message": message, "ignore_blank": True})
        sheet.data_validation(row, col, row, col, options)

    def rules_by_anchor(self) -> dict[str, list[RuleSpec]]:
        """Each rule's check sits beside the last of its fields in the sheet, where the unit's eye arrives."""
        rows = self.layout.cells
        anchored: dict[str, list[RuleSpec]] = {}
        for rule in self.spec.rules:
            anchor = max(rule.fields, key=lambda code: rows[code].row)
            anchored.setdefault(anchor, []).append(rule)
        return anchored

    def colour_rule_cells(self, sheet: Worksheet) -> None:
        for rule in self.spec.rules:
            style = self.formats["error_cell"] if rule.severity == "error" else self.formats["warning_cell"]
            for code in rule.fields:
                ref = self.layout.cells[code]
                sheet.conditional_format(ref.row, ref.col, ref.row, ref.col,
                                         {"type": "formula", "criteria": "=" + _failing(rule), "format": style})

    def summary_formula(self) -> str:
        rows = self.layout.figure_rows
        column = column_letter(COL_CHECK)
        span = f"{column}{rows.start + 1}:{column}{rows.stop}"
        return (f'=IF(COUNTIF({span},"{CHECK_FAIL_MARK}*")=0,"Chưa thấy sai lệch giữa các số liệu.",'
                f'"Có "&COUNTIF({span},"{CHECK_FAIL_MARK}*")&" chỗ sai lệch: xem cột Kiểm tra và các ô tô đỏ.")')

    # ------------------------------------------------------------------ narrative sheet
    def write_narrative(self, sheet: Worksheet) -> None:
        f = self.formats
        page_setup(sheet, portrait=True)
        sheet.set_column(0, 0, 6)
        sheet.set_column(COL_TEXT, COL_TEXT, 92)
        sheet.merge_range(0, 0, 0, COL_TEXT, NARRATIVE_TITLE, f["title"])
        sheet.merge_range(1, 0, 1, COL_TEXT,
                          f"Viết nội dung vào các ô nền vàng. Dòng chữ nghiêng là gợi ý của {self.spec.document}. "
                          "Xuống dòng trong ô: Alt+Enter. Dán từ Word: bấm đúp vào ô rồi mới dán. "
                          "Ô tự giãn theo nội dung.", f["subtitle"])
        sheet.set_row(1, 48)
        for row in self.layout.narrative:
            if row.kind == "section":
                style = f["section"] if row.section.parent is None else f["subsection"]
                sheet.merge_range(row.row, 0, row.row, COL_TEXT, row.section.heading, style)
                sheet.set_row(row.row, _text_height(row.section.heading, 100, 17))
            elif row.kind == "hint":
                sheet.write(row.row, COL_TEXT, row.section.hint, f["hint"])
                sheet.set_row(row.row, _text_height(row.section.hint, 105, 15))
            else:
                sheet.write_blank(row.row, COL_TEXT, None, f["narrative"])
                sheet.set_row(row.row, NARRATIVE_HEIGHT)
                self.auto_height_rows.setdefault(sheet.index, []).append(row.row)
                self.validate(sheet, row.row, COL_TEXT, row.field)
        sheet.protect("", {"format_rows": True, "format_columns": True})

    # ------------------------------------------------------------------ identity
    def write_identity(self, sheet: Worksheet) -> None:
        values = {NAME_FORM_ID: self.spec.id, NAME_FORM_VERSION: self.spec.version,
                  NAME_UNIT_CODE: self.unit.code if self.unit else ""}
        for name, ref in self.layout.identity.items():
            sheet.write_string(ref.row, 0, name)
            sheet.write_string(ref.row, ref.col, values[name])
            self.workbook.define_name(name, ref.absolute)
        sheet.protect("")
        sheet.very_hidden()


def _failing(rule: RuleSpec) -> str:
    """An Excel condition, TRUE when the unit's figures break `rule`; blank figures never fail a rule."""
    parts = []
    if rule.guarded:
        parts.append(f"COUNTA({','.join(rule.guarded)})={len(rule.guarded)}")
    if rule.when:
        parts.append(rule.when.to_excel())
    parts.append(f"NOT({rule.check.to_excel()})")
    return f"IFERROR(AND({','.join(parts)}),FALSE)"


def _excel_text(text: str) -> str:
    """A string literal inside an Excel formula: quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def _input_message(field: FieldSpec) -> str:
    parts = [field.hint] if field.hint else []
    if field.is_numeric:
        parts.append(f"Số nguyên ≥ 0, đơn vị: {field.unit}." + (" Ghi 0 nếu không có." if field.required else ""))
    elif field.options:
        parts.append("Chọn trong danh sách thả xuống.")
    message = " ".join(parts) or field.label
    return message if len(message) <= 255 else message[:252] + "…"


def send_line(spec: FormSpec) -> str:
    """When and where a unit sends its file, as the figures sheet says it under the title."""
    return f"Hạn gửi: {spec.deadline_text}. Gửi tệp Excel này về {spec.send_to}."


LABEL_CHARS = 60  # characters of a label that fit on one line of the 50-wide label column
HINT_CHARS = 72  # characters of a 10-pt italic hint on a line of the label column (fewer than Times fits)
SECTION_CHARS = 115  # characters of a bold section heading across the figures table
SUBTITLE_CHARS = 125  # characters of an 11-pt subtitle line across the figures sheet


def _lines(text: str, chars_per_line: int) -> int:
    """Lines `text` takes wrapped at `chars_per_line`, each hard line end starting a line."""
    return sum(max(1, -(-len(paragraph) // chars_per_line)) for paragraph in text.splitlines() or [""])


def _text_height(text: str, chars_per_line: int, line_height: int) -> int:
    return max(line_height + 3, _lines(text, chars_per_line) * line_height + 4)
