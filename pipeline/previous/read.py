"""Last period's figures (`--previous FILE`): this tool's own consolidated workbook, read back through its
machine-readable part, or a plain table the office fills (`Mã trường`, `Giá trị`, optional `Mã CĐCS`)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.aggregate import total
from pipeline.form import FormSpec
from pipeline.intake.numbers import parse_vietnamese_number
from pipeline.intake.rollup import DATA_SHEET, codes_row, data_part
from pipeline.tables import TableError, cell_text, clean, read_rows, reading

TABLE_CODE, TABLE_VALUE, TABLE_UNIT = "Mã trường", "Giá trị", "Mã CĐCS"


class PreviousError(ValueError):
    """A previous-period file that cannot be used; the message names the file, and the row when it is one."""


@dataclass(frozen=True)
class PreviousPeriod:
    source: str
    form: str
    period: str  # its own label: "2022", "30/11/2023"
    phrase: str  # as sentences name it: "năm 2022"
    totals: dict[str, float] = field(default_factory=dict)  # province figures, by this form's field codes
    units: dict[str, dict[str, float]] = field(default_factory=dict)  # unit code -> field code -> figure
    summed: bool = False  # the totals are its units added up (a table of units only): not the province's own

    @property
    def heading(self) -> str:
        return self.phrase[:1].upper() + self.phrase[1:]

    def as_json(self) -> dict:
        return {"source": self.source, "form": self.form, "period": self.period,
                "totals": {code: plain(value) for code, value in self.totals.items()}}


def read_previous(spec: FormSpec, path: Path) -> PreviousPeriod:
    path = Path(path)
    if not path.is_file():
        raise PreviousError(f"Không tìm thấy tệp số liệu kỳ trước {path}.")
    try:
        with reading(path):
            return _read(spec, path)
    except (TableError, UnicodeDecodeError, csv.Error) as exc:
        raise PreviousError(f"Không đọc được tệp số liệu kỳ trước {path} ({exc}): hãy dùng tệp .xlsx hoặc .csv.") from exc


def _read(spec: FormSpec, path: Path) -> PreviousPeriod:
    if path.suffix.lower() == ".csv":
        return _from_table(spec, path, read_rows(path))
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    if DATA_SHEET in book.sheet_names:
        return _from_workbook(spec, path, book)
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    if "Tổng hợp" in book.sheet_names and _header_at(rows) is None:
        raise PreviousError(
            f"Tệp {path} là bảng tổng hợp do phiên bản cũ của công cụ tạo, chưa có phần dữ liệu cho máy đọc. Hãy "
            f"tạo bảng số liệu kỳ trước bằng lệnh: consolidate fields --previous-table so-lieu-ky-truoc.xlsx, chép "
            f"các số toàn tỉnh của kỳ trước vào cột \"{TABLE_VALUE}\", rồi chạy lại với --previous so-lieu-ky-truoc.xlsx.")
    return _from_table(spec, path, rows)


# ---------------------------------------------------------------- this tool's workbook
def _from_workbook(spec: FormSpec, path: Path, book) -> PreviousPeriod:
    meta = data_part(book)
    sheet = meta.get("sheet", "")
    if sheet not in book.sheet_names:
        raise PreviousError(f"Tệp {path}: phần dữ liệu cho máy đọc trỏ tới trang \"{sheet}\" không có trong tệp.")
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    start = codes_row(rows)
    if start is None:
        raise PreviousError(f"Tệp {path}: không thấy dòng mã trường trong trang \"{sheet}\".")
    codes = [cell_text(c) for c in rows[start]]
    unit_col = codes.index(meta.get("unit_code", "")) if meta.get("unit_code", "") in codes else 1
    lookup = _codes(spec)
    units: dict[str, dict[str, float]] = {}
    totals: dict[str, float] = {}
    for row in rows[start + 2:]:  # after the codes and the Vietnamese header
        figures = {lookup[code]: float(value) for code, value in zip(codes, row)
                   if code in lookup and isinstance(value, (int, float)) and not isinstance(value, bool)}
        unit = cell_text(row[unit_col]) if unit_col < len(row) else ""
        if unit:
            units[unit] = figures
        elif figures:
            totals = figures  # the province row closes the table
            break
    return PreviousPeriod(str(path), meta.get("form", ""), meta.get("period", ""), meta.get("phrase", ""),
                          totals, units)


# ---------------------------------------------------------------- a plain table
def _header_at(rows: list[list]) -> int | None:
    for index, row in enumerate(rows[:20]):
        names = [clean(cell_text(c)) for c in row]
        if TABLE_CODE in names and TABLE_VALUE in names:
            return index
    return None


def _from_table(spec: FormSpec, path: Path, rows: list[list]) -> PreviousPeriod:
    start = _header_at(rows)
    if start is None:
        raise PreviousError(f"Tệp số liệu kỳ trước {path} cần dòng tiêu đề có cột \"{TABLE_CODE}\" và "
                            f"\"{TABLE_VALUE}\" (cột \"{TABLE_UNIT}\" không bắt buộc). Tạo bảng sẵn bằng lệnh: "
                            "consolidate fields --previous-table so-lieu-ky-truoc.xlsx")
    header = [clean(cell_text(c)) for c in rows[start]]
    code_col, value_col = header.index(TABLE_CODE), header.index(TABLE_VALUE)
    unit_col = header.index(TABLE_UNIT) if TABLE_UNIT in header else None
    lookup = _codes(spec)
    totals: dict[str, float] = {}
    units: dict[str, dict[str, float]] = {}
    for number, row in enumerate(rows[start + 1:], start=start + 2):
        cells = [row[i] if i < len(row) else None for i in range(len(header))]
        code, raw = clean(cell_text(cells[code_col])), cells[value_col]
        if not code or raw is None or clean(cell_text(raw)) == "":
            continue
        if code not in lookup:
            raise PreviousError(f"Tệp {path}, dòng {number}: mã trường \"{code}\" không có trong mẫu biểu "
                                f"{spec.id} (xem: consolidate fields --form {spec.id}).")
        value = raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else parse_vietnamese_number(
            clean(cell_text(raw)))
        if value is None:
            raise PreviousError(f"Tệp {path}, dòng {number}: giá trị \"{cell_text(raw)}\" của {code} không phải một số.")
        unit = clean(cell_text(cells[unit_col])) if unit_col is not None else ""
        (units.setdefault(unit, {}) if unit else totals)[lookup[code]] = float(value)
    summed = not totals and bool(units)
    if summed:  # a table of units only: the province figures are theirs added up
        totals = rounded(spec, aggregate(spec, list(units.values())))
    period = "kỳ trước" if spec.periods else str(spec.year - 1)
    phrase = "kỳ trước" if spec.periods else spec.period_wording.format(period=period)
    return PreviousPeriod(str(path), spec.id, period, phrase, totals, units, summed)


def _codes(spec: FormSpec) -> dict[str, str]:
    """Codes as last period's data may carry them -> this form's codes (a field may name its old code)."""
    lookup = {f.previous: f.code for f in spec.numeric_fields if f.previous}
    lookup.update({f.code: f.code for f in spec.numeric_fields})
    return lookup


def rounded(spec: FormSpec, figures: dict[str, float]) -> dict[str, float]:
    """Weighted means to whole đồng, as this period's province figures are (merge.py)."""
    return {code: round(value) if spec.by_code[code].aggregate == "weighted_mean" else value
            for code, value in figures.items()}


def aggregate(spec: FormSpec, rows: list[dict[str, float]]) -> dict[str, float]:
    """Units' figures as one: sums, and weighted means for averages; a field no row has stays absent.
    (merge.py does the same, with the same `total`, over this period's units.)"""
    totals = {f.code: field_total(f, rows) for f in spec.numeric_fields}
    return {code: value for code, value in totals.items() if value is not None}


def field_total(f, rows: list[dict[str, float]]) -> float | None:
    """One field over units' figures: the sum, or for an average the mean weighted by its weight field."""
    return total(f, [r.get(f.code) for r in rows], [r.get(f.weight) for r in rows] if f.weight else None)


def plain(value: float | None) -> int | float | None:
    """A figure as JSON shows it: whole numbers without ".0", others to two decimals."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)
