"""A consolidated workbook dropped into the inbox of the level above: a roll-up of a sub-office. Its very hidden
part (outputs/workbook/sheets.py) names the form, period and office; every unit row of "Theo đơn vị" becomes a
submission of its own, its code qualified by the sub-office's (`HUYEN01/CD001`), its texts from `_thuyet_minh`.

Checked like any file: another form or period (`other-form`), no office code (`rollup-no-office`), unit rows
that do not add up to the workbook's own totals row (`rollup-mismatch`: edited by hand). A unit another input
also holds is found across files, once all are read (`duplicate_units`)."""
from __future__ import annotations

import io
import math
from dataclasses import replace
from typing import TYPE_CHECKING

from pipeline.problems import problem
from pipeline.tables import cell_text
from pipeline.vietnamese import vn_number

if TYPE_CHECKING:
    from pipeline.form import FormSpec
    from pipeline.intake.submission import Submission
    from pipeline.ledger import FileRecord

# The consolidated workbook's machine-readable part (written by outputs/workbook/sheets.py), read back by the
# level above (here) and by next period's run (previous/read.py).
DATA_SHEET = "_du_lieu"  # very hidden: form, version, period, office, where the figures are
TEXTS_SHEET = "_thuyet_minh"  # very hidden: each unit's texts by field code (unit code, field code, text)
CODES_MARK = "_ma_truong"  # first cell of the hidden row of field codes above "Theo đơn vị"'s header
ROLLUP = "rollup"  # Submission.kind of a consolidated workbook read as a roll-up
# The template's limits a consolidated workbook of thousands of units exceeds: it is guarded again with its own.
ROLLUP_REFUSALS = frozenset({"far-cell", "zip-bomb"})
SEPARATOR = "/"  # between the sub-office's code and its unit's: HUYEN01/CD001


def data_part(book) -> dict[str, str]:
    """The consolidated workbook's machine-readable part (`_du_lieu`): form, version, period, office, sheet…"""
    return {cell_text(row[0]): cell_text(row[1]) for row in book.get_sheet_by_name(DATA_SHEET).to_python()
            if len(row) > 1}


def codes_row(rows: list[list]) -> int | None:
    """Where the hidden row of field codes is in "Theo đơn vị" (its first cell is CODES_MARK), or None."""
    return next((i for i, row in enumerate(rows) if row and cell_text(row[0]) == CODES_MARK), None)


def is_consolidated(data: bytes) -> bool:
    """An xlsx whose workbook part names the machine-readable sheet: a workbook this tool wrote."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > 1024 * 1024:  # a workbook part is a few kilobytes: this one is not read
                return False
            return f'name="{DATA_SHEET}"'.encode() in archive.read(info)
    except Exception:  # not a readable zip: the guard has said so
        return False


def qualified(office: str, unit: str) -> str:
    return f"{office}{SEPARATOR}{unit}"


def on_roster(code: str, roster) -> bool:
    """A unit on the roster: its own code, or, for a unit of a roll-up (HUYEN01/CD001), its sub-office's."""
    return code in roster or code.split(SEPARATOR, 1)[0] in roster


def bare(unit: str) -> str:
    """The unit's own code, without the offices above it: CD001 of HUYEN01/CD001."""
    return unit.rsplit(SEPARATOR, 1)[-1]


