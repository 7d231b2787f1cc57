"""Rule expressions of the spec: parsed once, evaluated over a table, or written as an Excel formula."""
from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


_ARITHMETIC = {ast.Add: (operator.add, "+"), ast.Sub: (operator.sub, "-"), ast.Mult: (operator.mul, "*"),
               ast.Div: (operator.truediv, "/")}
_COMPARISONS = {
    ast.Eq: (operator.eq, "="), ast.NotEq: (operator.ne, "<>"),
    ast.Lt: (operator.lt, "<"), ast.LtE: (operator.le, "<="),
    ast.Gt: (operator.gt, ">"), ast.GtE: (operator.ge, ">="),
}
_FUNCTIONS = ("present", "year")


class ExpressionError(ValueError):
    """An expression the spec may not use; the message says what part is at fault."""


@dataclass(frozen=True)
class Expression:
    """A parsed rule expression. `fields` are all names it reads; `guarded` those that must not be blank."""

    text: str
    tree: ast.expr
    fields: tuple[str, ...]
    guarded: tuple[str, ...]

    def evaluate(self, table: pd.DataFrame) -> pd.Series:
        """The expression's value for every row of `table` (one column per field code)."""
        import numpy as np
        import pandas as pd  # here, not at the top: reading files (in workers) never needs pandas

        value = _evaluate(self.tree, table)
        if np.isscalar(value):
            value = pd.Series(value, index=table.index)
        return value

    def value(self, values: Mapping[str, Any]) -> Any:
        """The expression's value over one row given as a mapping (field code -> value); blanks are None, and
        so is a division by zero (over a table it gives inf or NaN, which no rule accepts either)."""
        try:
            return _evaluate(self.tree, values)
        except (ZeroDivisionError, TypeError):  # TypeError: arithmetic on a blank
            return None

    def to_excel(self) -> str:
        """The same expression as an Excel formula over the template's defined names."""
        return _to_excel(self.tree)


def parse_expression(text: str) -> Expression:
    """Parse `text`, allowing only field names, numbers, strings, + - * /, comparisons, and/or/not, present(), year()."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"biểu thức sai cú pháp: {text!r}") from exc
    fields: list[str] = []
    guarded: list[str] = []
    _collect(tree, fields, guarded, inside_present=False)
    return Expression(text=text, tree=tree, fields=tuple(fields), guarded=tuple(guarded))


def _collect(node: ast.AST, fields: list[str], guarded: list[str], inside_present: bool) -> None:
    if isinstance(node, ast.Name):
        if node.id not in fields:
            fields.append(node.id)
        if not inside_present and node.id not in guarded:
            guarded.append(node.id)
        return
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, str)) or isinstance(node.value, bool):
            raise ExpressionError(f"hằng số không được phép: {node.value!r}")
        return
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", None)
        if name not in _FUNCTIONS or len(node.args) != 1 or node.keywords:
            raise ExpressionError(f"chỉ dùng được hàm present(x) và year(x), không dùng {ast.unparse(node)!r}")
        _collect(node.args[0], fields, guarded, inside_present or name == "present")
        return
    children = {
        ast.BinOp: lambda n: type(n.op) in _ARITHMETIC,
        ast.Compare: lambda n: len(n.ops) == 1 and type(n.ops[0]) in _COMPARISONS,
        ast.BoolOp: lambda n: True,
        ast.UnaryOp: lambda n: isinstance(n.op, (ast.Not, ast.USub)),
    }
    allowed = children.get(type(node))
    if allowed is None or not allowed(node):
        raise ExpressionError(f"phần biểu thức không được phép: {ast.unparse(node)!r}")
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.operator, ast.cmpop, ast.boolop, ast.unaryop)):
            continue
        _collect(child, fields, guarded, inside_present)


def _evaluate(node: ast.expr, table: pd.DataFrame) -> Any:
    if isinstance(node, ast.Name):
        return table[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp):
        return _ARITHMETIC[type(node.op)][0](_evaluate(node.left, table), _evaluate(node.right, table))
    if isinstance(node, ast.Compare):
        result = _COMPARISONS[type(node.ops[0])][0](_evaluate(node.left, table), _evaluate(node.comparators[0], table))
        return _as_bool(result)
    if isinstance(node, ast.BoolOp):
        values = [_as_bool(_evaluate(v, table)) for v in node.values]
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, table)
        if isinstance(node.op, ast.Not):
            return ~_as_bool(value) if hasattr(value, "fillna") else not value
        return -value
    assert isinstance(node, ast.Call)
    argument = _evaluate(node.args[0], table)
    if not hasattr(argument, "fillna"):  # one row's value, not a column
        return argument not in (None, "") if node.func.id == "present" else getattr(argument, "year", None)
    if node.func.id == "present":
        return _present(argument)
    import pandas as pd

    return pd.to_datetime(argument, errors="coerce").dt.year


def _present(values: pd.Series) -> pd.Series:
    as_text = values.astype("string").str.strip()
    return (values.notna() & as_text.ne("").fillna(False)).astype(bool)


def _as_bool(values: Any) -> Any:
    if hasattr(values, "fillna"):  # a Series
        return values.fillna(False).astype(bool)
    return bool(values)


def _to_excel(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        return f'"{node.value}"' if isinstance(node.value, str) else str(node.value)
    if isinstance(node, ast.BinOp):
        return f"({_to_excel(node.left)}{_ARITHMETIC[type(node.op)][1]}{_to_excel(node.right)})"
    if isinstance(node, ast.Compare):
        symbol = _COMPARISONS[type(node.ops[0])][1]
        return f"({_to_excel(node.left)}{symbol}{_to_excel(node.comparators[0])})"
    if isinstance(node, ast.BoolOp):
        function = "AND" if isinstance(node.op, ast.And) else "OR"
        return f"{function}({','.join(_to_excel(v) for v in node.values)})"
    if isinstance(node, ast.UnaryOp):
        inner = _to_excel(node.operand)
        return f"NOT({inner})" if isinstance(node.op, ast.Not) else f"(-{inner})"
    assert isinstance(node, ast.Call)
    inner = _to_excel(node.args[0])
    return f'(LEN(TRIM({inner}))>0)' if node.func.id == "present" else f"YEAR({inner})"
