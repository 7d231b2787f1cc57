"""A demo unit's answers for any form: the form's demo profile where it has one, generic values elsewhere,
then every value adjusted until the form's rules hold, so a clean demo file is accepted whatever the form."""
from __future__ import annotations

import ast
import datetime as dt
import math
import random
from typing import Any

from pipeline.demo.data import load_data
from pipeline.demo.narratives import narrative_texts
from pipeline.demo.units import head_count, person
from pipeline.form import FieldSpec, FormSpec
from pipeline.form.expressions import parse_expression
from pipeline.form.model import NO, YES
from pipeline.roster import RosterUnit

_REPAIR_PASSES = 8


def demo_values(spec: FormSpec, unit: RosterUnit, rng: random.Random, size: int | None = None) -> dict:
    """Realistic answers for every field of `spec`, sized by the unit, passing every rule of the form."""
    size = head_count(unit, rng) if size is None else size
    values: dict[str, Any] = {code: None for code in spec.by_code}
    values.update(_role_values(spec, unit, size))
    profile = load_data(spec.id)
    drawn = set(values) - {code for code, value in values.items() if value is None}
    for entry in profile.get("figures", []):
        if entry["field"] in spec.by_code:
            values[entry["field"]] = _drawn(entry, values, unit, rng)
            drawn.add(entry["field"])
    for field in spec.fields:
        if field.code not in drawn and field.kind != "narrative":
            values[field.code] = _generic(spec, field, unit, rng, size)
    satisfy_rules(spec, values, rng)
    values.update(narrative_texts(spec, profile.get("narratives", {}), unit, values, rng))
    return values


def _role_values(spec: FormSpec, unit: RosterUnit, size: int) -> dict[str, Any]:
    roles = spec.roles
    values: dict[str, Any] = {roles.unit_code: unit.code, roles.unit_name: unit.name}
    if roles.size:
        values[roles.size] = size
    if roles.period:
        values[roles.period] = spec.periods[-1].label  # the demo reports the latest period
    return values


def _drawn(entry: dict, values: dict, unit: RosterUnit, rng: random.Random) -> Any:
    """One figure of the profile (see the header of demo/data/bao-cao-cd-2023.toml for the keys)."""
    if "when" in entry and not parse_expression(entry["when"]).value(values):
        return None
    if entry.get("person"):
        return person(rng)
    if "unit" in entry:
        return {"phone": unit.phone, "email": unit.email}[entry["unit"]]
    if "text" in entry:
        return entry["text"]
    if "chance" in entry:
        return YES if rng.random() < entry["chance"] else NO
    if "choice" in entry:
        return rng.choices(entry["choice"], weights=entry.get("weights"))[0]
    if "dates" in entry:
        first, last = entry["dates"]
        return first + dt.timedelta(days=rng.randint(0, (last - first).days))
    if "expression" in entry:
        return _rounded(parse_expression(entry["expression"]).value(values), entry.get("step", 1))
    low, high = entry.get("by_group", {}).get(unit.group, entry["range"])
    if "share" not in entry:
        return _rounded(rng.uniform(low, high) if isinstance(low, float) else rng.randint(low, high), entry.get("step", 1))
    base = values.get(entry["share"]) or 0
    if "times" in entry:  # a share of a product: sessions x staff x the share attending
        base *= values.get(entry["times"]) or 0
    return _rounded(base * rng.uniform(low, high), entry.get("step", 1))


def _rounded(value: float, step: int) -> int:
    return int(round(value / step) * step)


