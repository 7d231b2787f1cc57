"""Sheet names, and what a later run reads back (previous/read.py): the hidden `_du_lieu` and field-codes row."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.intake.rollup import CODES_MARK, DATA_SHEET, TEXTS_SHEET
from pipeline.narratives.corrections import SHEET as POINT_GROUPS

TOTALS, BY_UNIT, NARRATIVES, GROUPS, RECOMMENDATIONS = (
    "Tổng hợp", "Theo đơn vị", "Thuyết minh", "Nhóm ý kiến", "Kiến nghị")
STATUS, PROBLEMS, REGISTER, CHANGES = "Tình hình nộp", "Lỗi, cảnh báo", "Sổ tiếp nhận", "Thay đổi"
COMPARED, COMPARED_PERIOD = "So với năm trước", "So với kỳ trước"  # a yearly form; a form of several periods
# "Phân nhóm câu" (POINT_GROUPS) is read back by the next run: the office's corrections (narratives/corrections.py).
SHEETS = (TOTALS, BY_UNIT, COMPARED, NARRATIVES, GROUPS, POINT_GROUPS, RECOMMENDATIONS, STATUS, PROBLEMS, REGISTER,
          CHANGES)


def sheet_names(spec, previous=None) -> list[str]:
    """The workbook's sheets in order: no empty sheet for what the form lacks; the machine-readable one last."""
    wanted = [name for name in SHEETS if (name not in (NARRATIVES, GROUPS, POINT_GROUPS) or spec.narrative_fields)
              and (name != RECOMMENDATIONS or spec.roles.recommendations)
              and (name != COMPARED or previous is not None)]
    return [compared_name(spec) if name == COMPARED else name for name in wanted] + [DATA_SHEET] + (
        [TEXTS_SHEET] if spec.narrative_fields else [])


def compared_name(spec) -> str:
    return COMPARED_PERIOD if spec.periods else COMPARED


def write_field_codes(sheet: Worksheet, row: int, codes: list[str]) -> None:
    """A hidden row of field codes, marked in its first cell: how a later run finds each column's figures."""
    sheet.set_row(row, None, None, {"hidden": True})
    for col, code in enumerate([CODES_MARK, *codes]):
        sheet.write_string(row, col, code)


def write_data_sheet(book) -> None:
    """Very hidden sheets saying what this workbook is and where its figures stand by field code, so that
    next period's run reads it back (`--previous`) and the level above reads it as a roll-up (intake/rollup.py):
    the office it is from, how many of its units reported, and each unit's texts by field code."""
    spec, ledger = book.spec, book.ledger
    sheet = book.workbook.add_worksheet(DATA_SHEET)
    rows = [("form", spec.id), ("version", spec.version), ("period", spec.period),
            ("phrase", spec.period_phrase), ("sheet", BY_UNIT), ("unit_code", spec.roles.unit_code),
            ("office", spec.office_code), ("office_name", spec.office),
            ("expected", str(ledger.expected)), ("reported", str(book.data.unit_count))]
    for row, (key, value) in enumerate(rows):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.very_hidden()
    if not spec.narrative_fields:
        return
    # A row per unit (a national roll-up's units fit Excel's rows; a row per text would not), a column per field.
    texts = book.workbook.add_worksheet(TEXTS_SHEET)
    codes = [f.code for f in spec.narrative_fields]
    for col, code in enumerate([spec.roles.unit_code, *codes]):
        texts.write_string(0, col, code)
    by_unit: dict[str, dict[str, str]] = {}
    for code, entries in book.data.narratives.items():
        for unit, _, text in entries:
            by_unit.setdefault(unit, {})[code] = text
    # Rows streamed as inline texts (outputs/rows.py), as the other sheets of a province's texts: through
    # XlsxWriter's shared strings they cost a tenth of the whole workbook.
    starts = [(unit, found, start) for unit, found in by_unit.items()
              for start in range(0, max(len(text) for text in found.values()), CELL_LIMIT)]

    def make():
        for unit, found, start in starts:  # a text longer than a cell holds goes on in the next row
            yield None, [(0, unit, 0), *((col, found[code][start:start + CELL_LIMIT], 0)
                                         for col, code in enumerate(codes, start=1)
                                         if found.get(code, "")[start:start + CELL_LIMIT])]
    book.bulk(texts, 1, len(starts), len(codes), make)
    texts.very_hidden()


CELL_LIMIT = 32_000  # characters: Excel's cell holds 32,767
