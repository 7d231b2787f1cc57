"""Realistic returned workbooks for the benchmark, and the rates of the warnings on them.

Units differ as real ones do: head counts from 20 to 900 (most small), every figure drawn by the demo's
profile for the form (shares of the head count that vary from unit to unit, money by group), narratives
of a page or more from the demo's phrase banks, and about 15 % of files carry a fault a unit makes: a
slip of ×10 or ÷10 (×1000 or ÷1000 on money), a number typed with its unit, a part above its total, a
figure left blank, a narrative of a few words.

Files are made fast: the template is filled once with openpyxl, then every file is that zip with each
field's cell replaced in the sheet XML. A file is a pure function of its index: file i is the same
whatever N.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.demo.figures import demo_values
from pipeline.demo.units import demo_roster
from pipeline.form import FormSpec
from pipeline.intake.names import ooxml_names, open_zip
from pipeline.roster import RosterUnit
from pipeline.template.build import build_template
from pipeline.template.fill import fill_template
from pipeline.template.layout import layout_for

SMALLEST, LARGEST = 20, 900  # staff per unit: log-uniform between them, so most units are small
FAULTY_SHARE = 0.15
FAULTS = (("slip", 40), ("text-number", 20), ("part-over-total", 15), ("blank", 15), ("short-narrative", 10))
EXCEL_EPOCH = dt.date(1899, 12, 30)
BATCHES = 50  # slipped units per evaluation table: one in fifty
_GROUPS = sorted({unit.group for unit in demo_roster(random.Random(0))})
_KINDS = [unit for unit in demo_roster(random.Random(0))]  # names give head counts and groups their wording


@dataclass
class Skeleton:
    """The filled template cut around every field's cell: per sheet part, the XML between the cells."""

    entries: list[tuple[zipfile.ZipInfo, bytes]]
    pieces: dict[str, list[bytes]]  # part -> static XML, one more piece than slots
    slots: dict[str, list[tuple[str, str, str]]]  # part -> (field code, cell ref, style attribute)


def make_skeleton(spec: FormSpec, scratch: Path) -> Skeleton:
    layout = layout_for(spec)
    unit = _unit(1, random.Random(1))
    values = demo_values(spec, unit, random.Random(1), 100)
    path = fill_template(build_template(spec), values, scratch / "skeleton.xlsx")
    archive = open_zip(path.read_bytes())
    _, parts = ooxml_names(archive)
    pieces: dict[str, list[bytes]] = {}
    slots: dict[str, list[tuple[str, str, str]]] = {}
    by_part: dict[str, list[str]] = {}
    for code in (f.code for f in spec.fields):
        by_part.setdefault(parts[layout.cells[code].sheet], []).append(code)
    for part, codes in by_part.items():
        pieces[part], slots[part] = cut_around(archive.read(part), [(code, layout.cells[code].a1) for code in codes],
                                               part)
    entries = [(info, archive.read(info.filename)) for info in archive.infolist()]
    return Skeleton(entries, pieces, slots)


def cut_around(xml: bytes, cells: list[tuple[str, str]], part: str) -> tuple[list[bytes], list[tuple[str, str, str]]]:
    """A sheet's XML cut around the given (field code, cell ref) cells: the static pieces between them (one
    more than the cells) and, in document order, each cell's (code, ref, style attribute)."""
    found = []
    for code, ref in cells:
        match = re.search(rb'<c r="' + ref.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)', xml, re.S)
        assert match, f"cell {ref} ({code}) not found in {part}"
        style = re.search(rb'\bs="(\d+)"', match.group(1))
        found.append((match.start(), match.end(), code, ref, f' s="{style.group(1).decode()}"' if style else ""))
    found.sort()
    pieces, slots, at = [], [], 0
    for start, end, code, ref, style in found:
        pieces.append(xml[at:start])
        slots.append((code, ref, style))
        at = end
    pieces.append(xml[at:])
    return pieces, slots


def patched_cells(pieces: list[bytes], slots: list[tuple[str, str, str]], values: dict) -> bytes:
    """The cut XML put together again with each cell holding its field's value."""
    out = [pieces[0]]
    for (code, ref, style), piece in zip(slots, pieces[1:], strict=True):
        out.append(_cell(ref, style, values.get(code)))
        out.append(piece)
    return b"".join(out)