def _generic(spec: FormSpec, field: FieldSpec, unit: RosterUnit, rng: random.Random, size: int) -> Any:
    """A plausible value for a field the profile does not describe, from its kind and label."""
    label = field.label.lower()
    if field.kind == "count":
        return round(size * rng.uniform(0.05, 0.6)) if spec.roles.size else rng.randint(0, 20)
    if field.kind == "money":
        if field.aggregate == "weighted_mean":  # an amount per person, such as an average wage
            return _rounded(rng.uniform(5_000_000, 12_000_000), 10_000)
        return _rounded(size * rng.uniform(100_000, 2_000_000), 1000)
    if field.kind == "yes-no":
        return YES if rng.random() < 0.7 else NO
    if field.kind == "choice":
        return rng.choice(field.choices)
    if field.kind == "date":
        return spec.deadline - dt.timedelta(days=rng.randint(5, 60))
    if "điện thoại" in label:
        return unit.phone
    if "email" in label or "thư điện tử" in label:
        return unit.email
    if any(word in label for word in ("họ tên", "người lập", "chủ tịch")):
        return person(rng)
    return f"{field.label} của {unit.name}" if field.required else None


# ---------------------------------------------------------------- the form's rules
def satisfy_rules(spec: FormSpec, values: dict, rng: random.Random) -> list[str]:
    """Adjust figures until every rule holds: a part is lowered below its total (parts added together are
    scaled down), a total computed from its parts; the size figure is never moved. Rules of other shapes are
    left to the demo profile. Returns the ids of rules still broken (none for the bundled forms)."""
    numeric = {f.code for f in spec.numeric_fields} - {spec.roles.size}
    broken: list = []
    for _ in range(_REPAIR_PASSES):
        broken = [rule for rule in spec.rules if applies(rule, values) and not rule.check.value(values)]
        if not broken:
            break
        for rule in broken:
            _repair(rule.check.tree, values, numeric, rng)
    return [rule.id for rule in broken]


def applies(rule, values: dict) -> bool:
    """As in validation: a rule is skipped while a field it reads is blank, or its `when` does not hold."""
    if any(values.get(code) in (None, "") for code in rule.guarded):
        return False
    return rule.when is None or bool(rule.when.value(values))


def _repair(tree: ast.expr, values: dict, movable: set[str], rng: random.Random) -> None:
    if not isinstance(tree, ast.Compare):
        return
    left, right, op = tree.left, tree.comparators[0], type(tree.ops[0])
    lhs, rhs = _evaluate(left, values), _evaluate(right, values)
    if not all(isinstance(v, (int, float)) for v in (lhs, rhs)):
        return
    if op in (ast.Gt, ast.GtE):  # a > b is b < a
        left, right, lhs, rhs, op = right, left, rhs, lhs, ast.Lt if op is ast.Gt else ast.LtE
    single_left, single_right = _field(left, movable), _field(right, movable)
    if op is ast.Eq:
        if single_right:
            values[single_right] = _whole(lhs)
        elif single_left:
            values[single_left] = _whole(rhs)
        return
    if op not in (ast.Lt, ast.LtE):
        return
    strict = op is ast.Lt
    parts = _added(left, movable)
    if parts and lhs > 0:  # one part, or parts added together: scale them below the other side
        factor = max(0.0, rhs - strict) / lhs * rng.uniform(0.3, 0.95)
        for code in parts:
            values[code] = math.floor(values[code] * factor)
    elif single_right:
        values[single_right] = math.ceil(lhs * rng.uniform(1.05, 1.5)) + strict


def _added(node: ast.expr, movable: set[str]) -> list[str] | None:
    """The fields of `a`, `a + b + …`: what may be scaled down together; None for any other shape."""
    if isinstance(node, ast.Name):
        return [node.id] if node.id in movable else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _added(node.left, movable), _added(node.right, movable)
        return left + right if left is not None and right is not None else None
    return None


def _evaluate(node: ast.expr, values: dict) -> Any:
    return parse_expression(ast.unparse(node)).value(values)


def _field(node: ast.expr, movable: set[str]) -> str | None:
    return node.id if isinstance(node, ast.Name) and node.id in movable else None


def _whole(value: Any) -> Any:
    return int(round(value)) if isinstance(value, float) else value
