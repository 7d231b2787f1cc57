"""A unit's figures against its own last period: the classic slip, money typed in thousands of đồng, is
invisible among peers of different sizes but obvious against the unit's own last year. Warnings only."""
from __future__ import annotations

from pipeline.form import FormSpec
from pipeline.intake.submission import Submission
from pipeline.previous.read import PreviousPeriod
from pipeline.problems import problem
from pipeline.vietnamese import vn_number

FACTOR = 3.0  # ordinary growth stays within x3 / ÷3 ...
MIN_COUNT = 20  # ... and small counts (3 clubs -> 10) say little
MIN_MONEY = 1_000_000  # đồng: amounts below this on both sides are left alone
THOUSANDS = (300.0, 3000.0)  # a ratio about 1000: typed in thousands of đồng


def previous_problems(spec: FormSpec, submissions: list[Submission], previous: PreviousPeriod | None) -> None:
    if previous is None or not previous.units:
        return
    for submission in (s for s in submissions if s.readable and s.unit in previous.units):
        before = previous.units[submission.unit]
        for field in spec.numeric_fields:
            now, then = submission.values.get(field.code), before.get(field.code)
            if not isinstance(now, (int, float)) or then is None or now <= 0 or then <= 0:
                continue
            large = max(now, then)
            if large <= (MIN_COUNT if field.kind == "count" else MIN_MONEY - 1):
                continue
            ratio = now / then
            if 1 / FACTOR < ratio < FACTOR:
                continue
            sheet, ref = submission.cells.get(field.code, (None, None))
            submission.problems.append(problem(
                "changed-from-previous", field=field.code, sheet=sheet, cell=ref, label=field.label,
                value=vn_number(now), figure=_amount(now, field.unit), before=_amount(then, field.unit),
                direction="cao" if ratio > 1 else "thấp", times=vn_number(max(ratio, 1 / ratio)),
                phrase=previous.phrase, hint=_hint(field.kind, ratio)))


def _amount(value: float, unit: str) -> str:
    return f"{vn_number(value)} {unit}".strip()


def _hint(kind: str, ratio: float) -> str:
    if kind != "money":
        return ""
    low, high = THOUSANDS
    if 1 / high <= ratio <= 1 / low:
        return ": có thể đã nhập theo nghìn đồng"
    if low <= ratio <= high:
        return ": có thể số kỳ trước đã nhập theo nghìn đồng, hoặc kỳ này thừa ba chữ số 0"
    return ""
