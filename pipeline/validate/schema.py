"""Build the pandera schema of a form from its spec: never written by hand per field."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.form import FieldSpec, FormSpec


def build_schema(spec: FormSpec) -> pa.DataFrameSchema:
    """One column per field over the wide table of submissions (one row per file)."""
    return pa.DataFrameSchema({f.code: _column(f) for f in spec.fields}, strict=False, coerce=False)


def _column(field: FieldSpec) -> pa.Column:
    nullable = not field.required
    if field.is_numeric:
        return pa.Column(float, pa.Check.ge(field.minimum or 0), nullable=nullable)
    if field.kind == "date":
        return pa.Column("datetime64[ns]", nullable=nullable)
    checks = [pa.Check.isin(list(field.options))] if field.options else []
    return pa.Column(object, checks, nullable=nullable)


def wide_table(spec: FormSpec, rows: list[dict]) -> pd.DataFrame:
    """Typed columns the schema expects: float for figures (NaN for blank), datetimes, objects for text."""
    columns = {}
    for f in spec.fields:
        values = [row.get(f.code) for row in rows]
        if f.is_numeric:
            columns[f.code] = pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
        elif f.kind == "date":
            columns[f.code] = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").astype("datetime64[ns]")
        else:
            columns[f.code] = pd.Series([None if v in (None, "") else v for v in values], dtype=object)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))
