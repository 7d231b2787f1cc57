"""Figures far outside what the other units report for their size: a warning, never a rejection."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.form import FormSpec
from pipeline.intake.submission import Submission
from pipeline.problems import Problem, problem
from pipeline.vietnamese import vn_number

MIN_UNITS = 8          # fewer units than this say too little about what is normal
ROBUST_Z = 3.5         # Iglewicz and Hoaglin's cut-off for the modified z-score
MIN_FACTOR = 5.0       # and at least five times off the median ratio, so that ordinary spread is quiet
MIN_SPREAD = 0.1       # log units (about 10%): the smallest spread assumed between units


def outlier_problems(spec: FormSpec, table: pd.DataFrame, read: list[Submission]):
    """Per outlier field: the value per staff member, compared across units by a robust z-score on logs."""
    if spec.roles.size is None or spec.roles.size not in table or len(table) < MIN_UNITS:
        return
    size = table[spec.roles.size]
    for field in (f for f in spec.numeric_fields if f.outlier):
        per_head = table[field.code] / size.where(size > 0) if field.aggregate == "sum" else table[field.code]
        usable = per_head[(per_head > 0) & np.isfinite(per_head)]
        if len(usable) < MIN_UNITS:
            continue
        logs = np.log(usable)
        median = float(np.median(logs))
        # A floor on the spread: when most units report the same ratio, MAD is 0 and any
        # difference would be infinitely far; the factor test below keeps ordinary spread quiet.
        mad = max(float(np.median(np.abs(logs - median))), MIN_SPREAD)
        score = 0.6745 * (logs - median) / mad
        far = score[(score.abs() > ROBUST_Z) & ((logs - median).abs() > np.log(MIN_FACTOR))]
        typical = float(np.exp(median))
        for position in far.index:
            yield position, _problem(field, read[position], table.at[position, field.code], float(usable[position]),
                                     typical, field.aggregate == "sum")


def _problem(field, submission: Submission, value: float, ratio: float, typical: float, per_head: bool) -> Problem:
    sheet, ref = submission.cells.get(field.code, (None, None))
    direction = "cao" if ratio > typical else "thấp"
    times = ratio / typical if ratio > typical else typical / ratio
    measure = f", tức {vn_number(ratio, 1 if ratio < 10 else 0)} {field.unit} cho mỗi người" if per_head else ""
    typical_text = f"{vn_number(typical, 1 if typical < 10 else 0)}{' mỗi người' if per_head else ''}"
    return problem("outlier", field=field.code, sheet=sheet, cell=ref, label=field.label, value=vn_number(value),
                   figure=f"{vn_number(value)} {field.unit}", measure=measure, direction=direction,
                   times=vn_number(times), typical=typical_text)