def _unit(index: int, rng: random.Random) -> RosterUnit:
    model = rng.choice(_KINDS)
    code = f"CD{index:05d}"
    return RosterUnit(code, f"{model.name} (đơn vị {code})", model.group, f"cd{index:05d}@example.vn", "0912345678")


def unit_values(spec: FormSpec, index: int) -> tuple[dict, str | None]:
    """File i's answers and the fault put in it (None for a clean file)."""
    rng = random.Random(index)
    values = clean_values(spec, index)
    if rng.random() >= FAULTY_SHARE:
        return values, None
    fault = rng.choices([f for f, _ in FAULTS], weights=[w for _, w in FAULTS])[0]
    return _with_fault(spec, values, fault, rng), fault


def clean_values(spec: FormSpec, index: int) -> dict:
    """File i's answers before any fault: the demo's profile, then each figure no rule ties to another
    moved by a factor of 0.5 to 1.5 of its own, so that ratios between figures differ from unit to unit."""
    rng = random.Random(index * 7919)
    size = int(round(math.exp(rng.uniform(math.log(SMALLEST), math.log(LARGEST)))))
    values = demo_values(spec, _unit(index, rng), rng, size)
    for field in spec.narrative_fields:
        if values.get(field.code):
            values[field.code] = varied(values[field.code], rng)
    tied = {code for rule in spec.rules for code in rule.fields} | {spec.roles.size}
    for field in spec.numeric_fields:
        value = values.get(field.code)
        if field.code not in tied and isinstance(value, (int, float)) and value > 0:
            step = 10_000 if field.kind == "money" and value >= 1_000_000 else 1
            values[field.code] = max(step, int(round(value * rng.uniform(0.5, 1.5) / step) * step))
    return values


# Units do not copy each other's sentences: each says the same things in its own way. A sentence of the
# demo's banks gets a lead-in, a closing clause, a word of its own or a figure, so that few sentences repeat.
_LEADS = ("Trong năm 2023, ", "Năm qua, ", "Bên cạnh đó, ", "Đồng thời, ", "Thực hiện chỉ đạo của cấp trên, ",
          "Ngay từ đầu năm, ", "Trong kỳ báo cáo, ", "Nhìn chung, ", "Cùng với chuyên môn, ", "Hằng quý, ")
_TAILS = (", góp phần nâng cao đời sống đoàn viên", ", được đoàn viên đồng tình hưởng ứng",
          " theo kế hoạch đã đề ra", ", bảo đảm đúng quy định", " với sự phối hợp của chuyên môn",
          ", tạo không khí phấn khởi trong đơn vị", " trong toàn đơn vị", ", bước đầu có kết quả")
_SWAPS = (("tiếp tục", "tiếp tục quan tâm"), ("đoàn viên", "đoàn viên, người lao động"), ("tổ chức", "tổ chức tốt"),
          ("kịp thời", "kịp thời, đúng đối tượng"), ("cán bộ", "cán bộ, viên chức"), ("hoạt động", "các hoạt động"))


def varied(text: str, rng: random.Random) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    out = []
    for sentence in sentences:
        body, end = (sentence[:-1], sentence[-1]) if sentence[-1:] in ".!?" else (sentence, ".")
        if rng.random() < 0.5:
            old, new = rng.choice(_SWAPS)
            body = body.replace(old, new, 1)
        if rng.random() < 0.5 and body[:1].isupper():
            body = rng.choice(_LEADS) + body[0].lower() + body[1:]
        if rng.random() < 0.5:
            body += rng.choice(_TAILS)
        if rng.random() < 0.2:
            body += f" ({rng.randint(2, 60)} lượt tham gia)"
        out.append(body + end)
    return " ".join(out)


def _with_fault(spec: FormSpec, values: dict, fault: str, rng: random.Random) -> dict:
    values = dict(values)
    if fault == "slip":
        code, slipped = slip(spec, values, rng)
        values[code] = slipped
    elif fault == "text-number":
        code = rng.choice([f.code for f in spec.numeric_fields if f.kind == "count" and values.get(f.code)])
        values[code] = f"{values[code]} {spec.by_code[code].unit}"
    elif fault == "part-over-total":
        values["cbccvcld_nu"] = values["cbccvcld_tong"] + rng.randint(1, 9)
    elif fault == "blank":
        values[rng.choice([f.code for f in spec.numeric_fields if f.required])] = None
    else:
        values[rng.choice([f.code for f in spec.narrative_fields])] = "Không có."
    return values


