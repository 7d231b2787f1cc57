"""The consolidated workbook (XlsxWriter): totals, units, narratives, recommendations, status, problems, register."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pipeline.ledger import STATE_LABELS, UNIT_LABELS, received_order
from pipeline.merge import NO_GROUP
from pipeline.form import FieldSpec
from pipeline.narratives.themes import groups_of_units, joined_labels
from pipeline.outputs.rows import SheetRows, save_with_rows
from pipeline.previous.compare import basis_words, change, like_for_like_note, new_unit_words
from pipeline.previous.read import CODES_MARK, DATA_SHEET
from pipeline.register import VIETNAM
from pipeline.vietnamese import lower_first, upper_first, vn_datetime, vn_number

FONT = "Times New Roman"
CELL_LIMIT = 32767
CONSTANT_MEMORY_FROM = 2000  # accepted units
COMPARED, COMPARED_PERIOD = "So với năm trước", "So với kỳ trước"  # a yearly form; a form of several periods
SHEETS = ("Tổng hợp", "Theo đơn vị", COMPARED, "Thuyết minh", "Nhóm ý kiến", "Kiến nghị", "Tình hình nộp",
          "Lỗi, cảnh báo", "Sổ tiếp nhận", "Thay đổi")


def sheet_names(spec, previous=None) -> list[str]:
    """The workbook's sheets in order: no empty sheet for what the form lacks; the machine-readable one last."""
    wanted = [name for name in SHEETS if (name not in ("Thuyết minh", "Nhóm ý kiến") or spec.narrative_fields)
              and (name != "Kiến nghị" or spec.roles.recommendations)
              and (name != COMPARED or previous is not None)]
    return [compared_name(spec) if name == COMPARED else name for name in wanted] + [DATA_SHEET]


def compared_name(spec) -> str:
    return COMPARED_PERIOD if spec.periods else COMPARED


