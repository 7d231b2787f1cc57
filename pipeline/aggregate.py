"""Many units' figures as one: a sum, or for an average the mean weighted by its weight field. The one home of
that computation, for this period's province and Khối (merge.py) and last period's units (previous/)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.form import FieldSpec


def total(field: FieldSpec, values: Sequence, weights: Sequence | None = None) -> float | None:
    """`values` of one field over units (None or NaN where a unit left it blank), and for a weighted mean the
    units' `weights`; None when no unit gives the figure (or, for a mean, no unit with a positive weight)."""
    figures = np.asarray(values, dtype="float64")
    if field.aggregate == "weighted_mean":
        weight = np.asarray(weights, dtype="float64")
        usable = ~np.isnan(figures) & ~np.isnan(weight) & (weight > 0)
        whole = float(weight[usable].sum())
        return float((figures[usable] * weight[usable]).sum()) / whole if whole else None
    given = figures[~np.isnan(figures)]
    return float(given.sum()) if given.size else None
