"""The spec's rules between fields, evaluated once over the table of all submissions."""
from __future__ import annotations

import pandas as pd

from pipeline.form import FormSpec, RuleSpec
from pipeline.intake.submission import Submission
from pipeline.problems import Problem, problem
from pipeline.vietnamese import vn_value


def failing_rows(rule: RuleSpec, table: pd.DataFrame) -> pd.Series:
    """True where the rule is broken; a rule is skipped while a field it reads is blank."""
    guards = list(rule.guarded)
    applies = table[guards].notna().all(axis=1) if guards else pd.Series(True, index=table.index)
    if rule.when is not None:
        applies &= _safe(rule.when, table)
    return applies & ~_safe(rule.check, table)


def _safe(expression, table: pd.DataFrame) -> pd.Series:
    return expression.evaluate(table).fillna(False).astype(bool)


def rule_problems(spec: FormSpec, table: pd.DataFrame, read: list[Submission]):
    for rule in spec.rules:
        broken = failing_rows(rule, table)
        for position in broken[broken].index:
            submission = read[position]
            yield position, _problem(spec, rule, submission)


def _problem(spec: FormSpec, rule: RuleSpec, submission: Submission) -> Problem:
    fields = list(rule.check.fields)
    cells = [submission.cells[code] for code in fields if code in submission.cells]
    sheet = cells[0][0] if cells else None
    refs = ", ".join(dict.fromkeys(ref for _, ref in cells))
    values = {code: vn_value(submission.values.get(code)) for code in spec.by_code}
    first = fields[0]
    return problem("rule", severity=rule.severity, field=first, sheet=sheet, cell=cells[0][1] if cells else None,
                   value=vn_value(submission.values.get(first)), related=tuple(ref for _, ref in cells[1:]),
                   detail=f"Trang \"{sheet}\", ô {refs}: {rule.message.format(**values)}")
