"""Read one returned file into a Submission: its identity, typed values by field code, and its problems."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.catalogue import label
from pipeline.form import FormSpec, load_spec
from pipeline.intake.cells import CellReader, formula_faults
from pipeline.intake.coerce import coerce, is_unicode_vietnamese
from pipeline.intake.encryption import is_encrypted
from pipeline.intake.legacy_encoding import detect_legacy_encoding
from pipeline.intake.names import CellName, ods_names, ooxml_names, open_zip, xls_names
from pipeline.intake.rollup import DATA_SHEET, ROLLUP, ROLLUP_REFUSALS, is_consolidated
from pipeline.intake.sniff import sniff_kind
from pipeline.intake.zipguard import InflatedParts, check_zip
from pipeline.isolation import describe_error
from pipeline.problems import Problem, problem
from pipeline.states import CHANGING, SET_ASIDE
from pipeline.template.layout import NAME_FORM_ID, NAME_FORM_VERSION, NAME_UNIT_CODE, anchors, layout_for

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".xlsb", ".xltx", ".xltm", ".numbers"}
READABLE_KINDS = {"xlsx", "xlsm", "xls", "ods"}
NOT_SPREADSHEET_KINDS = {"pdf", "docx", "image"}

@dataclass
class Submission:
    """What reading one file found: its values and coded problems. No state: `states.file_state` makes one from
    these, and `ledger.settle` alone gives each file its state."""

    path: str
    size: int
    mtime: float
    sha256: str
    kind: str = ""
    read: bool = True  # False once the file itself is refused: no values of the form were read
    form_id: str | None = None
    form_version: str | None = None
    hidden_unit: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    aside: str = ""  # why this is no submission at all (a PDF, a lock file, a link, an email itself), in words
    unit: str | None = None  # the value of the form's unit-code field, as text; None when blank
    unit_name: str | None = None
    # Per narrative field, its sentences and their group keys (narratives/themes.py, Keyed), found where the
    # file is read so that the work is shared between the reading processes; empty where nobody asked.
    sentences: dict[str, tuple[list[str], Sequence[int]]] = field(default_factory=dict)
    # A consolidated workbook read as a roll-up (intake/rollup.py): its units, each a submission of its own, and
    # its office code, units expected and reported; a unit of one, its row there.
    parts: list[Submission] = field(default_factory=list)
    rollup: dict | None = None

    def reject(self, code: str, /, value: str | None = None, **params: object) -> Submission:
        """The file itself is refused (not the template, damaged…): its values are not read."""
        self.read = False
        self.problems.append(problem(code, value=value, **params))
        return self

    @property
    def pending(self) -> bool:
        """Moved or changing while read: read again next run."""
        return any(p.code == CHANGING for p in self.problems)

    @property
    def readable(self) -> bool:
        """The form's values were read and stand: validation and the merge use them."""
        return self.read and not self.aside and not any(p.code == CHANGING or p.code in SET_ASIDE for p in self.problems)

    @property
    def reason(self) -> str:
        """Why a file that is no submission, is set aside or is pending is so, in one line (else empty)."""
        if self.aside:
            return self.aside
        return next((p.message for p in self.problems if p.code == CHANGING or p.code in SET_ASIDE), "")


@dataclass(frozen=True)
class ReadTask:
    path: str
    spec_source: str


@lru_cache(maxsize=4)
def spec_of(source: str) -> FormSpec:
    """The form a read task names, loaded once per process."""
    return load_spec(source)


def read_submission(task: ReadTask) -> Submission:
    """Read one file; never raises for a bad file: every failure becomes a rejection with a reason."""
    path = Path(task.path)
    try:
        before = path.stat()
        data = path.read_bytes()
    except OSError as exc:  # moved, deleted or locked between the scan and the read
        return vanished(task.path, exc)
    submission = Submission(path=task.path, size=len(data), mtime=before.st_mtime,
                            sha256=hashlib.sha256(data).hexdigest())
    try:
        _read_into(submission, path, data, spec_of(task.spec_source))
    except Exception as exc:  # a broken file may raise anything from any reader: it is that file's rejection
        submission.values, submission.cells = {}, {}
        # The reader's own words stay in `value`, for whoever maintains the tool; the clerk reads what to do.
        submission.reject("unreadable", value=describe_error(exc))
    try:
        after = path.stat()
    except OSError as exc:
        return vanished(task.path, exc)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or after.st_size != len(data):
        submission.problems = [problem("file-changing", what="Tệp đang được ghi hoặc sao chép (thay đổi trong lúc đọc).")]
    return submission


def vanished(path: str, exc: OSError) -> Submission:
    """A file that could not be opened at all (gone, or locked by another program): read it next run."""
    changing = problem("file-changing", value=describe_error(exc),
                       what="Không mở được tệp lúc đọc: tệp vừa bị chuyển, xóa hoặc đang bị khóa.")
    return Submission(path=path, size=0, mtime=0.0, sha256="", read=False, problems=[changing])


