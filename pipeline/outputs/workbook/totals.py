"""The "Tổng hợp" sheet: the province's figures by section, last period beside them, each Khối, its charts."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.form import FieldSpec
from pipeline.merge import NO_GROUP
from pipeline.outputs.workbook.common import FONT, Book, fit_height, set_widths
from pipeline.outputs.workbook.sheets import TOTALS
from pipeline.previous.compare import basis_words, change, group_like_for_like, group_previous, like_for_like_note
from pipeline.vietnamese import lower_first


def write(book: Book, sheet: Worksheet) -> None:
    _Totals(book, sheet).write()


class _Totals:
    """One "Tổng hợp" sheet, written top to bottom: each part starts at the row it is given and returns the
    row after it."""

    def __init__(self, book: Book, sheet: Worksheet) -> None:
        self.book, self.sheet = book, sheet
        data = book.data
        groups = list(data.by_group["khoi"]) if len(data.by_group) else []
        self.groups = [] if groups == [NO_GROUP] else groups  # no roster, no groups: one column says it all
        self.columns = _TotalsColumns(self.groups, book.previous)
        self.by_group = {g: r for g, r in zip(self.groups, data.by_group.to_dict("records"), strict=False)}
        self.before, self.now_over_basis = _group_previous(book, self.groups)
        self.changes = book.consolidation.changes

    def write(self) -> None:
        book, sheet, groups, previous = self.book, self.sheet, self.groups, self.book.previous
        # With last period beside every figure the table is too wide for one page: printed across pages at a
        # readable scale, the labels repeated.
        row = book.title(sheet, f"BẢNG TỔNG HỢP SỐ LIỆU TOÀN TỈNH {book.spec.period_phrase.upper()}",
                         landscape=bool(groups) or bool(previous), fit=not (previous and groups))
        if previous and groups:
            sheet.repeat_columns(0, 2)
        set_widths(sheet, self.columns.widths)
        titles = ["STT", "Chỉ tiêu", "Đơn vị tính"] + self.columns.titles(previous, basis_words(book.consolidation.compared))
        book.header(sheet, row, titles)
        book.fit_row(sheet, row, titles, self.columns.widths)  # "Khối Cơ quan hành chính" takes two lines
        row = self.count_row(row + 1)
        for section in book.spec.sections:
            row = self.section(row, section)
        if book.consolidation.compared is not None:  # under the table, across it, wrapped; a blank row before the next
            row = self.like_for_like_note(row + 1)
        row = self.derived(row + 1)
        row = by_office(book, sheet, row + 1)
        if groups:
            for chart in book.spec.charts:
                row = self.group_chart(row + 1, chart)

    def count_row(self, row: int) -> int:
        """How many units reported: province-wide, last period (over the units compared) and by Khối."""
        book, sheet, f = self.book, self.sheet, self.book.f
        sheet.write_string(row, 1, "Số đơn vị đã nhận báo cáo", f["text_bold"])
        sheet.write_string(row, 2, "đơn vị", f["center"])
        sheet.write_number(row, 3, book.data.unit_count, f["num_bold"])
        if book.previous and book.previous.units:
            compared = book.consolidation.compared
            sheet.write_number(row, 4, len(book.previous.units if compared is None else compared), f["num"])
        for group, col in zip(self.groups, self.columns.group_cols, strict=False):
            sheet.write_number(row, col, self.by_group[group]["so_don_vi"], f["num"])
        return row + 1

    def section(self, row: int, section) -> int:
        """A section's heading across the table, then its figures and questions; nothing for a section of texts."""
        fields = [f for f in self.book.spec.fields_in(section.code) if f.is_numeric or f.options]
        if not fields:
            return row
        self.sheet.write_string(row, 0, section.heading, self.book.f["section"])
        for col in range(1, self.columns.last + 1):
            self.sheet.write_blank(row, col, None, self.book.f["section"])
        row += 1
        for number, field in enumerate(fields, start=1):
            row = self.answer_rows(row, number, field) if field.options else self.figure_row(row, number, field)
        return row

    def figure_row(self, row: int, number: int, field: FieldSpec) -> int:
        """One figure: the province's, last period's with the change, then each Khối's (with its change)."""
        book, sheet = self.book, self.sheet
        sheet.write_string(row, 0, str(number), book.f["center"])
        weight = lower_first(book.spec.by_code[field.weight].label) if field.aggregate == "weighted_mean" else ""
        label = field.label + (f" (bình quân theo {weight})" if weight else "")
        sheet.write_string(row, 1, label, book.f["text"])
        book.fit_row(sheet, row, ["", label], self.columns.widths)
        sheet.write_string(row, 2, field.unit, book.f["center"])
        book.value(sheet, row, 3, field, book.data.totals[field.code], bold=True)
        if book.previous:
            moved = self.changes[field.code]
            book.value(sheet, row, 4, field, moved.previous)
            book.value(sheet, row, 5, field, moved.delta)
            book.share(sheet, row, 6, moved.percent)
        for group, col in zip(self.groups, self.columns.group_cols, strict=False):
            book.value(sheet, row, col, field, self.by_group[group][field.code])
            if self.columns.with_group_change:
                book.share(sheet, row, col + 1, self.group_change(group, field.code))
        return row + 1

    def group_change(self, group: str, code: str) -> float | None:
        """A Khối's change of a figure in percent; over the units compared when the comparison is like-for-like."""
        now = (self.by_group[group][code] if self.now_over_basis is None
               else self.now_over_basis.get(group, {}).get(code))
        return change(self.before.get(group, {}).get(code), None if now != now else now).percent

    def answer_rows(self, row: int, number: int, field: FieldSpec) -> int:
        """A question, then under it the number of units that gave each answer, province-wide and by Khối."""
        book, sheet, columns = self.book, self.sheet, self.columns
        sheet.write_string(row, 0, str(number), book.f["center"])
        label = f"{field.label}: số đơn vị theo câu trả lời"
        sheet.write_string(row, 1, label, book.f["text"])
        book.fit_row(sheet, row, ["", label], columns.widths)
        for col in range(2, columns.last + 1):
            sheet.write_blank(row, col, None, book.f["text"])
        row += 1
        units = book.data.units
        for option in field.options:
            sheet.write_string(row, 1, f"    – {option}", book.f["text"])
            sheet.write_string(row, 2, "đơn vị", book.f["center"])
            sheet.write_number(row, 3, book.data.answers[field.code][option], book.f["num_bold"])
            for group, col in zip(self.groups, columns.group_cols, strict=False):
                count = int(((units["khoi"] == group) & (units[field.code] == option)).sum())
                sheet.write_number(row, col, count, book.f["num"])
            row += 1
        return row

    def like_for_like_note(self, row: int) -> int:
        """Under the table, across it, wrapped: why last period's columns count fewer units than this period's."""
        book = self.book
        note = like_for_like_note(book.previous, book.consolidation.compared, book.data.unit_count)
        self.sheet.merge_range(row, 1, row, self.columns.last, note, book.f["note_wrap"])
        self.sheet.set_row(row, fit_height([note], (sum(self.columns.widths[1:]),)) or 18)
        return row + 1

    def derived(self, row: int) -> int:
        """The indicators computed from the province's figures, under their own heading."""
        sheet, f = self.sheet, self.book.f
        sheet.write_string(row, 0, "CHỈ SỐ TÍNH TỪ SỐ LIỆU TOÀN TỈNH", f["section"])
        row += 1
        for _, label, value, kind, unit in self.book.data.derived:
            sheet.write_string(row, 1, label, f["text"])
            sheet.write_string(row, 2, "%" if kind == "percent" else unit, f["center"])
            if value is None:
                sheet.write_string(row, 3, "—", f["center"])
            else:
                sheet.write_number(row, 3, value, f["percent" if kind == "percent" else "num_bold"])
            row += 1
        return row

    def group_chart(self, row: int, spec_chart) -> int:
        """A chart of the spec's figures by Khối; it reads a small table written just for it. Returns the
        last row used, so the next chart goes below."""
        book, sheet, groups = self.book, self.sheet, self.groups
        fields = [book.spec.by_code[code] for code in spec_chart.fields]
        sheet.set_row(row, 30)  # field labels as column heads take two lines
        sheet.write_string(row, 1, f"{spec_chart.title} (số liệu của biểu đồ)", book.f["text_bold"])
        for col, field in enumerate(fields, start=2):
            sheet.write_string(row, col, field.label, book.f["header_wrap"])
        for offset, record in enumerate(book.data.by_group.to_dict("records"), start=1):
            sheet.write_string(row + offset, 1, str(record["khoi"]), book.f["text"])
            for col, field in enumerate(fields, start=2):
                value = record.get(field.code)
                sheet.write_number(row + offset, col, 0 if value is None or value != value else value, book.f["num"])
        chart = book.workbook.add_chart({"type": "bar"})
        last = row + len(groups)
        for col in range(2, 2 + len(fields)):
            chart.add_series({"name": [TOTALS, row, col], "categories": [TOTALS, row + 1, 1, last, 1],
                              "values": [TOTALS, row + 1, col, last, col],
                              "data_labels": {"value": True, "num_format": "#,##0"}})
        chart.set_title({"name": spec_chart.title, "name_font": {"name": FONT, "size": 12}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT}})
        chart.set_x_axis({"num_format": "#,##0", "num_font": {"name": FONT}})
        chart.set_y_axis({"num_font": {"name": FONT}, "reverse": True})
        height = 90 + 40 * len(groups)
        sheet.insert_chart(last + 2, 1, chart)
        chart.set_size({"width": 760, "height": height})
        return last + 2 + height // 20 + 1