def read_rollup(spec: FormSpec, submission: Submission, data: bytes) -> Submission:
    """The roll-up in `data` (a consolidated workbook): `submission` with its units as `parts`, or refused."""
    from python_calamine import CalamineWorkbook

    from pipeline.intake.zipguard import check_zip
    from pipeline.intake.ziptypes import ZipLimits

    # The template's limits on rows and columns do not fit a consolidated workbook of thousands of units; the
    # zip bomb and damage checks stand.
    refusal = check_zip(data, ZipLimits(max_row=1_048_576, max_col=16_384, max_total_uncompressed=2 * 1024 ** 3))
    if refusal is not None:  # a bomb stays one; any other refusal is a damaged roll-up, told as such
        from pipeline.catalogue import label

        submission.kind, submission.problems, submission.read = ROLLUP, [refusal], False
        if refusal.code != "zip-bomb":
            submission.problems = [problem("rollup-damaged", what=label(refusal.code))]
        return submission
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    meta = data_part(book)
    submission.problems = [p for p in submission.problems if p.code != "not-template"]
    submission.kind, submission.read = ROLLUP, True
    submission.form_id, submission.form_version = meta.get("form", ""), meta.get("version", "")
    office = meta.get("office", "")
    submission.rollup = {"office": office, "expected": _int(meta.get("expected")),
                         "reported": _int(meta.get("reported"))}
    period = meta.get("period", "")
    periods = [p.label for p in spec.periods] if spec.periods else [spec.period]
    if submission.form_id != spec.id or period not in periods:
        return submission.reject("other-form", found=f"{submission.form_id} ({meta.get('phrase') or meta.get('period')})",
                                 form=f"{spec.id} ({spec.period_phrase})")
    if not office:
        return submission.reject("rollup-no-office", name=meta.get("office_name", "") or "?")
    # The office's code makes it stand for that office only once it is this form's and period's: a workbook of
    # another form must not supersede the office's good one (ledger.settle).
    submission.unit, submission.unit_name = office, meta.get("office_name", "") or None
    if spec.roles.period:  # which of the form's periods it is: the run's choice of period counts it (periods.py)
        submission.values = {spec.roles.period: period}
    sheet = meta.get("sheet", "")
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False) if sheet in book.sheet_names else []
    start = codes_row(rows)
    if start is None:
        return submission.reject("rollup-mismatch", detail=f"không thấy dòng mã trường trong trang \"{sheet}\"")
    codes = [cell_text(c) for c in rows[start]]
    texts = _texts(book) if TEXTS_SHEET in book.sheet_names else {}
    units, totals_row = _unit_rows(spec, rows, start, codes)
    submission.parts = [_part(spec, submission, office, number, values, texts) for number, values in units]
    mismatch = _mismatch(spec, [values for _, values in units], totals_row)
    if mismatch:
        submission.reject("rollup-mismatch", detail=mismatch)
    return submission


def _int(text: str | None) -> int | None:
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def _unit_rows(spec: FormSpec, rows: list[list], start: int, codes: list[str]):
    """(row number, values by field code) of each unit row, and the totals row's values (None when absent)."""
    unit_col = codes.index(spec.roles.unit_code) if spec.roles.unit_code in codes else 1
    group_col = codes.index("khoi") if "khoi" in codes else None
    known = spec.by_code
    units = []
    for index, row in enumerate(rows[start + 2:], start=start + 3):  # after the codes and the header
        values = {code: _value(known[code], value) for code, value in zip(codes, row) if code in known}
        if group_col is not None and group_col < len(row):
            values["khoi"] = cell_text(row[group_col])
        unit = cell_text(row[unit_col]) if unit_col < len(row) else ""
        if unit:
            units.append((index, values))
        elif any(isinstance(v, float) for v in values.values()):
            return units, values  # the totals row closes the table
    return units, None


def _value(field, value):
    if value in ("", None):
        return None
    if field.is_numeric:
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return value if field.kind == "date" else cell_text(value)


def _texts(book) -> dict[tuple[str, str], str]:
    """Each unit's text by (unit code, field code): a row per unit under a header of field codes; a long text
    continues in the rows after, under the same unit code."""
    rows = book.get_sheet_by_name(TEXTS_SHEET).to_python()
    if not rows:
        return {}
    codes = [cell_text(c) for c in rows[0]]
    found: dict[tuple[str, str], str] = {}
    for row in rows[1:]:
        unit = cell_text(row[0]) if row else ""
        for code, value in zip(codes[1:], row[1:]):
            if unit and value not in ("", None):
                found[unit, code] = found.get((unit, code), "") + cell_text(value)
    return found


