"""The values of many files as one data frame, a row per file and a column per field: built here alone, for
validation (every file read) and for the merge (the accepted units)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from pipeline.form import FormSpec


def values_frame(spec: FormSpec, values: Sequence[Mapping], **more: list) -> pd.DataFrame:
    """A row per file, in the order given: figures as float64 (NaN for blank); any other field, then each column of
    `more` (a value per file), as pandas infers it: texts a str column (blank NaN), dates the date objects read."""
    columns: dict[str, pd.Series] = {}
    for f in spec.fields:
        column = [row.get(f.code) for row in values]
        columns[f.code] = (pd.Series([math.nan if v is None else float(v) for v in column], dtype="float64")
                           if f.is_numeric else pd.Series(column))
    columns.update((name, pd.Series(column)) for name, column in more.items())
    return pd.DataFrame(columns, index=pd.RangeIndex(len(values)))