def write_workbook(result, path: Path) -> None:
    """Write the whole workbook to `path`; nothing a unit typed can become a formula or a link."""
    # Constant-memory mode keeps a large province's workbook in bounded memory; below that size the
    # shared-string table is faster (a quarter less time at 1,000 units) and memory is no concern.
    frame = io.BytesIO()
    workbook = xlsxwriter.Workbook(frame, {
        "constant_memory": result.consolidation.unit_count > CONSTANT_MEMORY_FROM,
        "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "dd/mm/yyyy"})
    writer = _WorkbookWriter(workbook, result)
    try:
        writer.write()
    finally:
        workbook.close()
    save_with_rows(frame.getvalue(), writer.rows, path)


class _WorkbookWriter:
    def __init__(self, workbook, result) -> None:
        self.workbook = workbook
        self.result = result
        self.spec = result.spec
        self.data = result.consolidation
        self.ledger = result.ledger
        self.previous = result.previous
        self.f = _formats(workbook)
        self.truncated: list[str] = []
        self.rows: list[SheetRows] = []  # sheets' rows written after the frame (outputs/rows.py)
        # Every format's index in the styles part, fixed now: the rows are made after XlsxWriter has saved it.
        self.xf = {name: style._get_xf_index() for name, style in self.f.items()}

    def write(self) -> None:
        self.workbook.set_properties({"title": f"Tổng hợp {self.spec.short_title}", "author": self.spec.issuer,
                                      "company": self.spec.issuer})
        # A form without narratives or without a recommendations field gets no empty sheet for them.
        sheets = {name: self.workbook.add_worksheet(name) for name in sheet_names(self.spec, self.previous)[:-1]}
        self.totals(sheets["Tổng hợp"])
        self.by_unit(sheets["Theo đơn vị"])
        if compared_name(self.spec) in sheets:
            self.compared(sheets[compared_name(self.spec)])
        if "Thuyết minh" in sheets:
            self.narratives(sheets["Thuyết minh"])
        if "Nhóm ý kiến" in sheets:
            self.groups(sheets["Nhóm ý kiến"])
        if "Kiến nghị" in sheets:
            self.recommendations(sheets["Kiến nghị"])
        self.status(sheets["Tình hình nộp"])
        self.problems(sheets["Lỗi, cảnh báo"])
        self.register(sheets["Sổ tiếp nhận"])
        self.changes(sheets["Thay đổi"])
        self.machine_part()
        if self.truncated:
            self.result.notes.append(f"{len(self.truncated)} đoạn văn dài hơn sức chứa một ô (32.767 ký tự) đã được "
                                     "chia thành nhiều dòng trong trang Thuyết minh.")

    # ---------------------------------------------------------------- helpers
    def title(self, sheet: Worksheet, text: str, landscape: bool, fit: bool = True) -> int:
        _page(sheet, landscape, fit)
        sheet.write_string(0, 0, self.spec.issuer, self.f["org"])
        sheet.write_string(1, 0, text, self.f["title"])
        made = dt.datetime.now(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")
        sheet.write_string(2, 0, f"{self.spec.short_title} · tổng hợp lúc {made} · "
                                 f"{self.data.unit_count} đơn vị đã nhận", self.f["note"])
        return 4

    def header(self, sheet: Worksheet, row: int, titles: list[str]) -> None:
        for col, text in enumerate(titles):
            sheet.write_string(row, col, text, self.f["header"])
        sheet.repeat_rows(row)
        sheet.freeze_panes(row + 1, 0)

    def wrapped_header(self, sheet: Worksheet, row: int, titles: list[str], height: int, frozen_columns: int) -> None:
        """Column heads that wrap on a tall row, repeated on every printed page, with the first columns frozen."""
        for col, text in enumerate(titles):
            sheet.write_string(row, col, text, self.f["header_wrap"])
        sheet.set_row(row, height)
        sheet.repeat_rows(row)
        sheet.freeze_panes(row + 1, frozen_columns)

    @staticmethod
    def fit_row(sheet: Worksheet, row: int, texts: list[str], widths: tuple[int, ...]) -> None:
        """A row tall enough for its wrapped texts: neither Excel nor LibreOffice grows a written row itself."""
        height = _fit_height(texts, widths)
        if height:
            sheet.set_row(row, height)

    def text(self, sheet: Worksheet, row: int, col: int, value, style="text") -> None:
        """Unit-typed text, always as a string (=, +, -, @ stay text), never longer than a cell."""
        value = "" if value is None else str(value)
        sheet.write_string(row, col, value[:CELL_LIMIT], self.f[style])

    def value(self, sheet: Worksheet, row: int, col: int, field: FieldSpec | None, value, bold=False) -> None:
        value, style = _styled(value, field is not None and field.is_numeric, bold)
        if value is None:
            sheet.write_blank(row, col, None, self.f[style])
        elif style == "date":
            sheet.write_datetime(row, col, value if isinstance(value, dt.datetime) else
                                 dt.datetime.combine(value, dt.time()), self.f[style])
        elif style == "text":
            self.text(sheet, row, col, value)
        else:
            sheet.write_number(row, col, value, self.f[style])

    # ---------------------------------------------------------------- Tổng hợp
    def totals(self, sheet: Worksheet) -> None:
        groups = list(self.data.by_group["khoi"]) if len(self.data.by_group) else []
        groups = [] if groups == [NO_GROUP] else groups  # no roster, no groups: one column says it all
        # With last period beside every figure the table is too wide for one page: printed across pages at a
        # readable scale, the labels repeated.
        row = self.title(sheet, f"BẢNG TỔNG HỢP SỐ LIỆU TOÀN TỈNH {self.spec.period_phrase.upper()}",
                         landscape=bool(groups) or bool(self.previous), fit=not (self.previous and groups))
        if self.previous and groups:
            sheet.repeat_columns(0, 2)
        columns = _TotalsColumns(groups, self.previous)
        for col, width in enumerate(columns.widths):
            sheet.set_column(col, col, width)
        titles = ["STT", "Chỉ tiêu", "Đơn vị tính"] + columns.titles(self.previous, basis_words(self.result.compared))
        self.header(sheet, row, titles)
        self.fit_row(sheet, row, titles, columns.widths)  # "Khối Cơ quan hành chính" takes two lines
        row += 1
        by_group = {g: r for g, r in zip(groups, self.data.by_group.to_dict("records"))}
        before, now_over_basis = self.group_previous(groups)
        changes = self.result.changes
        sheet.write_string(row, 1, "Số đơn vị đã nhận báo cáo", self.f["text_bold"])
        sheet.write_string(row, 2, "đơn vị", self.f["center"])
        sheet.write_number(row, 3, self.data.unit_count, self.f["num_bold"])
        if self.previous and self.previous.units:
            compared = self.result.compared
            sheet.write_number(row, 4, len(self.previous.units if compared is None else compared), self.f["num"])
        for group, col in zip(groups, columns.group_cols):
            sheet.write_number(row, col, by_group[group]["so_don_vi"], self.f["num"])
        row += 1
        for section in self.spec.sections:
            fields = [f for f in self.spec.fields_in(section.code) if f.is_numeric or f.options]
            if not fields:
                continue
            sheet.write_string(row, 0, section.heading, self.f["section"])
            for col in range(1, columns.last + 1):
                sheet.write_blank(row, col, None, self.f["section"])
            row += 1
            for number, field in enumerate(fields, start=1):
                if field.options:
                    row = self.answer_rows(sheet, row, number, field, groups, columns)
                    continue
                sheet.write_string(row, 0, str(number), self.f["center"])
                weight = lower_first(self.spec.by_code[field.weight].label) if field.aggregate == "weighted_mean" else ""
                label = field.label + (f" (bình quân theo {weight})" if weight else "")
                sheet.write_string(row, 1, label, self.f["text"])
                self.fit_row(sheet, row, ["", label], columns.widths)
                sheet.write_string(row, 2, field.unit, self.f["center"])
                self.value(sheet, row, 3, field, self.data.totals[field.code], bold=True)
                if self.previous:
                    moved = changes[field.code]
                    self.value(sheet, row, 4, field, moved.previous)
                    self.value(sheet, row, 5, field, moved.delta)
                    self.share(sheet, row, 6, moved.percent)
                for group, col in zip(groups, columns.group_cols):
                    self.value(sheet, row, col, field, by_group[group][field.code])
                    if columns.with_group_change:
                        now = (by_group[group][field.code] if now_over_basis is None
                               else now_over_basis.get(group, {}).get(field.code))
                        moved = change(before.get(group, {}).get(field.code), None if now != now else now)
                        self.share(sheet, row, col + 1, moved.percent)
                row += 1
        if self.result.compared is not None:  # under the table, across it, wrapped; a blank row before the next
            row += 1
            note = like_for_like_note(self.previous, self.result.compared, self.data.unit_count)
            sheet.merge_range(row, 1, row, columns.last, note, self.f["note_wrap"])
            sheet.set_row(row, _fit_height([note], (sum(columns.widths[1:]),)) or 18)
            row += 1
        row += 1
        sheet.write_string(row, 0, "CHỈ SỐ TÍNH TỪ SỐ LIỆU TOÀN TỈNH", self.f["section"])
        row += 1
        for _, label, value, kind, unit in self.data.derived:
            sheet.write_string(row, 1, label, self.f["text"])
            sheet.write_string(row, 2, "%" if kind == "percent" else unit, self.f["center"])
            if value is None:
                sheet.write_string(row, 3, "—", self.f["center"])
            else:
                sheet.write_number(row, 3, value, self.f["percent" if kind == "percent" else "num_bold"])
            row += 1
        if groups:
            for chart in self.spec.charts:
                row = self.group_chart(sheet, row + 1, groups, chart)

    def answer_rows(self, sheet: Worksheet, row: int, number: int, field: FieldSpec, groups: list[str],
                    columns: _TotalsColumns) -> int:
        sheet.write_string(row, 0, str(number), self.f["center"])
        label = f"{field.label}: số đơn vị theo câu trả lời"
        sheet.write_string(row, 1, label, self.f["text"])
        self.fit_row(sheet, row, ["", label], columns.widths)
        for col in range(2, columns.last + 1):
            sheet.write_blank(row, col, None, self.f["text"])
        row += 1
        units = self.data.units
        for option in field.options:
            sheet.write_string(row, 1, f"    – {option}", self.f["text"])
            sheet.write_string(row, 2, "đơn vị", self.f["center"])
            sheet.write_number(row, 3, self.data.answers[field.code][option], self.f["num_bold"])
            for group, col in zip(groups, columns.group_cols):
                count = int(((units["khoi"] == group) & (units[field.code] == option)).sum())
                sheet.write_number(row, col, count, self.f["num"])
            row += 1
        return row

    def share(self, sheet: Worksheet, row: int, col: int, percent: float | None) -> None:
        """A change in percent, as "3,0%"; blank when last period's figure is unknown or 0."""
        if percent is None:
            sheet.write_blank(row, col, None, self.f["num"])
        else:
            sheet.write_number(row, col, percent / 100, self.f["percent"])

    def group_previous(self, groups: list[str]) -> tuple[dict[str, dict[str, float]], dict | None]:
        """Last period's figures per Khối, and this period's over the same units and figures when the comparison
        is like-for-like (None: each Khối's own figures stand)."""
        if not self.previous or not groups:
            return {}, None
        from pipeline.previous.compare import group_like_for_like, group_previous

        placed = {u.unit.code: u.unit.group or NO_GROUP for u in self.ledger.units}
        basis = self.result.compared
        if basis is None:
            return group_previous(self.spec, self.previous, placed), None
        paired = group_like_for_like(self.spec, self.previous, self.result.unit_figures, placed, basis)
        return {g: before for g, (before, _) in paired.items()}, {g: now for g, (_, now) in paired.items()}

    def group_chart(self, sheet: Worksheet, row: int, groups: list[str], spec_chart) -> int:
        """A chart of the spec's figures by Khối; it reads a small table written just for it. Returns the
        last row used, so the next chart goes below."""
        fields = [self.spec.by_code[code] for code in spec_chart.fields]
        sheet.set_row(row, 30)  # field labels as column heads take two lines
        sheet.write_string(row, 1, f"{spec_chart.title} (số liệu của biểu đồ)", self.f["text_bold"])
        for col, field in enumerate(fields, start=2):
            sheet.write_string(row, col, field.label, self.f["header_wrap"])
        table = self.data.by_group
        for offset, record in enumerate(table.to_dict("records"), start=1):
            sheet.write_string(row + offset, 1, str(record["khoi"]), self.f["text"])
            for col, field in enumerate(fields, start=2):
                value = record.get(field.code)
                sheet.write_number(row + offset, col, 0 if value is None or value != value else value, self.f["num"])
        chart = self.workbook.add_chart({"type": "bar"})
        name = "Tổng hợp"
        last = row + len(groups)
        for col, field in enumerate(fields, start=2):
            chart.add_series({"name": [name, row, col], "categories": [name, row + 1, 1, last, 1],
                              "values": [name, row + 1, col, last, col], "data_labels": {"value": True, "num_format": "#,##0"}})
        chart.set_title({"name": spec_chart.title, "name_font": {"name": FONT, "size": 12}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT}})
        chart.set_x_axis({"num_format": "#,##0", "num_font": {"name": FONT}})
        chart.set_y_axis({"num_font": {"name": FONT}, "reverse": True})
        height = 90 + 40 * len(groups)
        sheet.insert_chart(last + 2, 1, chart)
        chart.set_size({"width": 760, "height": height})
        return last + 2 + height // 20 + 1

    # ---------------------------------------------------------------- Theo đơn vị
    def by_unit(self, sheet: Worksheet) -> None:
        fields = [f for f in self.spec.figure_fields
                  if f.section != self.spec.unit_section or f.code == self.spec.roles.report_date]
        # Too wide for one page: printed across pages at a readable scale, the unit columns repeated.
        row = self.title(sheet, "SỐ LIỆU THEO TỪNG ĐƠN VỊ", landscape=True, fit=False)
        sheet.repeat_columns(0, 2)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 12)
        sheet.set_column(2, 2, 52)  # long unit names stay on one line: rows are not auto-sized
        sheet.set_column(3, 3, 16)
        sheet.set_column(4, 3 + len(fields), 15)
        titles = ["STT", "Mã CĐCS", "Tên CĐCS", "Khối"] + [f"{f.label}" + (f" ({f.unit})" if f.unit else "") for f in fields]
        # A hidden row of field codes above the header: how a later run reads these figures back (--previous).
        sheet.set_row(row - 1, None, None, {"hidden": True})
        codes = [CODES_MARK, self.spec.roles.unit_code, self.spec.roles.unit_name, "khoi"] + [f.code for f in fields]
        for col, code in enumerate(codes):
            sheet.write_string(row - 1, col, code)
        self.wrapped_header(sheet, row, titles, 78, frozen_columns=3)
        units = self.data.units
        count = len(units)
        sheet.autofilter(row, 0, row + count, 3 + len(fields))
        xf = self.xf
        columns = [units[code].tolist() for code in codes[1:4]] + [units[f.code].tolist() for f in fields]
        numeric = [f.is_numeric for f in fields]

        def make():
            center, text = xf["center"], xf["text"]
            for index, record in enumerate(zip(*columns), start=1):
                cells = [(0, index, center), (1, _cut(record[0]), text), (2, _cut(record[1]), text),
                         (3, _cut(record[2]), text)]
                for col, (value, is_numeric) in enumerate(zip(record[3:], numeric), start=4):
                    cells.append((col, *self.cell(value, is_numeric)))
                yield None, cells
            label = xf["total_label"]
            total = [(0, None, label), (1, None, label), (2, "TỔNG CỘNG TOÀN TỈNH", label), (3, None, label)]
            for col, field in enumerate(fields, start=4):
                if field.is_numeric:
                    # Computed here, not a formula: a program that does not recalculate would show 0.
                    total.append((col, *self.cell(self.data.totals[field.code], True, bold=True)))
                elif field.options:
                    counts = self.data.answers[field.code]
                    total.append((col, "; ".join(f"{o}: {n}" for o, n in counts.items()), xf["total_text"]))
                else:
                    total.append((col, None, xf["total_label"]))
            yield None, total
        self.bulk(sheet, row + 1, count + 1, 3 + len(fields), make)

    def cell(self, value, numeric: bool, bold: bool = False) -> tuple[object, int]:
        """A figure as a bulk row's cell holds it (value, xf index), formatted as `value` formats it."""
        value, style = _styled(value, numeric, bold)
        return value, self.xf[style]

    # ---------------------------------------------------------------- Thuyết minh, Kiến nghị
    def narratives(self, sheet: Worksheet) -> None:
        row = self.title(sheet, "TỔNG HỢP PHẦN THUYẾT MINH CỦA CÁC ĐƠN VỊ", landscape=False)
        widths = (11, 26, 80, 40)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        self.header(sheet, row, ["Mã CĐCS", "Đơn vị", "Nội dung", "Nhóm ý kiến (xem trang Nhóm ý kiến)"])
        fields = [f for f in self.spec.narrative_fields if f.code != self.spec.roles.recommendations]
        entries = {f.code: self.data.narratives.get(f.code, []) for f in fields}
        count = 0
        for field in fields:
            count += 1 + (sum(_pieces(len(text)) for _, _, text in entries[field.code]) or 1)
            self.truncated += [code for code, _, text in entries[field.code] if len(text) > CELL_LIMIT]
        xf = self.xf
        top, section = xf["text_top"], xf["section"]

        def make():
            for field in fields:
                heading = self.spec.section_by_code[field.section].heading
                yield None, [(0, heading, section), (1, None, section), (2, None, section), (3, None, section)]
                if not entries[field.code]:
                    yield None, [(2, "(Chưa có đơn vị nào viết mục này)", xf["note"])]
                shared = groups_of_units(self.data.themes.get(field.code, []))
                for code, name, text in entries[field.code]:
                    # Texts over a cell's 32,767 characters go on to further rows, marked, never silently cut.
                    pieces = _pieces(len(text))
                    for index in range(pieces):
                        lead = (code, name) if index == 0 else (f"{code} (tiếp)", f"{name} (tiếp)")
                        cells = [(0, _cut(lead[0]), top), (1, _cut(lead[1]), top),
                                 (2, text[index * CELL_LIMIT:(index + 1) * CELL_LIMIT], top)]
                        if index == pieces - 1:
                            cells.append((3, _cut(joined_labels(shared.get(code, []))), top))
                        # neither Excel nor LibreOffice grows a row to its wrapped text: without a height the
                        # texts were drawn over the rows below
                        yield _fit_height([value for _, value, _ in cells], widths), cells
        self.bulk(sheet, row + 1, count, 3, make)

    def groups(self, sheet: Worksheet) -> None:
        """Every group of sentences, largest first in each part: what many units say, to read before drafting."""
        row = self.title(sheet, "NHÓM Ý KIẾN TRONG THUYẾT MINH CỦA CÁC ĐƠN VỊ", landscape=True)
        widths = (22, 34, 9, 40, 80)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        self.header(sheet, row, ["Mục", "Nhóm", "Số đơn vị", "Đơn vị", "Câu tiêu biểu"])
        names = dict(zip(self.data.units[self.spec.roles.unit_code].astype(str),
                         self.data.units[self.spec.roles.unit_name].astype(str)))
        # One unit's own point is read in "Thuyết minh", not a group to weigh.
        shown = [(field, group) for field in self.spec.narrative_fields
                 for group in self.data.themes.get(field.code, []) if len(group.units) >= 2]
        alone = sum(len(groups) for groups in self.data.themes.values()) - len(shown)
        sheet.autofilter(row, 0, row + len(shown), 4)
        xf = self.xf
        top = xf["text_top"]

        def make():
            for field, group in shown:
                units = group.units
                listed = "; ".join(names.get(code, code) for code in units[:30]) + ("; …" if len(units) > 30 else "")
                heading = self.spec.section_by_code[field.section].heading[:60]
                texts = [heading, group.label, "", listed, group.representative]
                yield _fit_height(texts, widths), [(0, _cut(heading), top), (1, _cut(group.label), top),
                                                   (2, len(units), xf["num"]), (3, _cut(listed), top),
                                                   (4, _cut(group.representative), top)]
            if alone:
                yield None, []
                yield None, [(0, f"Còn {vn_number(alone)} ý riêng của từng đơn vị (chỉ một đơn vị nêu): xem "
                                 "trang Thuyết minh và trang Kiến nghị.", xf["note"])]
        self.bulk(sheet, row + 1, len(shown) + (2 if alone else 0), 4, make)

    def recommendations(self, sheet: Worksheet) -> None:
        """One row per recommendation sentence, with who it is for and its group, so staff can filter."""
        from pipeline.narratives.addressee import LABELS, addressee

        row = self.title(sheet, "KIẾN NGHỊ, ĐỀ XUẤT CỦA CÁC ĐƠN VỊ", landscape=True)
        widths = (5, 11, 26, 12, 20, 26, 70)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        self.header(sheet, row, ["STT", "Mã CĐCS", "Đơn vị", "Khối", "Nơi nhận", "Nhóm", "Kiến nghị, đề xuất"])
        khoi = dict(zip(self.data.units[self.spec.roles.unit_code].astype(str), self.data.units["khoi"]))
        sentences = [(code, name, text, group) for group in self.data.themes.get(self.spec.roles.recommendations, [])
                     for code, name, text in group.sentences]
        sentences.sort(key=lambda item: item[0])
        sheet.autofilter(row, 0, row + len(sentences), 6)
        top = self.xf["text_top"]

        def make():
            for number, (code, name, text, group) in enumerate(sentences, start=1):
                default = group.theme.addressee if group.theme else None
                values = [str(number), code, name, khoi.get(code, ""), LABELS[addressee(text, default)],
                          group.label if len(group.units) > 1 else "(riêng đơn vị)", text]
                yield _fit_height(values, widths), [(col, _cut(value), top) for col, value in enumerate(values)]
        self.bulk(sheet, row + 1, len(sentences), 6, make)

    def bulk(self, sheet: Worksheet, first: int, count: int, last_column: int, make) -> None:
        """`count` rows from row `first` on, made by `make()` once the frame is saved (outputs/rows.py)."""
        self.rows.append(SheetRows(f"xl/worksheets/sheet{sheet.index + 1}.xml", first, count, last_column, make))

    # ---------------------------------------------------------------- Tình hình nộp
    def status(self, sheet: Worksheet) -> None:
        row = self.title(sheet, "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC ĐƠN VỊ", landscape=True)
        deadline = self.ledger.deadline.strftime("%d/%m/%Y")
        sheet.write_string(3, 0, f"Hạn nộp: {deadline}. " + ("Đối chiếu với danh sách đơn vị." if self.ledger.roster_given
                                                             else "Không có danh sách đơn vị: chỉ liệt kê các đơn vị đã gửi."),
                           self.f["note"])
        widths = (11, 46, 18, 12, 40, 17, 30, 14)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        self.header(sheet, row, ["Mã CĐCS", "Tên CĐCS", "Khối", "Tình trạng", "Tệp", "Thời điểm nhận", "Email", "Điện thoại"])
        first = row + 1
        counts = {state: 0 for state in UNIT_LABELS}
        for status in self.ledger.units:
            row += 1
            counts[status.state] += 1
            unit, record = status.unit, status.record
            values = [unit.code, unit.name, unit.group, status.label, record.relative if record else "",
                      vn_datetime(record.modified) if record else "", unit.email, unit.phone]
            self.fit_row(sheet, row, values[:5], widths)  # an email or a phone number is one word: never wrapped
            for col, value in enumerate(values):
                self.text(sheet, row, col, value, "state_" + status.state if col == 3 else "text")
        sheet.autofilter(first - 1, 0, max(row, first - 1), 7)
        self.status_chart(sheet, counts, row + 2)

    def status_chart(self, sheet: Worksheet, counts: dict[str, int], top: int) -> None:
        """The chart's data sits below the list: constant_memory mode writes rows in order only."""
        sheet.write_string(top, 1, "Tình trạng (số liệu của biểu đồ)", self.f["header"])
        sheet.write_string(top, 2, "Số đơn vị", self.f["header"])
        for offset, (state, label) in enumerate(UNIT_LABELS.items(), start=1):
            sheet.write_string(top + offset, 1, label, self.f["text"])
            sheet.write_number(top + offset, 2, counts[state], self.f["num"])
        chart = self.workbook.add_chart({"type": "pie"})
        chart.add_series({"name": "Tình hình nộp báo cáo", "categories": ["Tình hình nộp", top + 1, 1, top + 4, 1],
                          "values": ["Tình hình nộp", top + 1, 2, top + 4, 2],
                          "data_labels": {"value": True, "percentage": True, "category": True, "separator": "\n",
                                          "font": {"name": FONT}},
                          "points": [{"fill": {"color": c}} for c in ("#70AD47", "#FFC000", "#C00000", "#A5A5A5")]})
        chart.set_title({"name": "Tình hình nộp báo cáo", "name_font": {"name": FONT, "size": 12}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT}})
        sheet.insert_chart(3, 9, chart)  # beside the list, where the eye lands; the data stays below

    # ---------------------------------------------------------------- Lỗi, cảnh báo; Sổ tiếp nhận
    def problems(self, sheet: Worksheet) -> None:
        row = self.title(sheet, "LỖI VÀ CẢNH BÁO TRONG CÁC TỆP", landscape=True)
        widths = (30, 11, 10, 22, 16, 12, 9, 20, 80)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        self.header(sheet, row, ["Tệp", "Đơn vị", "Mức độ", "Loại", "Mã lỗi", "Trang", "Ô", "Trường", "Nội dung"])
        first = row
        for record in self.ledger.records:
            for problem in record.problems:
                row += 1
                severity = "Lỗi" if problem.is_error else "Cảnh báo"
                values = [record.relative, record.unit or "", severity, upper_first(problem.label), problem.code,
                          problem.sheet or "",
                          ", ".join(filter(None, (problem.cell, *problem.related))), problem.field or "", problem.message]
                self.fit_row(sheet, row, values, widths)  # a long message takes two or three lines
                for col, value in enumerate(values):
                    self.text(sheet, row, col, value, ("error" if problem.is_error else "warning") if col == 2 else "text")
        sheet.autofilter(first, 0, max(row, first), 8)

    def machine_part(self) -> None:
        """A very hidden sheet saying what this workbook is and where its figures stand by field code, so that
        next period's run reads it back (`--previous`)."""
        sheet = self.workbook.add_worksheet(DATA_SHEET)
        rows = [("form", self.spec.id), ("version", self.spec.version), ("period", self.spec.period),
                ("phrase", self.spec.period_phrase), ("sheet", "Theo đơn vị"), ("unit_code", self.spec.roles.unit_code)]
        for row, (key, value) in enumerate(rows):
            sheet.write_string(row, 0, key)
            sheet.write_string(row, 1, value)
        sheet.very_hidden()

    # ---------------------------------------------------------------- So với năm trước
    def compared(self, sheet: Worksheet) -> None:
        """Per unit, last period's and this period's key figures side by side; units new or gone are named."""
        previous = self.previous
        fields = _key_fields(self.spec)
        row = self.title(sheet, f"SO SÁNH VỚI {previous.phrase.upper()} THEO TỪNG ĐƠN VỊ", landscape=True, fit=False)
        sheet.repeat_columns(0, 2)
        sheet.set_column(0, 0, 11)
        sheet.set_column(1, 1, 46)
        sheet.set_column(2, 2, 20)
        sheet.set_column(3, 2 + 3 * len(fields), 13)
        titles = ["Mã CĐCS", "Tên CĐCS", "Ghi chú"]
        for field in fields:
            titles += [f"{field.label}: {previous.phrase}", f"{field.label}: kỳ này", "Tăng/giảm (%)"]
        self.wrapped_header(sheet, row, titles, 66, frozen_columns=2)
        header_row = row
        names = {u.unit.code: u.unit.name for u in self.ledger.units}
        current = {str(r[self.spec.roles.unit_code]): r for r in self.data.units.to_dict("records")}
        new_note = new_unit_words(previous)
        for code in sorted(set(current) | set(previous.units)):
            row += 1
            now, then = current.get(code), previous.units.get(code)
            name = (now or {}).get(self.spec.roles.unit_name) or names.get(code, "")
            note = (new_note if then is None else "" if now is not None
                    else "không còn trong danh sách đơn vị" if self.ledger.roster_given and code not in names
                    else "chưa có báo cáo kỳ này")
            self.text(sheet, row, 0, code)
            self.text(sheet, row, 1, name)
            self.text(sheet, row, 2, note)
            for index, field in enumerate(fields):
                col = 3 + 3 * index
                before = then.get(field.code) if then else None
                after = now.get(field.code) if now else None
                after = None if after is None or after != after else after
                self.value(sheet, row, col, field, before)
                self.value(sheet, row, col + 1, field, after)
                self.share(sheet, row, col + 2, change(before, after).percent)
        sheet.autofilter(header_row, 0, max(row, header_row), 2 + 3 * len(fields))

    def register(self, sheet: Worksheet) -> None:
        row = self.title(sheet, "SỔ TIẾP NHẬN TỆP", landscape=True)
        widths = (34, 11, 18, 11, 17, 17, 17, 10, 30, 66, 22, 12, 30)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        self.header(sheet, row, ["Tệp", "Đơn vị", "Trạng thái", "Kích thước (byte)", "Thời điểm sửa", "Thời điểm nhận",
                                 "Lần đầu thấy", "Bản thứ", "Thư điện tử", "Lý do", "SHA-256", "Muộn hạn",
                                 "Văn phòng đánh dấu"])
        first = row
        versions: dict[str, list] = {}
        for record in sorted(self.ledger.records, key=received_order):
            if record.unit and record.status in ("accepted", "rejected", "superseded"):
                versions.setdefault(record.unit, []).append(record)
        order = {id(r): f"{i}/{len(rs)}" for rs in versions.values() for i, r in enumerate(rs, start=1)}
        for record in self.ledger.records:
            row += 1
            mail = record.email
            values = [record.relative, record.unit or "", STATE_LABELS[record.status], None,
                      vn_datetime(record.modified), vn_datetime(record.received), vn_datetime(record.first_seen),
                      order.get(id(record), ""), f"{mail['from']} · {mail['subject']}" if mail else "",
                      record.reason, record.submission.sha256, "muộn" if record.late else "", record.office_mark]
            self.fit_row(sheet, row, values[:10] + [""] + values[11:], widths)  # the digest stays on one line
            for col, value in enumerate(values):
                if col == 3:
                    sheet.write_number(row, col, record.submission.size, self.f["num"])
                else:
                    self.text(sheet, row, col, value, "code" if col == 10 else "text")
        sheet.autofilter(first, 0, max(row, first), 12)

    def changes(self, sheet: Worksheet) -> None:
        """What changed since the last run: new and removed files, units whose state moved."""
        since = self.result.since
        when = since.get("previous_run")
        if when:
            moment = dt.datetime.fromisoformat(when)
            moment = moment.astimezone(VIETNAM) if moment.tzinfo else moment
            title = f"THAY ĐỔI TỪ LẦN CHẠY TRƯỚC (LÚC {moment:%H:%M} NGÀY {moment:%d/%m/%Y})"
        else:
            title = "THAY ĐỔI: ĐÂY LÀ LẦN CHẠY ĐẦU TIÊN VỚI THƯ MỤC KẾT QUẢ NÀY"
        row = self.title(sheet, title, landscape=False)
        for col, width in enumerate((22, 60, 20, 20)):
            sheet.set_column(col, col, width)
        self.header(sheet, row, ["Thay đổi", "Tệp hoặc đơn vị", "Trước", "Nay"])
        names = {u.unit.code: u.unit.name for u in self.ledger.units}
        lines = ([("Tệp mới hoặc đã sửa", path, "", "") for path in since.get("new_files", [])]
                 + [("Tệp không còn trong hộp thư", path, "", "") for path in since.get("removed_files", [])]
                 + [("Đơn vị đổi tình trạng", f"{c['unit']} {names.get(c['unit'], '')}".strip(),
                     UNIT_LABELS.get(c["from"], c["from"]), UNIT_LABELS.get(c["to"], c["to"]))
                    for c in since.get("units_changed", [])])
        for values in lines:
            row += 1
            for col, value in enumerate(values):
                self.text(sheet, row, col, value)
        if when and not lines:
            self.text(sheet, row + 1, 0, "Không có thay đổi nào: hộp thư và tình trạng các đơn vị như lần chạy trước.",
                      "note")


