"""A demo unit's narrative texts: the form's phrase banks (data) filled with the unit's own figures, so text
and figures agree; a narrative without a bank gets two generic sentences naming its section."""
from __future__ import annotations

import random
import re
import textwrap
from typing import Any

from pipeline.demo.units import leadership
from pipeline.form import FormSpec
from pipeline.form.expressions import parse_expression
from pipeline.roster import RosterUnit
from pipeline.vietnamese import lower_first, vn_date, vn_number, vn_percent

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def narrative_texts(spec: FormSpec, banks: dict, unit: RosterUnit, values: dict, rng: random.Random) -> dict:
    facts = {**values, "don_vi": unit.name.removeprefix("Công đoàn ").strip(), "lanh_dao": leadership(unit)}
    # Units paste their sections in the shapes Word and PDF leave: one draw per unit, so the figures drawn after
    # stay as they were.
    shape = SHAPES[min(int(rng.random() * len(SHAPES)), len(SHAPES) - 1)]
    texts = {}
    for field in spec.narrative_fields:
        bank = banks.get(field.code)
        if bank is None:
            texts[field.code] = _generic(spec, field.label, facts["don_vi"])
        elif "text" in bank:
            texts[field.code] = _from_pools(bank, facts, rng)
        else:
            openings = [s["text"] for s in bank.get("opening", []) if "when" not in s
                        or parse_expression(s["when"]).value(values)]
            extra = bank.get("bank", []) + bank.get("by_group", {}).get(unit.group, [])
            chosen = rng.sample(extra, k=min(len(extra), rng.randint(2, 4)))
            sentences = [fill(s, facts) for s in openings + chosen]
            texts[field.code] = shaped(sentences, shape)
    return texts


SHAPES = ("run-on", "dash-lines", "run-on", "dash-inline", "numbered", "hard-wrapped", "plus-lines", "dash-lines")


def shaped(sentences: list[str], shape: str) -> str:
    """Sentences as a unit's cell holds them: run on, "- " or "+ " lines, a dash list pasted flat on one line,
    "1. … 2. …" on one line, or wrapped at about 75 characters as text copied from a PDF."""
    if shape == "dash-lines":
        return "\n".join(f"- {s}" for s in sentences)
    if shape == "plus-lines":
        return "\n".join(f"+ {s}" for s in sentences)
    if shape == "dash-inline":
        return " ".join(f"- {s.rstrip('.')}" for s in sentences)
    if shape == "numbered":
        return " ".join(f"{number}. {s}" for number, s in enumerate(sentences, start=1))
    if shape == "hard-wrapped":
        return "\n".join(textwrap.wrap(" ".join(sentences), 75, break_on_hyphens=False, break_long_words=False))
    return " ".join(sentences)


def _from_pools(bank: dict, facts: dict, rng: random.Random) -> str:
    """`text` whose {pool} names are filled with different sentences drawn from each pool."""
    drawn = {name: iter(rng.sample(pool, len(pool))) for name, pool in bank["pools"].items()}
    return fill(_PLACEHOLDER.sub(lambda m: next(drawn[m.group(1)]) if m.group(1) in drawn else m.group(0),
                                 bank["text"]), facts)


def fill(text: str, facts: dict) -> str:
    """{code} as the value reads in a report, {a / b:%} a percentage, {code:lower} lower-cased."""
    return _PLACEHOLDER.sub(lambda match: _written(match.group(1), facts), text)


def _written(inner: str, facts: dict) -> str:
    expression, _, style = inner.partition(":")
    value: Any = parse_expression(expression).value(facts)
    if style == "%":
        return vn_percent(value, 1)
    if style == "lower":
        return str(value).lower()
    if hasattr(value, "year"):
        return vn_date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return vn_number(value)
    return "" if value is None else str(value)


def _generic(spec: FormSpec, label: str, unit_name: str) -> str:
    topic = lower_first(re.sub(r"^[IVX0-9.]+\s*", "", label))
    return (f"Trong kỳ, Công đoàn {unit_name} đã triển khai nội dung {topic} theo hướng dẫn của {spec.office}. "
            "Ban Chấp hành thường xuyên kiểm tra, đôn đốc, kết quả bước đầu được đoàn viên đồng tình.")
