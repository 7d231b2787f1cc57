"""How figures moved since last period: the province's changes, by group, by unit, and in words."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.form import FieldSpec, FormSpec
from pipeline.previous.read import PreviousPeriod, aggregate
from pipeline.vietnamese import vn_number


@dataclass(frozen=True)
class Change:
    previous: float | None
    current: float | None
    delta: float | None
    percent: float | None  # 100 x delta / previous, one decimal; None when previous is 0 or absent

    def as_json(self) -> dict:
        return {"previous": _plain(self.previous), "current": _plain(self.current), "delta": _plain(self.delta),
                "percent": self.percent}


def change(previous: float | None, current: float | None) -> Change:
    if previous is None or current is None:
        return Change(previous, current, None, None)
    delta = current - previous
    return Change(previous, current, delta, round(100 * delta / previous, 1) if previous else None)


def province_changes(spec: FormSpec, previous: PreviousPeriod | None, totals: dict) -> dict[str, Change]:
    """Every count and money field; without a previous period, only the current figures."""
    return {f.code: change(previous.totals.get(f.code) if previous else None, _number(totals.get(f.code)))
            for f in spec.numeric_fields}


def group_previous(spec: FormSpec, previous: PreviousPeriod, groups: dict[str, str]) -> dict[str, dict[str, float]]:
    """Last period's figures per Khối, from its units placed in this period's groups (units since gone count
    where the roster puts them now, or nowhere)."""
    members: dict[str, list[dict[str, float]]] = {}
    for unit, figures in previous.units.items():
        if unit in groups:
            members.setdefault(groups[unit], []).append(figures)
    return {group: aggregate(spec, rows) for group, rows in members.items()}


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


def _plain(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)
