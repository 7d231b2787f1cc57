"""The office's corrections of the grouping (issue 24): what staff typed in the yellow column "Nhóm do văn phòng
chọn" of the workbook's "Phân nhóm câu" sheet, read back by the next run, kept in the register and applied to the
groups of every output.

A point is one sentence of one unit's narrative, matched by field, unit code and its text (spaces collapsed). What
the office typed says where it goes: another group's number (as the old sheet numbered the groups of that Mục,
resolved here to that group's label), a new label (a new group of that name), or "riêng" (a group of its own).
Groups are then found by label, so a number typed once keeps meaning the same group whatever numbers later runs
give it; a label no group has any more starts a group of that name.

The register keeps the corrections in force per form and period, so they outlive the workbook. Each workbook shows
them again in the yellow column: a cell the office empties there withdraws that correction, from the register too
(a correction is never withdrawn by a workbook that does not list its point). A correction whose point is gone is
kept, listed at the end of the sheet and in the summary, until the office empties its cell."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.form import FormSpec
from pipeline.narratives.themes import Group, Theme, ordered_groups

SHEET = "Phân nhóm câu"
COLUMNS = ("Mục", "Mã CĐCS", "Đơn vị", "Ý", "Nhóm", "Tên nhóm", "Nhóm do văn phòng chọn")
SECTION, UNIT, NAME, POINT, NUMBER, LABEL, CHOSEN = range(len(COLUMNS))
ALONE = "riêng"
_ALONE_TYPED = {"riêng", "rieng", "(riêng)", "đứng riêng", "để riêng"}
_NUMBER = re.compile(r"(?:nhóm|nhom|số|so)?\s*(\d{1,6})\s*[.)]?", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def collapsed(text: str) -> str:
    """A text as points and labels are compared: NFC, runs of white space as one space, no spaces at the ends."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


@dataclass(frozen=True)
class Correction:
    """Move the point (field, unit, text) to `target`: ("group", label) a group shown under that label, ("new",
    label) a group the office named, ("alone",) a group of its own."""

    field: str
    unit: str
    text: str
    target: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return self.field, self.unit, collapsed(self.text)

    @property
    def label(self) -> str | None:
        return self.target[1] if self.target[0] in ("group", "new") else None

    def typed(self) -> str:
        """Where the point goes, in words: the group's label, or "riêng"."""
        return ALONE if self.target[0] == "alone" else self.target[1]


@dataclass
class SheetRead:
    """What the old workbook's sheet holds: its form and period (from its machine-readable sheet), the
    corrections typed, the points listed with the yellow cell left empty (a correction shown there before and
    now emptied: the office withdrew it), and every row it could not read, in words."""

    form: str | None = None
    period: str | None = None
    corrections: list[Correction] = field(default_factory=list)
    cleared: list[tuple[str, str, str]] = field(default_factory=list)  # (field, unit, text as read)
    problems: list[str] = field(default_factory=list)


def section_text(spec: FormSpec, code: str) -> str:
    """The "Mục" cell of a field's points: its label ("II.1. Tham gia quản lý…"), unique in the form."""
    return spec.by_code[code].label


def read_corrections(workbook_path: Path, spec: FormSpec) -> tuple[list[Correction], list[str]]:
    """The corrections typed in the old workbook's "Phân nhóm câu" sheet, and the problems met, in words."""
    found = read_sheet(workbook_path, spec)
    return found.corrections, found.problems


def read_sheet(workbook_path: Path, spec: FormSpec) -> SheetRead:
    """The old workbook's sheet read with python-calamine (see SheetRead). A workbook that cannot be read, or has
    no such sheet, is one problem (or none: a workbook of a form without narratives), never an exception."""
    from pipeline.intake.rollup import DATA_SHEET, data_part
    from pipeline.tables import TableError, reading

    path = Path(workbook_path)
    result = SheetRead()
    try:
        with reading(path):
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(path))
            names = book.sheet_names
            if DATA_SHEET in names:
                meta = data_part(book)
                result.form, result.period = meta.get("form") or None, meta.get("period") or None
            if SHEET not in names:
                return result
            rows = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    except (TableError, OSError, ValueError) as exc:
        result.problems.append(f"Không đọc được bảng tổng hợp cũ {path.name} để lấy chỉnh sửa phân nhóm của văn phòng "
                               f"({exc}): lần này chỉ áp dụng các chỉnh sửa đã lưu trong sổ tiếp nhận.")
        return result
    _read_rows(spec, rows, result)
    return result