def slippable(spec: FormSpec, values: dict) -> list[str]:
    """The figures a slip is put into: those the form compares between units, where the unit wrote one."""
    return [f.code for f in spec.numeric_fields if f.outlier and isinstance(values.get(f.code), (int, float))
            and values[f.code] > 0]


def slip(spec: FormSpec, values: dict, rng: random.Random, code: str | None = None) -> tuple[str, float]:
    """A figure ×10 or ÷10, a money figure ×1000 or ÷1000: (its code, the slipped value)."""
    code = code or rng.choice(slippable(spec, values))
    factor = 1000 if spec.by_code[code].kind == "money" else 10
    value = values[code] * factor if rng.random() < 0.5 else values[code] / factor
    return code, (round(value) if value >= 1 else value)


def patched(skeleton: Skeleton, part: str, values: dict) -> bytes:
    return patched_cells(skeleton.pieces[part], skeleton.slots[part], values)


def _cell(ref: str, style: str, value) -> bytes:
    if value is None or value == "":
        return f'<c r="{ref}"{style}/>'.encode()
    if isinstance(value, dt.date):
        value = (value - EXCEL_EPOCH).days
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = escape(str(value))
        space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'.encode()
    return f'<c r="{ref}"{style} t="n"><v>{value}</v></c>'.encode()


def write_file(path: Path, skeleton: Skeleton, values: dict, mtime: float) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in skeleton.entries:
            target.writestr(info, patched(skeleton, info.filename, values) if info.filename in skeleton.pieces
                            else data)
    path.write_bytes(buffer.getvalue())
    os.utime(path, (mtime, mtime))


# ---------------------------------------------------------------------------------------- warning rates
@dataclass
class Rates:
    units: int
    outlier_files: int  # clean files given a peer-outlier warning
    any_problem_files: int  # clean files given any problem at all
    slips: int
    caught: int
    missed: list[str]  # "field ×10" of slips not caught, for reading

    @property
    def outlier_rate(self) -> float:
        return self.outlier_files / self.units if self.units else 0.0

    @property
    def caught_rate(self) -> float:
        return self.caught / self.slips if self.slips else 0.0


def warning_rates(spec: FormSpec, count: int) -> Rates:
    """Clean realistic units through the real validation: how many are warned as outliers; then each unit
    given one slip, 2 % of them at a time among clean others: how often the slipped unit gets a new problem."""
    from pipeline.intake.submission import Submission
    from pipeline.validate import validate_submissions

    layout = layout_for(spec)
    cells = {code: (ref.sheet, ref.a1) for code, ref in layout.cells.items()}
    clean = [clean_values(spec, index) for index in range(1, count + 1)]

    def validated(table: list[dict]) -> list[Submission]:
        subs = [Submission(path=f"{i}.xlsx", size=0, mtime=0.0, sha256="", kind="xlsx", values=dict(v),
                           cells=cells, unit=v[spec.roles.unit_code]) for i, v in enumerate(table)]
        validate_submissions(spec, subs)
        return subs

    base = validated(clean)
    flagged = sum(any(p.code == "outlier" for p in s.problems) for s in base)
    anything = sum(bool(s.problems) for s in base)
    rng = random.Random(2023)
    slips = caught = 0
    missed: list[str] = []
    # Every unit is slipped once, a fiftieth of them at a time (2 %, as in a real inbox) among clean others.
    for offset in range(BATCHES):
        table, slipped = list(clean), {}
        for position in range(offset, count, BATCHES):
            if slippable(spec, clean[position]):
                code, value = slip(spec, clean[position], rng)
                table[position] = {**clean[position], code: value}
                slipped[position] = code
        after = validated(table)
        for position, code in slipped.items():
            before = {(p.code, p.field) for p in base[position].problems}
            slips += 1
            if {(p.code, p.field) for p in after[position].problems} - before:
                caught += 1
            else:
                missed.append(f"{code} {table[position][code] / clean[position][code]:g}×")
    return Rates(count, flagged, anything, slips, caught, missed)
