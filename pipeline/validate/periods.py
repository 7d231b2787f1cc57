"""Forms taken at one of several dates (Mẫu 1-HĐCĐ: 31/5 or 30/11): which one a run consolidates, and the
files that report another one."""
from __future__ import annotations

from collections import Counter

from pipeline.form import FormSpec, SpecError
from pipeline.intake.submission import Submission
from pipeline.problems import problem


def resolve_period(spec: FormSpec, wanted: str) -> str:
    """The period label the user means: "30/11/2024", or just "30/11"."""
    labels = [p.label for p in spec.periods]
    if not labels:
        raise SpecError(f"Mẫu biểu '{spec.id}' không chia kỳ số liệu nên không dùng --period.")
    matches = [label for label in labels if label == wanted.strip() or label.startswith(wanted.strip() + "/")]
    if len(matches) != 1:
        raise SpecError(f"Không có kỳ số liệu '{wanted}' trong mẫu biểu '{spec.id}'. Các kỳ: {', '.join(labels)}.")
    return matches[0]


def choose_period(spec: FormSpec, submissions: list[Submission], wanted: str | None = None) -> FormSpec:
    """The form for the period asked for, else the one most files read chose (a tie: the later period)."""
    if not spec.periods:
        return spec
    if wanted:
        return spec.for_period(resolve_period(spec, wanted))
    labels = [p.label for p in spec.periods]
    chosen = Counter(s.values.get(spec.roles.period) for s in submissions if s.readable)
    best = max(labels, key=lambda label: (chosen.get(label, 0), labels.index(label)))
    return spec.for_period(best)


def period_problems(spec: FormSpec, submissions: list[Submission], every: tuple[str, ...] = ()) -> None:
    """A file of another period cannot be added to this one, nor stand for its unit in this one: it is set
    aside (ignored), saying why at its period cell. `every` is the form's periods before the choice."""
    if not spec.roles.period:
        return
    code = spec.roles.period
    field = spec.by_code[code]
    for submission in (s for s in submissions if s.readable):
        found = submission.values.get(code)
        if found in every and found != spec.period:  # a value outside the list is already `not-in-list`
            sheet, ref = submission.cells.get(code, (None, None))
            aside = problem("other-period", field=code, sheet=sheet, cell=ref, label=field.label, value=str(found),
                            found=found, period=spec.period)
            submission.problems = [p for p in submission.problems if not p.is_error] + [aside]
