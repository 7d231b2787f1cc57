"""What every sheet of the consolidated workbook shares: its formats, page setup, cell writers and text limits."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from xlsxwriter.worksheet import Worksheet

from pipeline.form import FieldSpec
from pipeline.outputs.rows import SheetRows
from pipeline.register import VIETNAM

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation

FONT = "Times New Roman"
CELL_LIMIT = 32767


class Book:
    """One workbook being written: the consolidation, the formats, and the helpers every sheet writes with."""

    def __init__(self, workbook, consolidation: Consolidation) -> None:
        self.workbook = workbook
        self.consolidation = consolidation
        self.spec = consolidation.spec
        self.data = consolidation.figures
        self.ledger = consolidation.ledger
        self.previous = consolidation.previous
        self.f = formats(workbook)
        self.truncated: list[str] = []
        self.rows: list[SheetRows] = []  # sheets' rows written after the frame (outputs/rows.py)
        # Every format's index in the styles part, fixed now: the rows are made after XlsxWriter has saved it.
        self.xf = {name: style._get_xf_index() for name, style in self.f.items()}

    def unit_names(self) -> dict[str, str]:
        """Each unit's name by its code, for every unit the ledger knows (roster or reports)."""
        return {u.unit.code: u.unit.name for u in self.ledger.units}

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
        height = fit_height(texts, widths)
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

    def share(self, sheet: Worksheet, row: int, col: int, percent: float | None) -> None:
        """A change in percent, as "3,0%"; blank when last period's figure is unknown or 0."""
        if percent is None:
            sheet.write_blank(row, col, None, self.f["num"])
        else:
            sheet.write_number(row, col, percent / 100, self.f["percent"])

    def cell(self, value, numeric: bool, bold: bool = False) -> tuple[object, int]:
        """A figure as a bulk row's cell holds it (value, xf index), formatted as `value` formats it."""
        value, style = _styled(value, numeric, bold)
        return value, self.xf[style]

    def bulk(self, sheet: Worksheet, first: int, count: int, last_column: int, make) -> None:
        """`count` rows from row `first` on, made by `make()` once the frame is saved (outputs/rows.py)."""
        self.rows.append(SheetRows(f"xl/worksheets/sheet{sheet.index + 1}.xml", first, count, last_column, make))


def fit_height(texts: list, widths: tuple[int, ...]) -> int | None:
    """The height of a row whose wrapped texts take several lines in columns of `widths`; None for one line."""
    return height_of(max((line_count(text, width) for text, width in zip(texts, widths, strict=False)), default=1))


def line_count(text, width: int) -> int:
    """The lines a text takes wrapped in a column of `width` (its own line ends counted)."""
    text, across = str(text), max(int(width * 1.15), 1)
    if "\n" not in text:  # most cells: one paragraph (a row per point of a province's narratives comes here)
        return -(-len(text) // across) or 1
    return sum(-(-len(line) // across) or 1 for line in text.split("\n"))


def height_of(lines: int) -> int | None:
    """A row's height for that many lines of text; None for one (the sheet's default)."""
    return min(15 * lines + 3, 409) if lines > 1 else None


def pieces(length: int) -> int:
    """How many cells a text of `length` characters takes (a cell holds 32,767)."""
    return max(1, -(-length // CELL_LIMIT))


def piece(text: str, index: int) -> str:
    """The `index`th cell's worth of a text longer than a cell (see `pieces`)."""
    return text[index * CELL_LIMIT:(index + 1) * CELL_LIMIT]


def cut(value) -> str:
    return "" if value is None else str(value)[:CELL_LIMIT]


def _styled(value, numeric: bool, bold: bool = False) -> tuple[object, str]:
    """A figure and the name of its format: blank (None, NaN, NaT) and numbers as counts, dates, else text."""
    if value is None or value != value:
        return None, "num_bold" if bold else "num"
    if numeric:
        return value, "num_bold" if bold else "num"
    if isinstance(value, (dt.date, dt.datetime)):
        return value, "date"
    return cut(value), "text"


def _page(sheet: Worksheet, landscape: bool, fit: bool = True) -> None:
    sheet.set_paper(9)
    sheet.set_landscape() if landscape else sheet.set_portrait()
    if fit:
        sheet.fit_to_pages(1, 0)
    else:
        sheet.set_print_scale(75)
    sheet.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer(f'&L&"{FONT}"&9&A&R&"{FONT}"&9Trang &P/&N')


def formats(workbook) -> dict:
    base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
    cell = {**base, "border": 1}
    specs = {
        "org": {**base, "bold": True},
        "title": {**base, "bold": True, "font_size": 14},
        "note": {**base, "italic": True, "font_color": "#595959"},
        "note_wrap": {**base, "italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
        "header": {**cell, "bold": True, "bg_color": "#D9E1F2", "align": "center", "text_wrap": True},
        "header_wrap": {**cell, "bold": True, "bg_color": "#D9E1F2", "align": "center", "text_wrap": True,
                        "font_size": 10},
        "section": {**cell, "bold": True, "bg_color": "#EDEDED"},
        # the one column of a sheet staff type in ("Phân nhóm câu"): yellow, as the template's input cells
        "editable": {**cell, "bg_color": "#FFFF99", "text_wrap": True, "valign": "top"},
        "header_editable": {**cell, "bold": True, "bg_color": "#FFFF99", "align": "center", "text_wrap": True},
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


def set_widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    """Each column's width, from the first column on."""
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
