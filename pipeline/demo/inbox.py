"""The demo inbox: most units on time, some late, one resend, files with the faults units make, and the
strays of a shared folder. Which field each fault touches is read from the form's roles and rules."""
from __future__ import annotations

import ast
import datetime as dt
import io
import os
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from pipeline.demo.figures import demo_values
from pipeline.form import FormSpec, RuleSpec
from pipeline.form.expressions import parse_expression
from pipeline.intake.legacy_encoding import encode_legacy
from pipeline.isolation import Failure, run_isolated
from pipeline.register import VIETNAM
from pipeline.roster import RosterUnit
from pipeline.template.build import UnitCopy, build_template
from pipeline.template.fill import fill_template
from pipeline.template.publish import unit_file_name

SUBFOLDER = "thang-12"  # staff file late arrivals and resends in a folder of their own


@dataclass(frozen=True)
class _Plan:
    """Which roster units play which part in the demo inbox."""

    clean: list[RosterUnit]
    late: list[RosterUnit]
    resent: RosterUnit
    part_over_total: RosterUnit
    sum_off: RosterUnit
    text_count: RosterUnit
    dotted_count: RosterUnit
    legacy: RosterUnit
    not_template: RosterUnit
    silent: list[RosterUnit]  # send nothing at all


def plan_inbox(roster: list[RosterUnit], rng: random.Random) -> _Plan:
    hospitals = [u for u in roster if "Bệnh viện" in u.name]
    dotted = rng.choice(hospitals)  # "1.250" staff: only a hospital is that large
    others = [u for u in roster if u is not dotted]
    rng.shuffle(others)
    take = iter(others)
    picked = {name: next(take) for name in ("resent", "part_over_total", "sum_off", "text_count", "legacy",
                                            "not_template")}
    late = [next(take) for _ in range(3)]
    silent = [next(take) for _ in range(4)]
    clean = sorted(take, key=lambda u: u.code)
    return _Plan(clean=clean, late=late, silent=silent, dotted_count=dotted, **picked)


@dataclass(frozen=True)
class _ReportTask:
    """One filled per-unit copy to write: picklable, so worker processes can share the work."""

    spec: FormSpec  # pickled whole: its source path may be relative to a directory since left
    code: str
    name: str
    values: dict
    path: str
    mtime: float


def _write_report(task: _ReportTask) -> str:
    fill_template(build_template(task.spec, UnitCopy(task.code, task.name)), task.values, Path(task.path))
    os.utime(task.path, (task.mtime, task.mtime))
    return task.path


class DemoInbox:
    """Writes files into the demo inbox with modification times around the deadline, and counts them."""

    def __init__(self, spec: FormSpec, inbox: Path, rng: random.Random) -> None:
        self.spec, self.inbox, self.rng = spec, inbox, rng
        self.deadline = spec.periods[-1].deadline if spec.periods else spec.deadline
        self.tasks: list[_ReportTask] = []
        self.names: dict[str, str] = {}  # unit code -> the name its (last) report was saved under
        self.raw_count = 0

    @property
    def count(self) -> int:
        return self.raw_count + len(self.tasks)

    def stamp(self, low: int, high: int | None = None) -> float:
        """A moment in office hours in Vietnam, `low`..`high` days from the deadline, as a file's modification
        time: the same on a machine set to any zone."""
        day = self.deadline + dt.timedelta(days=self.rng.randint(low, low if high is None else high))
        moment = dt.datetime.combine(day, dt.time(self.rng.randint(7, 16), self.rng.randint(0, 59),
                                                  self.rng.randint(0, 59)), tzinfo=VIETNAM)
        return moment.timestamp()

    def report(self, unit: RosterUnit, values: dict, name: str, mtime: float) -> None:
        """Queue a filled copy; the report date is the day it was saved, as units do."""
        if self.spec.roles.report_date:
            values = {**values, self.spec.roles.report_date: dt.datetime.fromtimestamp(mtime, VIETNAM).date()}
        self.tasks.append(_ReportTask(self.spec, unit.code, unit.name, values, str(self._path(name)), mtime))
        self.names[unit.code] = name

    def raw(self, name: str, data: bytes, mtime: float) -> None:
        path = self._path(name)
        path.write_bytes(data)
        os.utime(path, (mtime, mtime))
        self.raw_count += 1

    def write(self) -> None:
        """Write the queued copies; openpyxl takes ~0.1 s a file, so they are shared among processes."""
        failures = [r for r in run_isolated(_write_report, self.tasks, timeout=60.0) if isinstance(r, Failure)]
        if failures:
            raise RuntimeError(f"Không tạo được {len(failures)} tệp mẫu của dữ liệu thử: {failures[0].detail}")

    def _path(self, name: str) -> Path:
        path = self.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def fill_inbox(spec: FormSpec, box: DemoInbox, plan: _Plan) -> None:
    rng = box.rng
    for index, unit in enumerate(plan.clean):
        values = demo_values(spec, unit, rng)
        if index == 0 and len(spec.periods) > 1:  # one unit sends the other period's report: it is refused
            values[spec.roles.period] = spec.periods[0].label
        box.report(unit, values, _file_name(spec, unit, rng), box.stamp(-10, 0))
    for unit in plan.late:
        box.report(unit, demo_values(spec, unit, rng), f"{SUBFOLDER}/{unit_file_name(spec, unit.code)}",
                   box.stamp(3, 9))
    _resent(spec, box, plan.resent)
    _wrong_figures(spec, box, plan)
    _accepted_with_warnings(spec, box, plan)
    _strays(spec, box, plan)


