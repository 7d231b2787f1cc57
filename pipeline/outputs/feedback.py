"""Feedback for units: a copy of each faulty workbook with the cells marked, and a chase list for a mail merge."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.filenames import fit_name
from pipeline.files import atomic_path, move_into_place, temporary_beside
from pipeline.isolation import Failure, run_isolated
from pipeline.ledger import FileRecord
from pipeline.outputs import Written, chase_list_name, feedback_folder
from pipeline.outputs.marking import Listing, Mark, marked_copy
from pipeline.problems import Problem
from pipeline.vietnamese import upper_first

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation

# openpyxl is imported only where a copy is made with it (a package the patcher cannot edit): a run whose
# copies are all patched, the usual case, never loads it (about 0.12 s). The chase list is XlsxWriter's.
ERROR_COLOUR, WARNING_COLOUR = "FFC7CE", "FFEB9C"  # cell fills of the openpyxl copy: light red, light yellow
LIST_SHEET = "Danh sách lỗi"
FONT = "Times New Roman"
COPY_TIMEOUT = 60.0  # seconds to reopen and mark one unit's workbook with openpyxl
LIST_HEADER = ("Mức độ", "Loại", "Trang", "Ô", "Nội dung")
LIST_WIDTHS = (10, 22, 12, 14, 90)
CHASE_SHEET = "Cần nhắc"
CHASE_HEADER = ("Mã CĐCS", "Tên CĐCS", "Khối", "Tình trạng", "Email", "Điện thoại", "Ghi chú")
CHASE_WIDTHS = (11, 36, 16, 12, 28, 14, 50)  # characters, as openpyxl's column_dimensions stored them
CHASE_NOTES = {"missing": "Chưa gửi báo cáo", "late": "Gửi sau hạn",
               "rejected": "Tệp có lỗi, cần sửa và gửi lại (xem thư mục phan-hoi)"}
# What a cell of an .xlsx cannot hold (XML 1.0 refuses these control characters): openpyxl's
# ILLEGAL_CHARACTERS_RE, copied so that cleaning a text does not import openpyxl.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
MAX_DIGIT_WIDTH = 7  # pixels of one digit in Calibri 11, Excel's unit of column width


@dataclass(frozen=True)
class FeedbackTask:
    """Everything a worker needs to write one feedback workbook (picklable)."""

    source: str
    relative: str
    problems: tuple[Problem, ...]
    target: str
    copy_source: bool  # reopen the unit's own workbook, or write the list of problems alone


# What Windows refuses in a file name (macOS and Linux refuse only "/" and NUL); Vietnamese letters are fine.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_NAME_LIMIT = 120  # characters before ".xlsx": the outbox path must stay within Windows' 260
_SUFFIX_DIGITS = 6
# Bytes of UTF-8 in a whole feedback name, ".xlsx" and what tells namesakes apart included: 255 is the usual limit
# of one name, and the temporary file it is written to first (files.temporary_beside) adds about 20.
NAME_BYTES = 200
_ADDED = len("-") + _SUFFIX_DIGITS + len("-9999999") + len(".xlsx")  # the most feedback_names adds to a name


def feedback_names(records: list[FileRecord]) -> list[str]:
    """One distinct file name per record: `<unit code>-<its path in the inbox>.xlsx`, readable as the unit named
    it, with a few hex digits of the file's sha256 added where two names would still be the same (compared as
    Windows and macOS do: ignoring case, after Unicode normalisation)."""
    names = [_readable_name(record) for record in records]
    taken = Counter(_folded(name) for name in names)
    unique: list[str] = []
    used: set[str] = set()
    for record, name in zip(records, names):
        if taken[_folded(name)] > 1:
            name = f"{name}-{(record.submission.sha256 or '0' * _SUFFIX_DIGITS)[:_SUFFIX_DIGITS]}"
        candidate, number = name, 1
        while _folded(candidate) in used:  # the same bytes under two paths that read alike: count them
            number += 1
            candidate = f"{name}-{number}"
        used.add(_folded(candidate))
        unique.append(f"{candidate}.xlsx")
    return unique


def _readable_name(record: FileRecord) -> str:
    path = Path(record.relative)
    extension = path.suffix.lower() if len(path.suffix) <= 11 else ""  # "a. Trường B" has no extension
    # Feedback is always .xlsx; the original's own type stays in the name, so a.ods and a.xls stay apart.
    kept = f" ({_safe(extension[1:])})" if extension and extension != ".xlsx" else ""
    own = path.stem if extension else path.name
    stem = "_".join((*path.parent.parts, own)) if path.parent != Path(".") else own
    name = f"{_safe(record.unit or 'khong-ro-ma')}-{_safe(stem)}"
    return fit_name(name[: _NAME_LIMIT - len(kept)].rstrip(". ") + kept, NAME_BYTES - _ADDED, keep=kept)


def _safe(text: str) -> str:
    # Windows also drops trailing dots and spaces: strip them so two names cannot meet there.
    return _FORBIDDEN.sub("_", unicodedata.normalize("NFC", text)).strip(" .") or "tep"


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def feedback_records(consolidation: Consolidation) -> list[FileRecord]:
    """The files that get a feedback copy, in the order of the ledger: read or refused, with problems."""
    return [r for r in consolidation.ledger.records if r.state in ("accepted", "rejected") and r.problems]


SPREAD_FROM = 200  # copies; from this many, with `spread`, they are made in worker processes on every core


def write_feedback(consolidation: Consolidation, outbox: Path, spread: bool = False,
                   made: dict[str, str] | None = None) -> tuple[tuple[Written, ...], Written]:
    """One marked copy per unit file with problems, and the chase list: (the copies, the chase list). A copy that
    `made` says was made from the same file and problems, and is still there, is kept as it is.

    A unit's .xlsx/.xlsm is marked by patching its package (outputs/marking.py), which keeps everything else
    in it. A package the patcher does not edit is reopened with openpyxl in a worker process with a time
    limit instead: that is a unit's file parsed outside intake, so a file that breaks openpyxl gets the list
    alone. A file of another type (.xls, .ods) gets the list alone. With `spread` (the run writes nothing else
    meanwhile) and many copies, every copy is made in the worker processes, both ways tried there.
    """
    folder = outbox / feedback_folder(consolidation.spec.id)
    folder.mkdir(parents=True, exist_ok=True)
    records = feedback_records(consolidation)
    targets = [folder / name for name in feedback_names(records)]
    order = {target: number for number, target in enumerate(targets)}  # the copies come back in the files' order
    sources = [_source(r) for r in records]
    kept = [Written(t, source=s) for t, s in zip(targets, sources) if (made or {}).get(t.name) == s and t.is_file()]
    unchanged = {w.path for w in kept}
    pending = [(r, t, s) for r, t, s in zip(records, targets, sources) if t not in unchanged]
    records, targets, sources = ([r for r, _, _ in pending], [t for _, t, _ in pending], [s for _, _, s in pending])
    tasks = [FeedbackTask(r.submission.path, r.relative, tuple(r.problems), str(temporary_beside(t)),
                          # a file the office set aside goes back as the list alone: its content is not in question
                          r.submission.kind in ("xlsx", "xlsm") and r.submission.read and not r.excluded)
             for r, t in zip(records, targets)]
    written: list[Path] = []
    try:
        if spread and len(tasks) >= SPREAD_FROM:
            outcomes = dict(zip(map(id, tasks), run_isolated(any_copy, tasks, timeout=COPY_TIMEOUT)))
        else:
            slow = [task for task in tasks if not (task.copy_source and patched_copy(task))]
            outcomes = dict(zip(map(id, slow), run_isolated(write_feedback_copy, slow, timeout=COPY_TIMEOUT))) if slow else {}
        for task, target in zip(tasks, targets):
            if isinstance(outcomes.get(id(task)), Failure):
                write_feedback_copy(FeedbackTask(task.source, task.relative, task.problems, task.target, False))
            move_into_place(Path(task.target), target)
            written.append(target)
    finally:
        for task in tasks:
            Path(task.target).unlink(missing_ok=True)
    keep = {p.name for p in written} | {w.path.name for w in kept}
    for stale in folder.glob("*.xlsx"):
        if stale.name not in keep:  # a unit that fixed its file no longer gets last run's feedback
            stale.unlink(missing_ok=True)
    chase = outbox / chase_list_name(consolidation.spec.id)
    with atomic_path(chase) as temporary:
        _chase_list(consolidation, temporary)
    made_now = {path: source for path, source in zip(targets, sources)}
    copies = sorted([*kept, *(Written(path, source=made_now[path]) for path in written)], key=lambda w: order[w.path])
    return tuple(copies), Written(chase)


def _source(record: FileRecord) -> str:
    """What a unit's feedback copy is made from: its file's content and every problem, as one digest."""
    from pipeline import __version__

    text = repr((__version__, record.submission.sha256, record.excluded,
                 [(p.severity, p.code, p.message, p.sheet, p.cell, p.related) for p in record.problems]))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def any_copy(task: FeedbackTask) -> bool:
    """Patched if the package allows, else through openpyxl (in a worker process: see write_feedback)."""
    if not (task.copy_source and patched_copy(task)):
        write_feedback_copy(task)
    return True


def patched_copy(task: FeedbackTask) -> bool:
    """The unit's own package with its cells marked and the list in front; False when it cannot be patched."""
    try:
        data = Path(task.source).read_bytes()
        Path(task.target).write_bytes(marked_copy(data, _marks(task.problems), _listing(task)))
        return True
    except Exception:  # Unsupported, or a package broken in a way intake let pass: the openpyxl path decides
        return False