class _TotalsColumns:
    """Where "Tổng hợp" puts each figure: the province (col 3), last period beside it (Năm trước, Tăng/giảm, %)
    when there is one, then each Khối, each with its change in percent when last period has unit figures."""

    def __init__(self, groups: list[str], previous) -> None:
        self.groups = groups
        self.with_previous = previous is not None
        self.with_group_change = bool(previous and previous.units)
        first = 7 if self.with_previous else 4
        step = 2 if self.with_group_change else 1
        self.group_cols = [first + step * i for i in range(len(groups))]
        self.last = (self.group_cols[-1] + step - 1) if groups else first - 1

    @property
    def widths(self) -> tuple[int, ...]:
        """STT, Chỉ tiêu, Đơn vị tính, then every figure column."""
        return (6, 52, 16) + (16,) * (self.last - 2)  # "đồng/người/tháng" on one line

    def titles(self, previous, basis: str = "") -> list[str]:
        """`basis`: what a like-for-like comparison adds to last period's heading (compare.basis_words)."""
        titles = ["Toàn tỉnh"]
        if previous is not None:
            titles += [previous.heading + basis, "Tăng/giảm", "%"]
        for group in self.groups:
            titles.append(f"Khối {group}" if group != NO_GROUP else group)
            if self.with_group_change:
                titles.append("% so với kỳ trước")
        return titles


