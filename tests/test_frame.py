"""The files' values as one data frame (pipeline/frame.py): what validation checks and the merge adds up."""
from __future__ import annotations

import datetime as dt
import math

from pipeline.frame import values_frame
from pipeline.validate.schema import wide_table


def test_figures_are_floats_with_nan_for_blank_in_the_order_given_and_extra_columns_follow(spec):
    count, date = spec.numeric_fields[0].code, next(f.code for f in spec.fields if f.kind == "date")
    rows = [{count: 12, date: dt.date(2023, 12, 8)}, {count: None}, {count: 2.5}]
    table = values_frame(spec, rows, khoi=["A", "B", "C"])
    assert list(table.columns) == [f.code for f in spec.fields] + ["khoi"]
    assert str(table[count].dtype) == "float64"
    assert table[count].tolist()[0::2] == [12.0, 2.5] and math.isnan(table[count][1])
    assert table[date][0] == dt.date(2023, 12, 8)  # a date as read: the merge's sheets write it as such
    assert table["khoi"].tolist() == ["A", "B", "C"]


def test_validation_types_the_same_frame_as_its_schema_checks_it(spec):
    code, date = spec.roles.unit_code, next(f.code for f in spec.fields if f.kind == "date")
    rows = [{code: "CD001", date: dt.date(2023, 12, 8)}, {code: ""}, {}]
    table = wide_table(spec, rows)
    assert str(table[date].dtype) == "datetime64[ns]" and table[date].isna().tolist() == [False, True, True]
    assert table[code].dtype == object and table[code].tolist() == ["CD001", None, None]  # blank is None
    numeric = [f.code for f in spec.numeric_fields]
    assert table[numeric].equals(values_frame(spec, rows)[numeric])