DIRECT = "Trực thuộc"  # the units that report straight to this office, beside its sub-offices' roll-ups


def by_office(book: Book, sheet: Worksheet, row: int) -> int:
    """At the level above: each sub-office's figures over the units of its roll-up (and those reporting directly),
    with how many of its own units reported; nothing when no roll-up was merged."""
    from pipeline.intake.rollup import SEPARATOR
    from pipeline.merge import province_figures

    rollups = {r.submission.unit: r for r in book.ledger.rollups}
    if not rollups:
        return row
    spec, f, units = book.spec, book.f, book.data.units
    office = units[spec.roles.unit_code].astype(str).map(lambda c: c.split(SEPARATOR, 1)[0] if SEPARATOR in c
                                                          else DIRECT)
    offices = [*sorted(rollups), *([DIRECT] if (office == DIRECT).any() else [])]
    sheet.write_string(row, 0, "THEO CÔNG ĐOÀN CẤP TRÊN CƠ SỞ (TỔNG CÁC CĐCS TRONG BẢNG TỔNG HỢP CỦA TỪNG ĐƠN VỊ)", f["section"])
    row += 1
    book.header(sheet, row, ["STT", "Chỉ tiêu", "Đơn vị tính", *offices])
    figures = {code: province_figures(spec, units[office == code]) for code in offices}
    row += 1
    sheet.write_string(row, 1, "Công đoàn cấp trên cơ sở", f["text_bold"])
    for col, code in enumerate(offices, start=3):
        sheet.write_string(row, col, rollups[code].submission.unit_name or code if code in rollups else DIRECT,
                           f["text"])
    row += 1
    sheet.write_string(row, 1, "CĐCS đã báo cáo / tổng số (theo bảng của đơn vị)", f["text"])
    for col, code in enumerate(offices, start=3):
        rollup = rollups[code].submission.rollup if code in rollups else {}
        reported = rollup.get("reported") or int((office == code).sum())
        sheet.write_string(row, col, f"{reported}/{rollup['expected']}" if rollup.get("expected") else str(reported),
                           f["center"])
    for number, field in enumerate(spec.numeric_fields, start=1):
        row += 1
        sheet.write_string(row, 0, str(number), f["center"])
        sheet.write_string(row, 1, field.label, f["text"])
        sheet.write_string(row, 2, field.unit, f["center"])
        for col, code in enumerate(offices, start=3):
            book.value(sheet, row, col, field, figures[code][field.code])
    return row + 1


def _group_previous(book: Book, groups: list[str]) -> tuple[dict[str, dict[str, float]], dict | None]:
    """Last period's figures per Khối, and this period's over the same units and figures when the comparison
    is like-for-like (None: each Khối's own figures stand)."""
    if not book.previous or not groups:
        return {}, None
    placed = {u.unit.code: u.unit.group or NO_GROUP for u in book.ledger.units}
    basis = book.consolidation.compared
    if basis is None:
        return group_previous(book.spec, book.previous, placed), None
    paired = group_like_for_like(book.spec, book.previous, book.consolidation.unit_figures, placed, basis)
    return {g: before for g, (before, _) in paired.items()}, {g: now for g, (_, now) in paired.items()}


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
