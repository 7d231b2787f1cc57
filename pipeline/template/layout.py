"""Where every field, heading and hint of a form sits in the template: the only place coordinates live."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from pipeline.form import FieldSpec, FormSpec, SectionSpec
from pipeline.ooxml import cell_name, column_letter

SHEET_GUIDE = "Hướng dẫn"
SHEET_FIGURES = "Số liệu"
SHEET_NARRATIVE = "Thuyết minh"
SHEET_IDENTITY = "_id"

# Defined names of the hidden identity; they start with "_" so no field code can take them.
NAME_FORM_ID = "_form_id"
NAME_FORM_VERSION = "_form_version"
NAME_UNIT_CODE = "_unit_code"
IDENTITY_NAMES = (NAME_FORM_ID, NAME_FORM_VERSION, NAME_UNIT_CODE)

# Columns of the figures sheet (0-based): number, label, unit of measure, value, in-sheet check.
COL_NUMBER, COL_LABEL, COL_UNIT, COL_VALUE, COL_CHECK = range(5)
FIGURES_FIRST_ROW = 8  # rows above hold the office header, title and self-check summary
TITLE_ROW = 3  # the report's title on the figures sheet
SUBTITLE_ROW = 4  # under it: the guidance it follows, the deadline and where to send the file
NARRATIVE_TITLE = "PHẦN THUYẾT MINH"
# Columns of the narrative sheet: section number and the text.
COL_TEXT = 1


def anchors(spec: FormSpec) -> dict[str, tuple[str, str]]:
    """Fixed texts of locked cells, per sheet: a file whose sheets were swapped or rebuilt fails them."""
    fixed = {SHEET_FIGURES: (f"A{TITLE_ROW + 1}", spec.title.upper())}
    if spec.narrative_fields:
        fixed[SHEET_NARRATIVE] = ("A1", NARRATIVE_TITLE)
    return fixed


@dataclass(frozen=True)
class CellRef:
    sheet: str
    row: int  # 0-based
    col: int  # 0-based

    @property
    def a1(self) -> str:
        return cell_name(self.row, self.col)

    @property
    def absolute(self) -> str:
        """The formula reference a defined name points at: ='Số liệu'!$D$12."""
        return f"='{self.sheet}'!${column_letter(self.col)}${self.row + 1}"


@dataclass(frozen=True)
class Row:
    """One row of a template sheet: a section heading, a hint, a field, or the table header."""

    kind: str  # "section" | "hint" | "field" | "header"
    row: int
    section: SectionSpec | None = None
    field: FieldSpec | None = None
    number: str = ""


@dataclass(frozen=True)
class TemplateLayout:
    figures: tuple[Row, ...]
    narrative: tuple[Row, ...]
    cells: dict[str, CellRef]
    identity: dict[str, CellRef]

    @cached_property
    def addresses(self) -> dict[str, tuple[str, str]]:
        """(sheet, "D20") of every field and identity name: where intake looks when a file has no names."""
        return {name: (ref.sheet, ref.a1) for name, ref in {**self.identity, **self.cells}.items()}

    @property
    def figure_rows(self) -> range:
        rows = [r.row for r in self.figures]
        return range(min(rows), max(rows) + 1)


@lru_cache(maxsize=8)
def layout_for(spec: FormSpec) -> TemplateLayout:
    """Place every section and field of `spec`; the builder and the coordinate fallback both read this."""
    figures = _figures_rows(spec)
    narrative = _narrative_rows(spec)
    cells: dict[str, CellRef] = {}
    for row in figures:
        if row.kind == "field":
            col = COL_UNIT if row.field.section == spec.unit_section else COL_VALUE
            cells[row.field.code] = CellRef(SHEET_FIGURES, row.row, col)
    for row in narrative:
        if row.kind == "field":
            cells[row.field.code] = CellRef(SHEET_NARRATIVE, row.row, COL_TEXT)
    identity = {name: CellRef(SHEET_IDENTITY, i, 1) for i, name in enumerate(IDENTITY_NAMES)}
    return TemplateLayout(tuple(figures), tuple(narrative), cells, identity)


def _figures_rows(spec: FormSpec) -> list[Row]:
    rows: list[Row] = []
    row = FIGURES_FIRST_ROW
    holding = _sections_holding_figures(spec)
    for section in spec.sections:
        fields = [f for f in spec.fields_in(section.code) if f.kind != "narrative"]
        if section.code not in holding:
            continue
        if section.code != spec.unit_section and not any(r.kind == "header" for r in rows):
            rows.append(Row("header", row))
            row += 1
        rows.append(Row("section", row, section=section))
        row += 1
        for number, field in enumerate(fields, start=1):
            rows.append(Row("field", row, section=section, field=field, number=str(number)))
            row += 1
        row += section.code == spec.unit_section  # a blank line between the unit block and the table
    return rows


def _sections_holding_figures(spec: FormSpec) -> set[str]:
    """Sections with figures of their own or in a subsection: a parent heading ("I. …") stands above its parts."""
    holding = {f.section for f in spec.figure_fields}
    for section in spec.sections:
        parent = section.parent
        while section.code in holding and parent and parent not in holding:
            holding.add(parent)
            parent = spec.section_by_code[parent].parent
    return holding


def _narrative_rows(spec: FormSpec) -> list[Row]:
    rows: list[Row] = []
    row = 4
    for section in spec.sections:
        if section.code == spec.unit_section:
            continue
        narratives = [f for f in spec.fields_in(section.code) if f.kind == "narrative"]
        rows.append(Row("section", row, section=section))
        row += 1
        if section.hint:
            rows.append(Row("hint", row, section=section))
            row += 1
        for field in narratives:
            rows.append(Row("field", row, section=section, field=field))
            row += 1
    return rows