def _read_into(submission: Submission, path: Path, data: bytes, spec: FormSpec) -> None:
    kind = sniff_kind(path, data)
    submission.kind = kind
    extension = path.suffix.lower()
    if kind in NOT_SPREADSHEET_KINDS or (kind in ("unknown", "zip", "empty") and extension not in SPREADSHEET_EXTENSIONS):
        submission.aside = _ignored_reason(kind)
        if kind in NOT_SPREADSHEET_KINDS:  # a unit may have sent its report this way: worth telling staff
            submission.problems.append(problem("not-a-spreadsheet", what=_IGNORED_KINDS[kind]))
        return
    if kind == "encrypted":
        submission.reject("encrypted")
        return
    if kind in ("csv", "html") and extension != ".csv":
        submission.reject("not-a-workbook", extension=extension, kind=kind.upper())
        return
    if kind not in READABLE_KINDS:
        if kind == "xlsb":
            submission.reject("unsupported-format", what="là Sổ làm việc nhị phân Excel (.xlsb)")
        elif kind == "empty":
            submission.reject("empty-file")
        elif kind == "csv":
            submission.reject("not-template", form=spec.short_title, why="tệp CSV chỉ có số liệu, không có mẫu")
        elif extension in (".xlsx", ".xlsm", ".xls", ".ods"):
            submission.reject("unsupported-format", what=f"có đuôi {extension} nhưng nội dung không phải một bảng tính "
                                                         "(tệp hỏng, hoặc là loại tệp khác bị đổi đuôi)")
        else:
            submission.reject("unsupported-format", what=f"có định dạng {extension or '(không có đuôi)'}")
        return
    inflated = InflatedParts()
    if kind in ("xlsx", "xlsm", "ods") and (refusal := check_zip(data, keep=inflated)) is not None:
        if is_consolidated(data):  # a sub-office's consolidated workbook: a roll-up, told as one
            submission.kind, submission.rollup = ROLLUP, {"office": None, "expected": None, "reported": None}
            if refusal.code in ROLLUP_REFUSALS:  # a large one: read again under its own limits (rollup.py)
                submission.reject("not-template", form=spec.short_title, why="bảng tổng hợp, không phải mẫu báo cáo")
            else:
                submission.reject("rollup-damaged", what=label(refusal.code))
            return
        submission.read = False
        submission.problems.append(refusal)
        return
    # An OOXML or .xls file with a password is an OLE container, which sniffing already calls "encrypted";
    # only an .ods keeps its encryption inside an ordinary zip.
    if kind == "ods" and is_encrypted(path):
        submission.reject("encrypted")
        return
    _read_template(submission, kind, data, spec, inflated)


def _read_template(submission: Submission, kind: str, data: bytes, spec: FormSpec, inflated: InflatedParts) -> None:
    book = _open_workbook(kind, data, spec, inflated)
    if not _identify(submission, book, spec):
        return
    raw = _read_raw_cells(book, spec)
    _store_typed_values(submission, spec, book.where, raw)


@dataclass(frozen=True)
class _Workbook:
    """A returned workbook opened for reading, and where each of the form's names is in it."""

    reader: CellReader
    where: dict[str, CellName]  # the template's addresses, overridden by the file's own defined names
    sheets: set[str]
    archive: InflatedParts | None  # an xlsx/xlsm's inflated parts, where formulas' cached faults are read
    parts: dict[str, str]  # sheet name -> its part in `archive`

    def read(self, name: str) -> Any:
        """The value at a name's cell; None when its sheet is missing."""
        sheet, ref = self.where[name]
        return self.reader.value(sheet, ref) if sheet in self.sheets else None


def _open_workbook(kind: str, data: bytes, spec: FormSpec, inflated: InflatedParts) -> _Workbook:
    """A reader for the file, and its defined names (an xlsx/xlsm read from the parts the zip guard inflated)."""
    archive: InflatedParts | None = None
    parts: dict[str, str] = {}
    if kind in ("xlsx", "xlsm"):
        archive = inflated
        names, parts = ooxml_names(archive)
    elif kind == "ods":
        names = ods_names(open_zip(data))
    else:
        names = xls_names(data)
    reader = CellReader.from_parts(data, archive, parts) if archive is not None else CellReader.from_bytes(data)
    return _Workbook(reader=reader, where={**layout_for(spec).addresses, **names}, sheets=set(reader.sheet_names),
                     archive=archive, parts=parts)