def _read_rows(spec: FormSpec, rows: list[list], result: SheetRead) -> None:
    from pipeline.tables import cell_text

    header = next((at for at, row in enumerate(rows) if [collapsed(cell_text(v)) for v in row[:len(COLUMNS)]]
                   == list(COLUMNS)), None)
    if header is None:
        result.problems.append(f"Trang “{SHEET}” của bảng tổng hợp cũ không có dòng tiêu đề cột như công cụ đã ghi "
                               "(có thể đã bị sửa): không lấy được chỉnh sửa phân nhóm nào từ trang này.")
        return
    fields = {}
    for f in spec.narrative_fields:  # a Mục is read by the label the sheet shows, or the field's code
        fields[collapsed(f.label).casefold()] = f.code
        fields[f.code.casefold()] = f.code
    body = [(header + 1 + offset, row) for offset, row in enumerate(rows[header + 1:])]
    sections: dict[object, str | None] = {}  # a Mục cell as read -> its field (a few distinct values)

    def field_of(value) -> str | None:
        if value not in sections:
            sections[value] = fields.get(collapsed(cell_text(value)).casefold())
        return sections[value]

    numbers: dict[tuple[str, int], str] = {}  # (field, group number) -> that group's label, as the sheet shows
    for _, row in body:
        number = _at(row, NUMBER)
        if isinstance(number, (int, float)) and float(number).is_integer():
            code = field_of(_at(row, SECTION))
            if code and (code, int(number)) not in numbers:
                numbers[code, int(number)] = collapsed(cell_text(_at(row, LABEL)))
    for index, row in body:
        line = index + 1  # as Excel numbers its rows
        typed = _at(row, CHOSEN)
        code = field_of(_at(row, SECTION))
        unit, text = cell_text(_at(row, UNIT)).strip(), cell_text(_at(row, POINT))
        if typed is None or (isinstance(typed, str) and not typed.strip()):
            if code and unit and text:
                result.cleared.append((code, unit, text))  # collapsed when compared (changes, merged)
            continue
        section, text = collapsed(cell_text(_at(row, SECTION))), collapsed(text)
        where = f"Trang “{SHEET}”, dòng {line}"
        if not (code and unit and text):
            result.problems.append(f"{where}: có nội dung “{cell_text(typed)[:40]}” ở cột “{COLUMNS[CHOSEN]}” nhưng "
                                   f"dòng không đủ mục, mã đơn vị và ý (có thể đã bị sửa hoặc xóa): không áp dụng.")
            continue
        target = _target(typed, code, numbers)
        if isinstance(target, str):
            result.problems.append(f"{where} ({unit}, {section}): {target} Chỉnh sửa này không được áp dụng.")
            continue
        result.corrections.append(Correction(code, unit, text, target))


def _at(row: list, column: int):
    return row[column] if column < len(row) else None


def _target(typed, code: str, numbers: dict[tuple[str, int], str]) -> tuple[str, ...] | str:
    """What a typed cell asks for, or why it cannot be read (in words)."""
    if isinstance(typed, bool) or not isinstance(typed, (str, int, float)):
        return f"giá trị “{typed}” không phải số nhóm, tên nhóm hay “{ALONE}”."
    if isinstance(typed, (int, float)):
        if not float(typed).is_integer():
            return f"“{typed}” không phải số nhóm (số nhóm là số nguyên ở cột “Nhóm”)."
        number = int(typed)
    else:
        words = collapsed(typed)
        if words.casefold() in _ALONE_TYPED:
            return ("alone",)
        match = _NUMBER.fullmatch(words)
        if match is None:
            return ("new", words)
        number = int(match.group(1))
    label = numbers.get((code, number))
    if label is None:
        return f"không có nhóm số {number} trong mục này (xem cột “Nhóm” của cùng mục)."
    return ("group", label)


