"""How figures moved since last period: the province's changes, by group, by unit, and in words."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.form import FieldSpec, FormSpec
from pipeline.previous.read import PreviousPeriod, aggregate, field_total, plain, rounded
from pipeline.vietnamese import vn_number


@dataclass(frozen=True)
class Change:
    previous: float | None
    current: float | None
    delta: float | None
    percent: float | None  # 100 x delta / previous, one decimal; None when previous is 0 or absent

    def as_json(self) -> dict:
        return {"previous": plain(self.previous), "current": plain(self.current), "delta": plain(self.delta),
                "percent": self.percent}


def change(previous: float | None, current: float | None) -> Change:
    if previous is None or current is None:
        return Change(previous, current, None, None)
    delta = current - previous
    return Change(previous, current, delta, round(100 * delta / previous, 1) if previous else None)


def compared_units(previous: PreviousPeriod | None, current: set[str]) -> frozenset[str] | None:
    """The units a like-for-like comparison runs over, or None when last period's province totals stand.
    A table of units only says nothing of the units it lacks: set beside this period's whole province, the
    figures of the few units an office typed in would read as growth of thousands of percent. So when this
    period has units that table lacks, both periods are counted over the units in both (maybe none)."""
    if previous is None or not previous.summed or current <= set(previous.units):
        return None
    return frozenset(current & set(previous.units))


def basis_words(basis: frozenset[str] | None) -> str:
    """What a heading adds when the comparison is like-for-like: " (cùng 5 đơn vị)"; "" over the province."""
    if basis is None:
        return ""
    return f" (cùng {len(basis)} đơn vị)" if basis else " (không có đơn vị chung)"


def basis_lead(previous: PreviousPeriod, basis: frozenset[str] | None) -> str:
    """How a sentence of movements starts: "So với năm 2022", or, like-for-like, "Riêng 5 đơn vị có số liệu cả
    hai kỳ, so với năm 2022" (the sentence follows a province figure it must not be read as the change of)."""
    if basis is None:
        return f"So với {previous.phrase}"
    return f"Riêng {len(basis)} đơn vị có số liệu cả hai kỳ, so với {previous.phrase}"


def like_for_like_note(previous: PreviousPeriod, basis: frozenset[str], reporting: int) -> str:
    """Under a table whose last-period columns are like-for-like: why they differ from the province column."""
    if not basis:
        return (f"Không đơn vị nào trong bảng số liệu {previous.phrase} có báo cáo kỳ này, nên không so sánh được. "
                "Hãy xem lại cột Mã CĐCS của bảng đó: mã phải đúng như trong danh sách đơn vị (mã gõ như một số "
                "sẽ mất các số 0 ở đầu, 001 thành 1: hãy định dạng cột là văn bản).")
    n = len(basis)
    return (f"Bảng số liệu {previous.phrase} chỉ có {n} trong {reporting} đơn vị đã báo cáo kỳ này, nên phần so "
            f"sánh (cột \"{previous.heading}{basis_words(basis)}\" và tăng/giảm) tính trên chính {n} đơn vị đó ở "
            "cả hai kỳ, không phải tổng của mọi đơn vị đã báo cáo.")


def province_changes(spec: FormSpec, previous: PreviousPeriod | None, totals: dict) -> dict[str, Change]:
    """Every count and money field; without a previous period, only the current figures."""
    return {f.code: change(previous.totals.get(f.code) if previous else None, _number(totals.get(f.code)))
            for f in spec.numeric_fields}


def like_for_like_changes(spec: FormSpec, previous: PreviousPeriod, current: dict[str, dict[str, float]],
                          basis: frozenset[str]) -> dict[str, Change]:
    """Every count and money field, both sides the figures of the `basis` units only (compared_units), this
    period's from `current` (unit -> figures)."""
    before, now = like_for_like(spec, previous, current, basis)
    return {f.code: change(before.get(f.code), now.get(f.code)) for f in spec.numeric_fields}


def like_for_like(spec: FormSpec, previous: PreviousPeriod, current: dict[str, dict[str, float]],
                  units: Iterable[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Both periods' figures over the same `units`, field by field: a unit counts for a field only where both
    periods have that figure (for an average, its weight too), so that neither side holds a unit the other
    lacks. A figure none of them has in both periods stays absent."""
    pairs = [(previous.units[u], current[u]) for u in sorted(units) if u in previous.units and u in current]
    before: dict[str, float] = {}
    now: dict[str, float] = {}
    for f in spec.numeric_fields:
        needed = (f.code, f.weight) if f.aggregate == "weighted_mean" else (f.code,)
        kept = [(b, n) for b, n in pairs if all(k in b and k in n for k in needed)]
        if f.aggregate == "weighted_mean":
            kept = [(b, n) for b, n in kept if b[f.weight] > 0 and n[f.weight] > 0]
        if kept:
            before[f.code] = field_total(f, [b for b, _ in kept])
            now[f.code] = field_total(f, [n for _, n in kept])
    return rounded(spec, before), rounded(spec, now)


def group_previous(spec: FormSpec, previous: PreviousPeriod, groups: dict[str, str]) -> dict[str, dict[str, float]]:
    """Last period's figures per Khối, from its units placed in this period's groups (units since gone count
    where the roster puts them now, or nowhere)."""
    members: dict[str, list[dict[str, float]]] = {}
    for unit, figures in previous.units.items():
        if unit in groups:
            members.setdefault(groups[unit], []).append(figures)
    return {group: rounded(spec, aggregate(spec, rows)) for group, rows in members.items()}


def group_like_for_like(spec: FormSpec, previous: PreviousPeriod, current: dict[str, dict[str, float]],
                        groups: dict[str, str], basis: frozenset[str]) -> dict[str, tuple[dict, dict]]:
    """Per Khối, (last period, this period) over its units in the `basis` (like_for_like)."""
    members: dict[str, list[str]] = {}
    for unit in basis:
        if unit in groups:
            members.setdefault(groups[unit], []).append(unit)
    return {group: like_for_like(spec, previous, current, units) for group, units in members.items()}


def movement(field: FieldSpec, moved: Change) -> str:
    """"tăng 212 người (3,0%)", "giảm 5 người (1,2%)", "không đổi"; "" when last period's figure is unknown."""
    if moved.delta is None:
        return ""
    if moved.delta == 0:
        return "không đổi"
    unit = f" {field.unit}" if field.unit and "/" not in field.unit else (" đồng" if field.kind == "money" else "")
    share = f" ({vn_number(abs(moved.percent), 1)}%)" if moved.percent is not None else ""
    return f"{'tăng' if moved.delta > 0 else 'giảm'} {vn_number(abs(moved.delta))}{unit}{share}"


def new_unit_words(previous: PreviousPeriod) -> str:
    """A unit of this period that last period's figures lack: new, or, in a table the office typed, left out."""
    return f"không có trong bảng số liệu {previous.phrase}" if previous.summed else "mới báo cáo kỳ này"


def units_in_both(previous: PreviousPeriod, current: set[str]) -> tuple[set[str], set[str], set[str]]:
    """(in both periods, new this period, reported last period but not now)."""
    before = set(previous.units)
    return before & current, current - before, before - current


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return float(value)