def _resent(spec: FormSpec, box: DemoInbox, unit: RosterUnit) -> None:
    """A first copy whose figures do not balance, then the corrected one a few days later."""
    values = demo_values(spec, unit, box.rng)
    rules = _breakable(spec)
    wrong = _broken(spec, values, _first(spec, rules, "==", "count") or _nth(rules, 1), 2)
    box.report(unit, wrong, unit_file_name(spec, unit.code), box.stamp(-7))
    box.report(unit, values, f"{SUBFOLDER}/{unit_file_name(spec, unit.code).removesuffix('.xlsx')}-sua-lai.xlsx",
               box.stamp(-3))


def _wrong_figures(spec: FormSpec, box: DemoInbox, plan: _Plan) -> None:
    rng, rules = box.rng, _breakable(spec)
    unit = plan.part_over_total  # typed the head count of another line
    values = _broken(spec, demo_values(spec, unit, rng), _first(spec, rules, "<=") or _nth(rules, 0),
                     rng.randint(5, 15))
    box.report(unit, values, _file_name(spec, unit, rng), box.stamp(-6, -1))

    unit = plan.sum_off  # an arithmetic slip in a total of money (or, in a form without one, another slip)
    money = _last(spec, rules, "==", "money")
    values = _broken(spec, demo_values(spec, unit, rng), money or _nth(rules, -1),
                     1_000_000 if money else rng.randint(5, 15))
    box.report(unit, values, _file_name(spec, unit, rng), box.stamp(-6, -1))

    unit = plan.text_count
    values = demo_values(spec, unit, rng)
    counts = _free_counts(spec)
    if counts:
        values[counts[0]] = "khoảng 50"
    box.report(unit, values, _file_name(spec, unit, rng), box.stamp(-6, -1))


def _accepted_with_warnings(spec: FormSpec, box: DemoInbox, plan: _Plan) -> None:
    rng = box.rng
    unit = plan.dotted_count
    values = demo_values(spec, unit, rng, size=1250)
    if spec.roles.size:
        values[spec.roles.size] = "1.250"  # thousands typed with a dot, as on paper
    box.report(unit, values, unit_file_name(spec, unit.code), box.stamp(-9, -2))

    unit = plan.legacy  # typed in TCVN3 with a .VnTime font
    values = demo_values(spec, unit, rng)
    identity = {spec.roles.unit_code, spec.roles.unit_name}
    for field in spec.fields:
        if field.kind in ("text", "narrative") and field.code not in identity and _vietnamese(values.get(field.code)):
            values[field.code] = encode_legacy(values[field.code], "tcvn3")
    box.report(unit, values, unit_file_name(spec, unit.code), box.stamp(-9, -2))


def _strays(spec: FormSpec, box: DemoInbox, plan: _Plan) -> None:
    """What else lands in a shared inbox: a home-made table, a scanned PDF, an Excel lock file."""
    rng = box.rng
    unit = plan.not_template
    box.raw(unit_file_name(spec, unit.code), _home_made_workbook(spec, unit, rng), box.stamp(-8, -2))
    scanned = plan.clean[rng.randrange(len(plan.clean))]
    box.raw(f"{SUBFOLDER}/bao-cao-scan-{scanned.code}.pdf", _scanned_pdf(scanned), box.stamp(-8, 0))
    opened = Path(box.names[plan.clean[rng.randrange(len(plan.clean))].code])
    # Excel names its owner file after the open workbook, its first two letters replaced by "~$".
    lock_name = (opened.parent / f"~${opened.name[2:]}").as_posix()
    box.raw(lock_name, _lock_file_bytes("Van thu CDVC"), box.stamp(1))