def apply_corrections(themes: dict[str, list[Group]], corrections: list[Correction]
                      ) -> tuple[dict[str, list[Group]], int, list[Correction]]:
    """New groups with each corrected point moved where the office said (the groups given are not changed):
    into the group of that label in its field (one is made with that label if none has it), or into a group of
    its own. Returns the groups, largest first as before, how many corrections found their point, and the
    corrections whose point no longer exists (the unit's text changed, the unit is no longer accepted)."""
    wanted: dict[str, dict[tuple[str, str], Correction]] = {}
    for correction in corrections:  # the last one given for a point wins
        wanted.setdefault(correction.field, {})[correction.key[1:]] = correction
    found: set[tuple[str, str, str]] = set()
    result = dict(themes)
    for code, by_point in wanted.items():
        if code in themes:
            result[code] = _corrected(code, themes[code], by_point, found)
    applied = [c for by_point in wanted.values() for c in by_point.values() if c.key in found]
    missing = [c for by_point in wanted.values() for c in by_point.values() if c.key not in found]
    return result, len(applied), missing


def _corrected(code: str, groups: list[Group], by_point: dict[tuple[str, str], Correction],
               found: set[tuple[str, str, str]]) -> list[Group]:
    kept: list[Group] = []
    moved: list[tuple[tuple[str, str, str], Correction]] = []
    for group in groups:
        staying = []
        for sentence in group.sentences:
            correction = by_point.get((sentence[0], collapsed(sentence[2])))
            if correction is None:
                staying.append(sentence)
            else:
                moved.append((sentence, correction))
                found.add(correction.key)
        if len(staying) == len(group.sentences):
            kept.append(group)  # untouched: shared, never changed below (a fresh copy is made before adding)
        elif staying:
            kept.append(Group(code, group.theme, staying))
    if not moved:
        return groups
    given = {id(group) for group in groups}
    fresh = {id(group) for group in kept if id(group) not in given}
    by_label: dict[str, int] = {}
    for at, group in enumerate(kept):
        by_label.setdefault(collapsed(group.label).casefold(), at)
    for sentence, correction in moved:
        if correction.target[0] == "alone":
            kept.append(Group(code, None, [sentence]))
            continue
        label = correction.label
        at = by_label.get(label.casefold())
        if at is None:  # a group named by the office: its label is what the office typed
            at = by_label[label.casefold()] = len(kept)
            kept.append(Group(code, Theme(f"office:{label}", label, ()), []))
        elif id(kept[at]) not in fresh:
            kept[at] = Group(code, kept[at].theme, list(kept[at].sentences))
        fresh.add(id(kept[at]))
        kept[at].sentences.append(sentence)
    return ordered_groups(kept)


def merged(stored: list[Correction], read: SheetRead | None) -> list[Correction]:
    """The corrections in force: the register's, then what the workbook says (it is what the office typed last):
    a correction typed there replaces the stored one for its point, an emptied cell withdraws it."""
    current = {c.key: c for c in stored}
    if read is None:
        return list(current.values())
    if current:
        for code, unit, text in read.cleared:
            current.pop((code, unit, collapsed(text)), None)
    for correction in read.corrections:
        current[correction.key] = correction
    return list(current.values())


@dataclass(frozen=True)
class Changes:
    """What the register is to keep of a workbook's sheet, for the form and period that workbook was of: the
    corrections typed that it does not already hold as they are, and the points whose correction was withdrawn."""

    form: str
    period: str
    typed: list[Correction]
    withdrawn: list[tuple[str, str, str]]


def changes(stored: list[Correction], read: SheetRead | None) -> Changes | None:
    """The register's update from what the sheet says (see merged); None when there is nothing to change."""
    if read is None or not read.form or not read.period:
        return None
    known = {c.key: c for c in stored}
    # a number shown and read back names the same group as the label typed first: compared as the sheet shows them
    typed = [c for c in read.corrections if c.key not in known or known[c.key].typed() != c.typed()]
    withdrawn = list(dict.fromkeys(key for key in ((code, unit, collapsed(text)) for code, unit, text in read.cleared)
                                   if key in known)) if known else []
    return Changes(read.form, read.period, typed, withdrawn) if typed or withdrawn else None
