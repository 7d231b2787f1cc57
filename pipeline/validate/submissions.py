"""Validate all read submissions in one pass: schema, rules, outliers and narratives, as Problem records."""
from __future__ import annotations

import pandas as pd
import pandera.errors as pa_errors

from pipeline.intake.submission import Submission, cell_label
from pipeline.problems import ERROR, WARNING, Problem
from pipeline.form import FieldSpec, FormSpec
from pipeline.validate.outliers import outlier_problems
from pipeline.validate.rules import rule_problems
from pipeline.validate.schema import build_schema, wide_table


def validate_submissions(spec: FormSpec, submissions: list[Submission], roster_codes: set[str] | None = None) -> None:
    """Append every problem found to each submission read as the template (outcome "read")."""
    read = [s for s in submissions if s.outcome == "read"]
    if not read:
        return
    table = wide_table(spec, [s.values for s in read])
    blocked = _fields_with_errors(read)
    for position, problem in _schema_problems(spec, table, read, blocked):
        read[position].problems.append(problem)
    for position, problem in rule_problems(spec, table, read):
        read[position].problems.append(problem)
    for position, problem in outlier_problems(spec, table, read):
        read[position].problems.append(problem)
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
        problem = _schema_problem(field, read[position], str(case.check), case.failure_case)
        if problem:
            yield position, problem


def _schema_problem(field: FieldSpec, submission: Submission, check: str, value) -> Problem | None:
    sheet, ref = submission.cells.get(field.code, (None, None))
    where = cell_label(sheet, ref, field.label)
    if check == "not_nullable":
        advice = {"count": "Ghi 0 nếu không có.", "money": "Ghi 0 nếu không có."}.get(
            field.kind, "Chọn một giá trị trong danh sách." if field.options else "Điền thông tin này.")
        return Problem(ERROR, "missing-value", f"{where}: đang để trống. {advice}", field.code, sheet, ref)
    if check.startswith("greater_than_or_equal_to"):
        return Problem(ERROR, "below-minimum", f"{where}: {value:g} là số âm. Số liệu phải từ {field.minimum or 0} trở lên.",
                       field.code, sheet, ref, str(value))
    if check.startswith("isin"):
        options = "; ".join(field.options)
        return Problem(ERROR, "not-in-list", f"{where}: \"{value}\" không có trong danh sách ({options}). "
                                             "Chọn trong danh sách thả xuống.", field.code, sheet, ref, str(value))
    return Problem(ERROR, "invalid-value", f"{where}: giá trị \"{value}\" không hợp lệ ({check}).", field.code, sheet, ref)


def _narrative_problems(spec: FormSpec, submission: Submission) -> list[Problem]:
    problems = []
    for field in spec.narrative_fields:
        if field.code not in submission.cells:
            continue
        sheet, ref = submission.cells[field.code]
        text = (submission.values.get(field.code) or "").strip()
        where = cell_label(sheet, ref, field.label)
        if not text:
            problems.append(Problem(WARNING, "narrative-empty", f"{where}: mục này chưa có nội dung. "
                                                                 "Viết vài câu về kết quả của đơn vị.", field.code, sheet, ref))
        elif len(text) < field.min_length or len(text.split()) < 6:
            problems.append(Problem(WARNING, "narrative-short", f"{where}: nội dung quá ngắn (\"{text[:60]}\"), chưa đủ "
                                                                 "một câu. Viết rõ hơn kết quả của đơn vị.", field.code, sheet, ref))
    return problems


def _unit_problems(spec: FormSpec, submission: Submission, roster_codes: set[str] | None) -> list[Problem]:
    problems = []
    code = submission.unit
    field = spec.roles.unit_code
    sheet, ref = submission.cells.get(field, (None, None))
    label = spec.by_code[field].label
    if code and roster_codes is not None and code not in roster_codes:
        problems.append(Problem(ERROR, "unknown-unit", f"{cell_label(sheet, ref, label)}: mã \"{code}\" không có trong "
                                                       "danh sách đơn vị. Kiểm tra lại mã CĐCS do CĐVC tỉnh cấp.",
                                field, sheet, ref, code))
    if code and submission.hidden_unit and submission.hidden_unit != code:
        problems.append(Problem(WARNING, "unit-mismatch", f"{cell_label(sheet, ref, label)}: mã \"{code}\" khác mã của bản "
                                                          f"mẫu riêng gửi cho đơn vị \"{submission.hidden_unit}\". Kiểm tra "
                                                          "xem có dùng nhầm tệp của đơn vị khác không.",
                                field, sheet, ref, code))
    return problems
