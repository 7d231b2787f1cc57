"""How figures moved since last period: the province's changes, by group, by unit, and in words."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.form import FieldSpec, FormSpec
from pipeline.previous.read import PreviousPeriod, aggregate, plain, rounded
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
    period has units that table lacks, both periods are counted over the units in both."""
    if previous is None or not previous.summed or current <= set(previous.units):
        return None
    return frozenset(current & set(previous.units))


def basis_words(basis: frozenset[str] | None) -> str:
    """What a heading adds when the comparison is like-for-like: " (cùng 5 đơn vị)"; "" over the province."""
    return "" if basis is None else f" (cùng {len(basis)} đơn vị)"


def basis_phrase(previous: PreviousPeriod, basis: frozenset[str] | None) -> str:
    """Last period as a sentence names it: "năm 2022", or "năm 2022 (cùng 5 đơn vị)" when like-for-like."""
    return previous.phrase + basis_words(basis)


def like_for_like_note(previous: PreviousPeriod, basis: frozenset[str], reporting: int) -> str:
    """Under a table whose last-period columns are like-for-like: why they differ from the province column."""
    n = len(basis)
    return (f"Số liệu {previous.phrase} chỉ có của {n} trong {reporting} đơn vị đã báo cáo kỳ này, nên phần so sánh "
            f"(cột \"{previous.heading}{basis_words(basis)}\" và tăng/giảm) tính trên chính {n} đơn vị đó ở cả hai "
            "kỳ, không phải số toàn tỉnh.")


def province_changes(spec: FormSpec, previous: PreviousPeriod | None, totals: dict,
                     current: dict[str, dict[str, float]] | None = None,
                     basis: frozenset[str] | None = None) -> dict[str, Change]:
    """Every count and money field; without a previous period, only the current figures. With a `basis`
    (compared_units), both sides are the figures of those units only, from `current` (unit -> figures)."""
    if previous is not None and basis is not None:
        before = rounded(spec, aggregate(spec, [previous.units[u] for u in sorted(basis)]))
        now = rounded(spec, aggregate(spec, [current[u] for u in sorted(basis)]))
        return {f.code: change(before.get(f.code), now.get(f.code)) for f in spec.numeric_fields}
    return {f.code: change(previous.totals.get(f.code) if previous else None, _number(totals.get(f.code)))
            for f in spec.numeric_fields}


def group_previous(spec: FormSpec, previous: PreviousPeriod, groups: dict[str, str],
                   basis: frozenset[str] | None = None) -> dict[str, dict[str, float]]:
    """Last period's figures per Khối, from its units placed in this period's groups (units since gone count
    where the roster puts them now, or nowhere); with a `basis`, from those units only."""
    return _by_group(spec, {u: f for u, f in previous.units.items() if basis is None or u in basis}, groups)


def group_current(spec: FormSpec, current: dict[str, dict[str, float]], groups: dict[str, str],
                  basis: frozenset[str]) -> dict[str, dict[str, float]]:
    """This period's figures per Khối over the `basis` units: what a like-for-like group change is set against."""
    return _by_group(spec, {u: current[u] for u in basis}, groups)


def _by_group(spec: FormSpec, units: dict[str, dict[str, float]], groups: dict[str, str]) -> dict[str, dict[str, float]]:
    members: dict[str, list[dict[str, float]]] = {}
    for unit, figures in units.items():
        if unit in groups:
            members.setdefault(groups[unit], []).append(figures)
    return {group: rounded(spec, aggregate(spec, rows)) for group, rows in members.items()}


def movement(field: FieldSpec, moved: Change) -> str:
    """"tăng 212 người (3,0%)", "giảm 5 người (1,2%)", "không đổi"; "" when last period's figure is unknown."""
    if moved.delta is None:
        return ""
    if moved.delta == 0:
        return "không đổi"
    unit = f" {field.unit}" if field.unit and "/" not in field.unit else (" đồng" if field.kind == "money" else "")
    share = f" ({vn_number(abs(moved.percent), 1)}%)" if moved.percent is not None else ""
    return f"{'tăng' if moved.delta > 0 else 'giảm'} {vn_number(abs(moved.delta))}{unit}{share}"


def units_in_both(previous: PreviousPeriod, current: set[str]) -> tuple[set[str], set[str], set[str]]:
    """(in both periods, new this period, reported last period but not now)."""
    before = set(previous.units)
    return before & current, current - before, before - current


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return float(value)