def _part(spec: FormSpec, rollup: Submission, office: str, number: int, values: dict,
          texts: dict[tuple[str, str], str]) -> Submission:
    """One unit of the roll-up as a submission: its code qualified, its texts back, the roll-up's file."""
    code = cell_text(values.get(spec.roles.unit_code))
    for field in spec.narrative_fields:
        values[field.code] = texts.get((code, field.code)) or None
    values[spec.roles.unit_code] = qualified(office, code)
    return replace(rollup, kind="unit", values=values, cells={}, problems=[], parts=[], rollup={"row": number},
                   unit=qualified(office, code), unit_name=cell_text(values.get(spec.roles.unit_name)) or None,
                   sentences={})


def _mismatch(spec: FormSpec, units: list[dict], totals_row: dict | None) -> str:
    """Where the unit rows do not add up to the workbook's own totals row, in words; "" when they do."""
    import numpy as np

    from pipeline.aggregate import total

    if totals_row is None:
        return "không thấy dòng tổng cộng của trang \"Theo đơn vị\""
    off = []
    for field in spec.numeric_fields:
        stated = totals_row.get(field.code)
        if stated is None:
            continue
        column = [u.get(field.code) for u in units]
        weights = [u.get(field.weight) for u in units] if field.weight else None
        added = total(field, np.array([math.nan if v is None else v for v in column], dtype=float),
                      np.array([math.nan if w is None else w for w in weights], dtype=float) if weights else None)
        added = 0.0 if added is None else float(added)
        if abs(added - stated) > (1.0 if field.aggregate == "weighted_mean" else 0.5):
            off.append(f"{field.label} (các dòng đơn vị cộng lại {vn_number(added)}, dòng tổng cộng ghi "
                       f"{vn_number(stated)})")
    return "; ".join(off[:3]) + (f" và {len(off) - 3} chỉ tiêu khác" if len(off) > 3 else "")


def duplicate_units(records: list[FileRecord]) -> None:
    """A unit held by two inputs (a roll-up and a direct file, or two sub-offices' roll-ups) would be counted
    twice: each roll-up holding one gets `duplicate-unit`, naming the units and the other input. A unit is the
    same when its own code and its name are (codes are often numbered per office: CD001 of two districts are two
    unions). Only what would be merged counts: the newest file of each sub-office and of each unit, without
    errors and not set aside by the office (run after the office's marks)."""
    from pipeline.ledger import received_order

    standing: dict[str, FileRecord] = {}  # holder -> the file that stands for it
    for record in records:
        submission = record.submission
        if not submission.readable or record.excluded or any(p.is_error for p in submission.problems):
            continue
        if submission.unit:
            holder = f"{submission.kind == ROLLUP}:{submission.unit}"
            if holder not in standing or received_order(record) > received_order(standing[holder]):
                standing[holder] = record
    holders: dict[tuple[str, str], set[tuple[str, str]]] = {}  # unit -> {(holder, file)}
    for holder, record in standing.items():
        submission = record.submission
        for unit in submission.parts if submission.kind == ROLLUP else [submission]:
            holders.setdefault(_identity(unit), set()).add((holder, record.relative))
    for holder, record in standing.items():
        submission = record.submission
        if submission.kind != ROLLUP:
            continue
        clashes = {}
        for part in submission.parts:
            others = {file for other, file in holders[_identity(part)] if other != holder}
            if others:
                clashes[f"{bare(part.unit or '')} (dòng {part.rollup['row']})"] = sorted(others)[0]
        if clashes:
            units = ", ".join(list(clashes)[:5]) + (f" và {len(clashes) - 5} đơn vị khác" if len(clashes) > 5 else "")
            submission.problems.append(problem("duplicate-unit", units=units, other=sorted(set(clashes.values()))[0]))


def unknown_offices(records: list[FileRecord], roster_codes: set[str] | None) -> None:
    """A roll-up from an office the roster of the level above does not list: `unknown-unit`, as for a unit file
    (its code is the office's, in the workbook's machine-readable part)."""
    if roster_codes is None:
        return
    for record in records:
        submission = record.submission
        if submission.kind == ROLLUP and submission.readable and submission.unit not in roster_codes:
            submission.problems.append(problem("unknown-unit", code=submission.unit))


def _identity(unit: Submission) -> tuple[str, str]:
    return bare(unit.unit or "").casefold(), " ".join((unit.unit_name or "").split()).casefold()