def _marks(problems: tuple[Problem, ...]) -> list[Mark]:
    return [Mark(p.sheet, ref, p.is_error, f"{'LỖI' if p.is_error else 'CẢNH BÁO'}: {clean(p.message)}")
            for p in problems if p.sheet and p.cell for ref in (p.cell, *p.related) if ref]


def _listing(task: FeedbackTask) -> Listing:
    rows = tuple((f.is_error, tuple(clean(v) for v in _row_values(f))) for f in folded(task.problems))
    return Listing(LIST_SHEET, clean(_title(task)), _summary(task), LIST_HEADER, rows, LIST_WIDTHS)


def _title(task: FeedbackTask) -> str:
    return f"Phản hồi về tệp {task.relative}"


ACCEPTED_NOTE = "Tệp đã được nhận; các điểm dưới đây chỉ để đơn vị xem lại, không cần gửi lại."
EXCLUDED = "excluded"  # the office set the file aside: nothing to fix, the office says why


def only_set_aside(problems) -> bool:
    """Every error is the office's own setting aside (`consolidate mark --exclude`): nothing for the unit to fix."""
    errors = {p.code for p in problems if p.is_error}
    return errors == {EXCLUDED}


def _summary(task: FeedbackTask) -> str:
    errors = sum(p.is_error for p in task.problems)
    warnings = len(task.problems) - errors
    if not errors:
        return (f"{ACCEPTED_NOTE} Có {warnings} cảnh báo; các ô liên quan được tô vàng và có ghi chú. Nếu số liệu "
                "đúng thì không cần sửa.")
    if only_set_aside(task.problems):
        return "Văn phòng đã để riêng tệp này (lý do ở dưới); liên hệ văn phòng nếu cần gửi lại."
    also = f" và {warnings} cảnh báo cần xem lại" if warnings else ""
    return (f"Có {errors} lỗi cần sửa{also}. Các ô có vấn đề được tô màu (đỏ: lỗi, vàng: cảnh báo) và có "
            "ghi chú. Sửa trong tệp gốc của đơn vị rồi gửi lại.")


