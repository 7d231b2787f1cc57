"""Merge accepted submissions into province figures: pure, data frames in and out, no files touched."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from pipeline.aggregate import total
from pipeline.form import FieldSpec, FormSpec
from pipeline.frame import values_frame
from pipeline.ledger import Ledger

NO_GROUP = "(chưa phân khối)"


@dataclass(frozen=True)
class Figures:
    """The accepted units' figures merged: what the outputs' tables are written from."""

    units: pd.DataFrame                    # one row per accepted unit: every field, khoi, _file, _modified
    sums: dict[str, int]                   # plain sums of every count and money field (the JSON contract)
    totals: dict[str, float | int | None]  # province figure per numeric field: sum, or weighted mean
    answers: dict[str, dict[str, int]]     # per yes-no / choice field: units per answer
    derived: list[tuple[str, str, float | None, str, str]]  # (id, label, value, format, unit)
    by_group: pd.DataFrame                 # per Khối: units and province-like figures
    narratives: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # code -> (ma, ten, text)
    themes: dict[str, list] = field(default_factory=dict)  # code -> groups of sentences (narratives/themes.py)

    @property
    def unit_count(self) -> int:
        return len(self.units)


def units_table(spec: FormSpec, ledger: Ledger) -> pd.DataFrame:
    """The accepted units' values (frame.values_frame) in order of unit code, with their Khối, file and time."""
    groups = {u.unit.code: u.unit.group for u in ledger.units}
    accepted = sorted(ledger.accepted, key=lambda r: str(r.unit))
    return values_frame(spec, [r.submission.values for r in accepted],
                        # a unit of a roll-up keeps the Khối its own office gave it
                        khoi=[groups.get(r.unit) or r.submission.values.get("khoi") or NO_GROUP for r in accepted],
                        _file=[r.relative for r in accepted], _modified=[r.modified for r in accepted])


def province_figures(spec: FormSpec, table: pd.DataFrame) -> dict[str, float | int | None]:
    """Sums for additive figures; the weighted mean for averages (income weighted by staff), never a sum."""
    figures: dict[str, float | int | None] = {}
    for f in spec.numeric_fields:
        figures[f.code] = _aggregate(f, table)
    return figures


def _aggregate(f: FieldSpec, table: pd.DataFrame) -> float | int | None:
    """A weighted mean to whole đồng (None without a weight); a sum as a whole number, 0 when all are blank."""
    value = total(f, table[f.code].to_numpy(), table[f.weight].to_numpy() if f.weight else None)
    if f.aggregate == "weighted_mean":
        return None if value is None else round(value)
    return int(value or 0)


def merge(spec: FormSpec, ledger: Ledger) -> Figures:
    table = units_table(spec, ledger)
    sums = {f.code: int(table[f.code].fillna(0).sum()) for f in spec.numeric_fields}
    totals = province_figures(spec, table)
    answers = {f.code: {option: int((table[f.code] == option).sum()) for option in f.options}
               for f in spec.fields if f.options}
    derived = [(d.id, d.label, _derive(d.expression, totals), d.format, d.unit) for d in spec.derived]
    by_group = _by_group(spec, table)
    code, name = spec.roles.unit_code, spec.roles.unit_name
    records = table[[code, name, "_file"] + [f.code for f in spec.narrative_fields]].to_dict("records")
    keyed_by_file = {r.relative: r.submission.sentences for r in ledger.accepted}  # keyed by the file's reader
    narratives = {f.code: [] for f in spec.narrative_fields}
    keyed = {f.code: [] for f in spec.narrative_fields}
    for record in records:
        sentences = keyed_by_file[record["_file"]]
        for f in spec.narrative_fields:
            text = _text(record[f.code])
            if text:
                narratives[f.code].append((str(record[code]), str(record[name]), text))
                keyed[f.code].append(sentences.get(f.code))
    from pipeline.narratives.themes import group_narratives

    return Figures(table, sums, totals, answers, derived, by_group, narratives, group_narratives(spec, narratives, keyed))


def _text(value) -> str:
    """A unit's text as typed; "" for a blank (None, or the NaN pandas puts in a text column for it)."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()


def totals_frame(totals: dict) -> pd.DataFrame:
    """The province figures as a one-row table, for evaluating spec expressions over them (blank is NaN)."""
    return pd.DataFrame({k: [float("nan") if v is None else float(v)] for k, v in totals.items()})


def _derive(expression, totals: dict) -> float | None:
    value = float(expression.evaluate(totals_frame(totals)).iloc[0])
    return None if math.isnan(value) or math.isinf(value) else value


def _by_group(spec: FormSpec, table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for group, part in table.groupby("khoi", sort=True):
        row = {"khoi": group, "so_don_vi": len(part)}
        row.update(province_figures(spec, part))
        rows.append(row)
    return pd.DataFrame(rows, columns=["khoi", "so_don_vi"] + [f.code for f in spec.numeric_fields])
