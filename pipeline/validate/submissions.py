"""Validate all read submissions in one pass: schema, rules, outliers and narratives, as Problem records."""
from __future__ import annotations

import pandas as pd
import pandera.errors as pa_errors

from pipeline.form import FieldSpec, FormSpec
from pipeline.intake.submission import Submission
from pipeline.problems import Problem, problem
from pipeline.validate.outliers import outlier_problems
from pipeline.validate.rules import rule_problems
from pipeline.validate.schema import build_schema, wide_table
from pipeline.vietnamese import vn_value


def validate_submissions(spec: FormSpec, submissions: list[Submission], roster_codes: set[str] | None = None) -> None:
    """Append every problem found to each submission read as the template."""
    read = [s for s in submissions if s.readable]
    if not read:
        return
    table = wide_table(spec, [s.values for s in read])
    blocked = _fields_with_errors(read)
    for position, found in _schema_problems(spec, table, read, blocked):
        read[position].problems.append(found)
    for position, found in rule_problems(spec, table, read):
        read[position].problems.append(found)
    for position, found in outlier_problems(spec, table, read):
        read[position].problems.append(found)
    for submission in read:
        submission.problems.extend(_narrative_problems(spec, submission))
        submission.problems.extend(_unit_problems(spec, submission, roster_codes))


def _fields_with_errors(read: list[Submission]) -> list[set[str]]:
    """Fields already reported while reading (not a number, formula error): the schema must not repeat them."""
    return [{p.field for p in s.problems if p.field and p.is_error} for s in read]


def _schema_problems(spec: FormSpec, table: pd.DataFrame, read: list[Submission], blocked: list[set[str]]):
    try:
        build_schema(spec).validate(table, lazy=True)
        return
    except pa_errors.SchemaErrors as errors:
        cases = errors.failure_cases
    for case in cases.itertuples(index=False):
        if case.index is None or pd.isna(case.index) or case.column not in spec.by_code:
            continue
        position = int(case.index)
        field = spec.by_code[case.column]
        if field.code in blocked[position]:
            continue
        yield position, _schema_problem(field, read[position], str(case.check), case.failure_case)


def _schema_problem(field: FieldSpec, submission: Submission, code: str, value) -> Problem:
    """The failed check's name is its catalogue code (validate/schema.py)."""
    sheet, ref = submission.cells.get(field.code, (None, None))
    where = {"field": field.code, "sheet": sheet, "cell": ref, "label": field.label}
    if code == "missing-value":
        advice = ("Ghi 0 nếu không có." if field.is_numeric else "Chọn một giá trị trong danh sách." if field.options
                  else "Điền thông tin này.")
        return problem(code, **where, advice=advice)
    if code == "below-minimum":
        return problem(code, **where, value=str(value), given=vn_value(value), minimum=vn_value(field.minimum or 0))
    return problem(code, **where, value=str(value), given=value, options="; ".join(field.options))


def _narrative_problems(spec: FormSpec, submission: Submission) -> list[Problem]:
    problems = []
    for field in spec.narrative_fields:
        if field.code not in submission.cells:
            continue
        sheet, ref = submission.cells[field.code]
        text = (submission.values.get(field.code) or "").strip()
        where = {"field": field.code, "sheet": sheet, "cell": ref, "label": field.label}
        if not text:
            problems.append(problem("narrative-empty", **where))
        elif len(text) < field.min_length or len(text.split()) < 6:
            problems.append(problem("narrative-short", **where, text=text[:60]))
    return problems


def _unit_problems(spec: FormSpec, submission: Submission, roster_codes: set[str] | None) -> list[Problem]:
    problems = []
    code = submission.unit
    field = spec.roles.unit_code
    sheet, ref = submission.cells.get(field, (None, None))
    label = spec.by_code[field].label
    where = {"field": field, "sheet": sheet, "cell": ref, "label": label, "value": code}
    if code and roster_codes is not None and code not in roster_codes:
        problems.append(problem("unknown-unit", **where, code=code))
    if code and submission.hidden_unit and submission.hidden_unit != code:
        problems.append(problem("unit-mismatch", **where, code=code, copy=submission.hidden_unit))
    return problems