@dataclass(frozen=True)
class Fold:
    """Problems of one kind that differ only in the cell they name (22 cells typed in TCVN3): one line of the
    list and of the mail, the cells named together. The cells themselves stay marked one by one."""

    is_error: bool
    code: str
    label: str
    sheet: str
    cells: tuple[str, ...]
    text: str  # what they share: the message without the cell it opens with (the whole message when alone)
    count: int

    @property
    def line(self) -> str:
        """One line for a text (the mail): the message as it is when alone, else the sheet, the cells, the text."""
        if self.count == 1:
            return self.text
        return f"Trang \"{self.sheet}\", {self.count} ô {cell_list(self.cells)}: {self.text}"


CELLS_NAMED = 30  # in a line of text; the sheet's list names every cell


def cell_list(cells: tuple[str, ...], limit: int = CELLS_NAMED) -> str:
    shown = ", ".join(cells[:limit])
    return f"{shown} và {len(cells) - limit} ô khác" if len(cells) > limit else shown


def folded(problems) -> list[Fold]:
    """The problems, those of one code, sheet and message that differ only in their cell made one, in order."""
    groups: dict[tuple, list[Problem]] = {}
    shared: dict[tuple, str] = {}
    for number, p in enumerate(problems):
        rest = _without_cell(p)
        key = (p.is_error, p.code, p.sheet or "", rest) if rest is not None else (number,)
        groups.setdefault(key, []).append(p)
        shared[key] = rest if rest is not None else p.message
    folds = []
    for key, members in groups.items():
        first = members[0]
        cells = tuple(dict.fromkeys(ref for p in members for ref in (p.cell, *p.related) if ref))
        text = first.message if len(members) == 1 else shared[key]
        folds.append(Fold(first.is_error, first.code, upper_first(first.label), first.sheet or "", cells, text,
                          len(members)))
    return folds


def _without_cell(problem: Problem) -> str | None:
    """A message that opens with its cell (Trang "Số liệu", ô D21 (label): …) without it; None for another."""
    opening = f'Trang "{problem.sheet}", ô {problem.cell} ('
    if not (problem.sheet and problem.cell and problem.message.startswith(opening)):
        return None
    end = problem.message.find("): ", len(opening))
    return problem.message[end + 3:] if end >= 0 else None


def _row_values(fold: Fold) -> tuple[str, ...]:
    text = fold.text if fold.count == 1 else f"{fold.count} ô: {fold.text}"
    return ("Lỗi" if fold.is_error else "Cảnh báo", fold.label, fold.sheet, ", ".join(fold.cells), text)