def _identify(submission: Submission, book: _Workbook, spec: FormSpec) -> bool:
    """Which form, version and unit the file says it is (its hidden markers, found through its defined names),
    and whether the template's anchors are intact. False once the file is rejected as not this form's template."""
    form_id = book.read(NAME_FORM_ID)
    if not form_id:
        if DATA_SHEET in book.sheets:  # a consolidated workbook: a roll-up (reading.read_and_split reads it)
            submission.kind = ROLLUP
        submission.reject("not-template", form=spec.short_title, why="không thấy dấu nhận dạng của mẫu")
        return False
    submission.form_id = str(form_id)
    submission.form_version = str(book.read(NAME_FORM_VERSION) or "")
    submission.hidden_unit = str(book.read(NAME_UNIT_CODE) or "") or None
    if submission.form_id != spec.id:
        submission.reject("other-form", found=submission.form_id, form=spec.id)
        return False
    if submission.form_version.split(".")[0] != spec.version.split(".")[0]:
        submission.reject("old-version", found=submission.form_version or "?", version=spec.version)
        return False
    for sheet, (ref, text) in anchors(spec).items():
        if sheet in book.sheets and book.reader.value(sheet, ref) != text:
            submission.reject("damaged-template", sheet=sheet)
            return False
    return True


@dataclass(frozen=True)
class _RawCells:
    """The fields' cells as the workbook holds them, before any typing."""

    values: dict[str, Any]  # field code -> its cell's value; a field whose sheet is missing is left out
    faults: dict[str, dict[str, str]]  # sheet -> ref -> why a blank cell's formula has no value


def _read_raw_cells(book: _Workbook, spec: FormSpec) -> _RawCells:
    """Each field's cell as read, and why the blank ones holding a formula have no value (xlsx/xlsm only)."""
    where = book.where
    values = {f.code: book.reader.value(*where[f.code]) for f in spec.fields if where[f.code][0] in book.sheets}
    blank: dict[str, set[str]] = {}
    for code in (code for code, value in values.items() if value is None):
        sheet, ref = where[code]
        blank.setdefault(sheet, set()).add(ref)
    faults = {sheet: formula_faults(book.archive, book.parts[sheet], refs) for sheet, refs in blank.items()
              if book.archive is not None and sheet in book.parts}
    return _RawCells(values, faults)


def _store_typed_values(submission: Submission, spec: FormSpec, where: dict[str, CellName], raw: _RawCells) -> None:
    """Each field's value coerced into the form's type, and what coercing found turned into problems."""
    # Detect over the file's texts together (one short cell is too little evidence), leaving out
    # texts already in Unicode Vietnamese, such as the unit name the office prefilled.
    texts = [v for f in spec.fields if f.kind in ("text", "narrative")
             and isinstance(v := raw.values.get(f.code), str) and not is_unicode_vietnamese(v)]
    legacy = detect_legacy_encoding("\n".join(texts))
    for f in spec.fields:
        sheet, ref = where[f.code]
        submission.cells[f.code] = (sheet, ref)
        if f.code not in raw.values:
            submission.problems.append(problem("missing-sheet", field=f.code, sheet=sheet, cell=ref))
            continue
        fault = raw.faults.get(sheet, {}).get(ref)
        if fault is not None:
            submission.problems.append(_formula_problem(f, sheet, ref, fault))
            continue
        value, findings = coerce(f, raw.values[f.code], legacy)
        submission.values[f.code] = value
        submission.problems.extend(problem(finding.code, field=f.code, sheet=sheet, cell=ref, label=f.label,
                                           **finding.params) for finding in findings)
    submission.unit = _text_or_none(submission.values.get(spec.roles.unit_code))
    submission.unit_name = _text_or_none(submission.values.get(spec.roles.unit_name))


def _text_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _formula_problem(field, sheet: str, ref: str, fault: str) -> Problem:
    code = "formula-error" if fault else "formula-no-value"
    return problem(code, field=field.code, sheet=sheet, cell=ref, label=field.label, value=fault, fault=fault)


_IGNORED_KINDS = {"pdf": "tệp PDF (bản chụp/bản in)", "docx": "tệp Word", "image": "tệp ảnh",
                  "zip": "tệp nén", "empty": "tệp rỗng"}


def _ignored_reason(kind: str) -> str:
    what = _IGNORED_KINDS.get(kind)
    found = f"{what}, không phải bảng tính báo cáo" if what else "không phải bảng tính báo cáo"
    return f"Bỏ qua: {found}. Nếu là báo cáo, đề nghị đơn vị gửi tệp Excel theo mẫu."


def is_ignored_name(relative: str) -> str | None:
    """Hidden files, Excel and LibreOffice lock files: ignored without being opened."""
    name = os.path.basename(relative)
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        return "Bỏ qua: tệp khóa tạm của Excel/LibreOffice (tệp đang được mở)."
    if any(part.startswith(".") for part in relative.split("/")):
        return "Bỏ qua: tệp ẩn."
    return None