def _file_name(spec: FormSpec, unit: RosterUnit, rng: random.Random) -> str:
    """Most units keep the name of their copy; some rename it the way people do."""
    short = unit.name.removeprefix("Công đoàn ")
    return rng.choices((unit_file_name(spec, unit.code), f"{spec.short_title} - {short}.xlsx",
                        f"BC {spec.year} {unit.code}.xlsx"), weights=(70, 20, 10))[0]


# ---------------------------------------------------------------- faults, read from the rules
def _breakable(spec: FormSpec) -> list[RuleSpec]:
    """Error rules comparing figures without a condition: the ones a slip of the keyboard breaks."""
    return [r for r in spec.rules if r.severity == "error" and r.when is None and isinstance(r.check.tree, ast.Compare)
            and any(code in spec.by_code and spec.by_code[code].is_numeric for code in r.check.fields)]


def _symbol(rule: RuleSpec) -> str:
    return {ast.Eq: "==", ast.LtE: "<=", ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">"}.get(type(rule.check.tree.ops[0]), "")


def _first(spec: FormSpec, rules: list[RuleSpec], symbol: str, kind: str = "") -> RuleSpec | None:
    """The first rule comparing with `symbol` (a part against its total for "<="), over a field of `kind`."""
    for rule in rules:
        kinds = {spec.by_code[code].kind for code in rule.check.fields if code in spec.by_code}
        if _symbol(rule) == symbol and (not kind or kind in kinds) and (
                symbol != "<=" or isinstance(rule.check.tree.left, ast.Name)):
            return rule
    return None


def _last(spec: FormSpec, rules: list[RuleSpec], symbol: str, kind: str) -> RuleSpec | None:
    return _first(spec, list(reversed(rules)), symbol, kind)


def _nth(rules: list[RuleSpec], index: int) -> RuleSpec | None:
    return rules[index % len(rules)] if rules else None


def _broken(spec: FormSpec, values: dict, rule: RuleSpec | None, amount: int) -> dict:
    """`values` with `rule` made false by `amount`: a total off by it, or a part above its total."""
    if rule is None:
        return values
    values = dict(values)
    tree = rule.check.tree
    left, right, symbol = tree.left, tree.comparators[0], _symbol(rule)
    if symbol == "==":
        target = right.id if isinstance(right, ast.Name) else rule.check.fields[0]
        values[target] = (values.get(target) or 0) + amount
    elif symbol in ("<=", "<") and isinstance(left, ast.Name):
        values[left.id] = int(_value(right, values)) + amount
    elif symbol in (">=", ">") and isinstance(left, ast.Name):
        values[left.id] = int(_value(right, values)) - amount  # may go below 0: still a slip to refuse
    return values


def _value(node: ast.expr, values: dict):
    return parse_expression(ast.unparse(node)).value(values) or 0


def _free_counts(spec: FormSpec) -> list[str]:
    """Count fields no rule reads, the optional ones first: a word typed there is the one error of its file."""
    in_rules = {code for rule in spec.rules for code in rule.fields}
    free = [f for f in spec.fields if f.kind == "count" and f.code not in in_rules and f.code != spec.roles.size]
    return [f.code for f in sorted(free, key=lambda f: f.required)]


def _vietnamese(value) -> bool:
    return isinstance(value, str) and any(ord(c) > 127 for c in value)


# ---------------------------------------------------------------- the strays
def _home_made_workbook(spec: FormSpec, unit: RosterUnit, rng: random.Random) -> bytes:
    """A unit's own table of a few figures: not the template, so it carries no identity."""
    values = demo_values(spec, unit, rng)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append([spec.short_title.upper()])
    sheet.append([f"Đơn vị: {unit.name}"])
    sheet.append([])
    sheet.append(["STT", "Nội dung", "Số liệu"])
    for number, field in enumerate(spec.numeric_fields[:5], start=1):
        sheet.append([number, field.label, values[field.code]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _scanned_pdf(unit: RosterUnit) -> bytes:
    """A one-page PDF with a correct cross-reference table, as a scanner would send (without the image)."""
    title = unicodedata.normalize("NFD", f"Bao cao {unit.code}").encode("ascii", "ignore").decode()
    stream = f"BT /F1 14 Tf 72 760 Td ({title}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _lock_file_bytes(user: str) -> bytes:
    """Excel's owner file: the user name, length-prefixed and padded, 165 bytes in all."""
    name = user.encode("ascii")[:53]
    data = bytes([len(name)]) + name.ljust(53, b" ") + b"\x00" + user.encode("utf-16-le")
    return data.ljust(165, b"\x00")[:165]