def write_feedback_copy(task: FeedbackTask) -> str:
    """With openpyxl: the unit's own workbook with its cells marked when it opens, else the list alone."""
    import openpyxl

    workbook = None
    if task.copy_source:
        try:
            workbook = openpyxl.load_workbook(task.source)
        except Exception:  # the list alone still tells the unit what to fix
            workbook = None
    if workbook is None:
        workbook = openpyxl.Workbook()
        workbook.active.title = LIST_SHEET
    else:
        _mark_cells(workbook, task.problems)
    _problem_sheet(workbook, task)
    workbook.save(task.target)
    return task.target


def _mark_cells(workbook, problems: tuple[Problem, ...]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    fills = {True: PatternFill("solid", fgColor=ERROR_COLOUR), False: PatternFill("solid", fgColor=WARNING_COLOUR)}
    for problem in problems:
        if not problem.sheet or problem.sheet not in workbook.sheetnames or not problem.cell:
            continue
        sheet = workbook[problem.sheet]
        for ref in (problem.cell, *problem.related):
            cell = _writable_cell(sheet, ref)
            if cell is None:
                continue
            cell.fill = fills[problem.is_error]
            text = f"{'LỖI' if problem.is_error else 'CẢNH BÁO'}: {clean(problem.message)}"
            if cell.comment is not None:
                text = f"{cell.comment.text}\n\n{text}"
            cell.comment = Comment(text[:30000], "consolidate", width=360, height=180)


def _writable_cell(sheet, ref: str):
    """The cell a comment can go on: a merged range's top-left cell; None for a reference that is no cell."""
    from openpyxl.cell.cell import MergedCell

    try:
        cell = sheet[ref]
    except (ValueError, KeyError, IndexError, TypeError):  # "A0", control characters: a crafted name
        return None
    if isinstance(cell, MergedCell):
        merged = next((r for r in sheet.merged_cells.ranges if ref in r), None)
        return sheet.cell(merged.min_row, merged.min_col) if merged else None
    return cell


def _problem_sheet(workbook, task: FeedbackTask) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = workbook[LIST_SHEET] if LIST_SHEET in workbook.sheetnames else workbook.create_sheet(LIST_SHEET, 0)
    workbook.active = workbook.sheetnames.index(LIST_SHEET)
    for other in workbook.worksheets:
        other.sheet_view.tabSelected = other.title == LIST_SHEET
    sheet["A1"] = clean(_title(task))
    sheet["A1"].font = Font(name=FONT, bold=True, size=14)
    sheet["A2"] = _summary(task)
    sheet["A2"].font = Font(name=FONT, italic=True)
    for col, title in enumerate(LIST_HEADER, start=1):
        sheet.cell(4, col, title).font = Font(name=FONT, bold=True)
    for row, fold in enumerate(folded(task.problems), start=5):
        for col, value in enumerate(_row_values(fold), start=1):
            cell = sheet.cell(row, col, clean(value))
            cell.data_type = "s"  # a message quoting a unit's "=..." text must stay text here too
            cell.font = Font(name=FONT, bold=col == 1 and fold.is_error, color="C00000" if fold.is_error else None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", LIST_WIDTHS):
        sheet.column_dimensions[letter].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def clean(text: str) -> str:
    """Control characters a unit typed (Word's soft line break) cannot be stored in a cell: drop them."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(text))


def _chase_list(consolidation: Consolidation, target: Path) -> None:
    """Units missing, late or with errors, with email and phone: columns named for a mail merge. Every value
    is written as text: a name or note that reads like a formula, a link or a number stays as typed."""
    import xlsxwriter  # loaded by the run already, for the consolidated workbook

    workbook = xlsxwriter.Workbook(str(target), {"in_memory": True, "strings_to_formulas": False,
                                                 "strings_to_urls": False, "strings_to_numbers": False})
    try:
        sheet = workbook.add_worksheet(CHASE_SHEET)
        for col, width in enumerate(CHASE_WIDTHS):
            # in pixels, so the width stored is exactly `width` characters (set_column would add the padding)
            sheet.set_column_pixels(col, col, width * MAX_DIGIT_WIDTH)
        for col, title in enumerate(CHASE_HEADER):
            sheet.write_string(0, col, title)
        row = 0
        for status in consolidation.ledger.units:
            if status.state not in CHASE_NOTES:
                continue
            unit = status.unit
            row += 1
            for col, value in enumerate((unit.code, unit.name, unit.group, status.label, unit.email, unit.phone,
                                         CHASE_NOTES[status.state])):
                if text := clean(value):  # an empty value stays an empty cell, as openpyxl left it
                    sheet.write_string(row, col, text)
    finally:
        workbook.close()