def _styled(value, numeric: bool, bold: bool = False) -> tuple[object, str]:
    """A figure and the name of its format: blank (None, NaN, NaT) and numbers as counts, dates, else text."""
    if value is None or value != value:
        return None, "num_bold" if bold else "num"
    if numeric:
        return value, "num_bold" if bold else "num"
    if isinstance(value, (dt.date, dt.datetime)):
        return value, "date"
    return _cut(value), "text"


def _fit_height(texts: list, widths: tuple[int, ...]) -> int | None:
    """The height of a row whose wrapped texts take several lines in columns of `widths`; None for one line."""
    lines = max((sum(-(-len(line) // max(int(width * 1.15), 1)) or 1 for line in str(text).split("\n"))
                 for text, width in zip(texts, widths)), default=1)
    return min(15 * lines + 3, 409) if lines > 1 else None


def _pieces(length: int) -> int:
    """How many cells a text of `length` characters takes (a cell holds 32,767)."""
    return max(1, -(-length // CELL_LIMIT))


def _cut(value) -> str:
    return "" if value is None else str(value)[:CELL_LIMIT]


def _page(sheet: Worksheet, landscape: bool, fit: bool = True) -> None:
    sheet.set_paper(9)
    sheet.set_landscape() if landscape else sheet.set_portrait()
    if fit:
        sheet.fit_to_pages(1, 0)
    else:
        sheet.set_print_scale(75)
    sheet.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer(f'&L&"{FONT}"&9&A&R&"{FONT}"&9Trang &P/&N')


def _formats(workbook) -> dict:
    base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
    cell = {**base, "border": 1}
    specs = {
        "org": {**base, "bold": True},
        "title": {**base, "bold": True, "font_size": 14},
        "note": {**base, "italic": True, "font_color": "#595959"},
        "note_wrap": {**base, "italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
        "header": {**cell, "bold": True, "bg_color": "#D9E1F2", "align": "center", "text_wrap": True},
        "header_wrap": {**cell, "bold": True, "bg_color": "#D9E1F2", "align": "center", "text_wrap": True, "font_size": 10},
        "section": {**cell, "bold": True, "bg_color": "#EDEDED"},
        "text": {**cell, "text_wrap": True},
        "code": {**cell, "font_size": 9},  # a SHA-256 digest: one line (it runs on over a blank neighbour)
        "text_top": {**cell, "text_wrap": True, "valign": "top"},
        "text_bold": {**base, "bold": True},
        "center": {**cell, "align": "center"},
        "num": {**cell, "num_format": "#,##0"},
        "num_bold": {**cell, "num_format": "#,##0", "bold": True},
        "percent": {**cell, "num_format": "0.0%", "bold": True},
        "date": {**cell, "num_format": "dd/mm/yyyy", "align": "center"},
        "total_label": {**cell, "bold": True, "bg_color": "#FFF2CC"},
        "total_text": {**cell, "bold": True, "bg_color": "#FFF2CC", "text_wrap": True, "font_size": 9},
        "error": {**cell, "bold": True, "font_color": "#C00000"},
        "warning": {**cell, "font_color": "#BF8F00"},
        "state_on_time": {**cell, "bg_color": "#E2EFDA"},
        "state_late": {**cell, "bg_color": "#FFF2CC"},
        "state_rejected": {**cell, "bg_color": "#F8CBAD"},
        "state_missing": {**cell, "bg_color": "#EDEDED"},
    }
    return {name: workbook.add_format(props) for name, props in specs.items()}


def _key_fields(spec) -> list[FieldSpec]:
    """The figures a comparison shows: the size, what the charts plot and what the report's sentences name."""
    codes = [spec.roles.size] if spec.roles.size else []
    codes += [code for chart in spec.charts for code in chart.fields]
    codes += [code for sentence in spec.sentences for _, expression, _ in sentence.parts if expression
              for code in expression.fields]
    numeric = {f.code for f in spec.numeric_fields}
    chosen = [code for code in dict.fromkeys(codes) if code in numeric] or [f.code for f in spec.numeric_fields]
    return [spec.by_code[code] for code in chosen[:8]]

