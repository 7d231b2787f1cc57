"""Build the pandera schema of a form from its spec: never written by hand per field."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.form import FieldSpec, FormSpec
from pipeline.frame import values_frame


def build_schema(spec: FormSpec) -> pa.DataFrameSchema:
    """One column per field over the wide table of submissions (one row per file)."""
    return pa.DataFrameSchema({f.code: _column(f) for f in spec.fields}, strict=False, coerce=False)


def _column(field: FieldSpec) -> pa.Column:
    """Each check is named and reports with its catalogue code, so failures are read by code, not wording."""
    checks = [_coded(pa.Check(pd.Series.notna, ignore_na=False), "missing-value")] if field.required else []
    if field.is_numeric:
        return pa.Column(float, checks + [_coded(pa.Check.ge(field.minimum or 0), "below-minimum")], nullable=True)
    if field.kind == "date":
        return pa.Column("datetime64[ns]", checks, nullable=True)
    if field.options:
        checks.append(_coded(pa.Check.isin(list(field.options)), "not-in-list"))
    return pa.Column(object, checks, nullable=True)


def _coded(check: pa.Check, code: str) -> pa.Check:
    """pandera reports a failed check by its `error` text: make that the catalogue code."""
    check.name = check.error = code
    return check


def wide_table(spec: FormSpec, rows: list[dict]) -> pd.DataFrame:
    """The files' values (frame.values_frame) typed as the schema expects them: float for figures (NaN for blank),
    datetimes, objects for text (None for blank)."""
    table = values_frame(spec, rows)
    for f in spec.fields:
        if f.kind == "date":
            table[f.code] = pd.to_datetime(table[f.code].astype(object), errors="coerce").astype("datetime64[ns]")
        elif not f.is_numeric:
            table[f.code] = pd.Series([None if pd.isna(v) or v == "" else v for v in table[f.code]], dtype=object)
    return table
