"""Hostile and broken files in whole runs: every file accounted for, clean figures exact, nothing leaks, hangs or runs."""
# Hostile files are only read by runs, in worker processes: python-calamine aborts the whole process on a far cell.
from __future__ import annotations

import collections
import hashlib
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml
import docx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

import pipeline.outputs
import pipeline.reading
import pipeline.run
from pipeline.form import load_spec
from pipeline.intake import submission as submission_module
from pipeline.intake.coerce import is_unicode_vietnamese
from pipeline.intake.names import ods_names, ooxml_names
from pipeline.intake.scan import Found
from pipeline.intake.submission import ReadTask, read_submission
from pipeline.ledger import STATES
from pipeline.outputs.workbook import sheet_names
from pipeline.run import RunOptions, consolidate_inbox, read_files
from pipeline.states import file_state
from pipeline.template.fill import named_cell
from tests import hostile
from tests.filling import fill_template, good_values
from tests.helpers import by_file, codes, run_json, saved_earlier

WORKBOOK = "tong-hop-bao-cao-cd-2023.xlsx"
REPORT = "bao-cao-tong-hop-bao-cao-cd-2023.docx"
CLEAN_UNITS = {"C001": 50, "C002": 120, "C003": 300}  # unit code -> size given to good_values
PASSWD_MARKERS = (b"root:x:0:0", b"root:*:0:0", b"/bin/bash", b"/usr/sbin/nologin")


# --- shared helpers ------------------------------------------------------------------------------


def zip_parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info.filename)) for info in archive.infolist()]


def rezip(parts: list[tuple[str, bytes]]) -> bytes:
    """A sound zip of the parts in their order: damage inside a part reaches the XML, not the container."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(name, data)
    return buffer.getvalue()


def recoded(data: bytes, placeholder: bytes, code: str) -> bytes:
    """A filled workbook under another unit code of the same length (the code is in plain inline strings)."""
    assert len(placeholder) == len(code)
    return rezip([(name, part.replace(placeholder, code.encode())) for name, part in zip_parts(data)])


def fill_with_texts(template_bytes: bytes, values: dict, texts: dict[str, str], path: Path) -> Path:
    """Fill like write_submission, but store `texts` as strings even when they look like formulas."""
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes))
    for code, value in {**values, **texts}.items():
        sheet, ref = named_cell(workbook, code)
        cell = workbook[sheet][ref]
        cell.value = value
        if code in texts:
            cell.data_type = "s"
    workbook.save(path)
    return path


def filled_bytes(spec, template_bytes: bytes, code: str, size: int = 100, **overrides) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "filled.xlsx"
        fill_template(template_bytes, {**good_values(spec, code, size), **overrides}, path)
        return path.read_bytes()


def inbox_snapshot(inbox: Path) -> dict[str, tuple[int, int, str]]:
    snapshot = {}
    for path in sorted(inbox.rglob("*")):
        if path.is_file():
            stat = path.stat()
            snapshot[path.relative_to(inbox).as_posix()] = (stat.st_size, stat.st_mtime_ns,
                                                            hashlib.sha256(path.read_bytes()).hexdigest())
    return snapshot


def files_on_disk(inbox: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(inbox))


def output_blobs(outbox: Path) -> dict[str, bytes]:
    """Every output's bytes; xlsx and docx opened up into their (inflated) parts."""
    blobs = {}
    for path in sorted(outbox.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(outbox).as_posix()
        if path.suffix in (".xlsx", ".docx"):
            for part, data in zip_parts(path.read_bytes()):
                blobs[f"{name}!{part}"] = data
        else:
            blobs[name] = path.read_bytes()
    return blobs


def numeric_sums(spec, value_sets: list[dict]) -> dict[str, int]:
    return {f.code: sum(int(values.get(f.code) or 0) for values in value_sets) for f in spec.numeric_fields}


def is_complete_workbook(path: Path) -> bool:
    """Opens with openpyxl and calamine and has every sheet of the consolidated workbook."""
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        names = book.sheetnames
        book.close()
        expected = sheet_names(load_spec())
        return names == expected and CalamineWorkbook.from_path(str(path)).sheet_names == expected
    except Exception:
        return False


# --- 1. the corpus: every generator of tests/hostile.py, clean files, formula-like texts, a long narrative ---

FORMULA_TEXTS = {
    "ten_cdcs": '=HYPERLINK("http://x","y")',
    "tm_I": "+1+1",
    "tm_II_1": "-2+3",
    "tm_II_2": "@SUM(A1)",
    "tm_V": "=cmd|' /C calc'!A0",
}
LONG_SENTENCE = "Công đoàn cơ sở đã phối hợp với chuyên môn chăm lo đời sống, việc làm cho đoàn viên và người lao động. "
LONG_NARRATIVE = (LONG_SENTENCE * (40_000 // len(LONG_SENTENCE) + 1))[:40_000]

# generator -> (needs a filled source, expected state, expected problem code or None)
CORPUS = {
    "minimal_xlsx": (False, "rejected", "not-template"),
    "zip_bomb": (False, "rejected", "zip-bomb"),
    "zip_bomb_many_parts": (False, "rejected", "too-many-parts"),
    "lying_sizes": (False, "rejected", "bad-zip"),
    "truncated": (True, "rejected", "bad-zip"),
    "empty": (False, "rejected", "empty-file"),
    "random_bytes": (False, "rejected", "unsupported-format"),
    "billion_laughs": (False, "rejected", "xml-entities"),
    "xxe": (False, "rejected", "xml-entities"),
    "far_cell": (False, "rejected", "far-cell"),
    "far_dimension": (False, "rejected", "far-cell"),
    "far_merge": (False, "rejected", "far-cell"),
    "far_cell_implicit": (False, "rejected", "far-cell"),
    "far_cell_prefixed": (False, "rejected", "far-cell"),
    # hostile.py cuts the first sheet, the guide no reader looks at: the data is whole, but Excel would
    # offer to repair the file, so it is refused before any reader sees it.
    "malformed_sheet_xml": (True, "rejected", "damaged-part"),
    "missing_workbook_part": (True, "rejected", "missing-part"),
    "encrypted": (True, "rejected", "encrypted"),
    "legacy_xls": (False, "rejected", "not-template"),
    "encrypted_xls": (False, "rejected", "encrypted"),
    "ole_without_workbook": (False, "rejected", "unsupported-format"),
    "csv_renamed": (False, "rejected", "not-a-workbook"),
    "semicolon_csv_cp1258": (False, "rejected", "not-a-workbook"),
    "tab_text_utf16": (False, "rejected", "not-a-workbook"),
    "html_renamed": (False, "rejected", "not-a-workbook"),
    "bare_table_html": (False, "rejected", "not-a-workbook"),
    "pdf_renamed": (False, "ignored", None),
    "image_renamed": (False, "ignored", None),
    "docx_renamed": (False, "ignored", None),
    "ods": (False, "rejected", "not-template"),
    "ods_far_repeat": (False, "rejected", "far-cell"),
    "encrypted_ods": (False, "rejected", "encrypted"),
    "plain_zip": (False, "rejected", "unsupported-format"),
    "macro_enabled": (True, "accepted", None),
    "renamed_copy": (True, "accepted", None),
}
# Made here, beside the generators: damage where the reader does look, and an entity where names are read.
LOCAL_CORPUS = {
    "malformed_figures.xlsx": ("rejected", "damaged-part"),
    "workbook_entity.xlsx": ("rejected", "xml-entities"),
}


def cut_figures_sheet(src: Path, target: Path) -> Path:
    """A copy whose figures sheet (xl/worksheets/sheet2.xml) ends in the middle of a cell tag."""
    parts = zip_parts(src.read_bytes())
    damaged = []
    for name, data in parts:
        if name == "xl/worksheets/sheet2.xml":
            data = data[: data.find(b"<c ", len(data) // 2) + 4]
        damaged.append((name, data))
    target.write_bytes(rezip(damaged))
    return target


def with_workbook_entity(src: Path, target: Path) -> Path:
    """A copy whose xl/workbook.xml declares an external entity on /etc/passwd and names a cell with it."""
    damaged = []
    for name, data in zip_parts(src.read_bytes()):
        if name == "xl/workbook.xml":
            start = data.find(b"<workbook")
            data = data[:start] + b'<!DOCTYPE workbook [<!ENTITY leak SYSTEM "file:///etc/passwd">]>' + data[start:]
            data = re.sub(rb'(<definedName name="ma_cdcs">)[^<]*', rb"\1&leak;", data)
        damaged.append((name, data))
    target.write_bytes(rezip(damaged))
    return target


def with_raw_text(data: bytes, marker: bytes, text: str) -> bytes:
    """Put `text` where `marker` is, in the XML itself: other writers than Excel do not stop at 32,767 characters."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8")
    return rezip([(name, part.replace(marker, escaped)) for name, part in zip_parts(data)])


@dataclass
class CorpusRun:
    inbox: Path
    outbox: Path
    exit_code: int
    document: dict
    before: dict
    after: dict
    written: dict[str, dict] = field(default_factory=dict)  # inbox file -> the values filled into it
    names: dict[str, str] = field(default_factory=dict)  # generator -> its file in the inbox


def build_corpus(inbox: Path, scratch: Path, spec, template_bytes: bytes) -> tuple[dict[str, dict], dict[str, str]]:
    """Write the corpus into inbox; return (inbox file -> the values filled into it, generator -> its file)."""
    written: dict[str, dict] = {}
    names: dict[str, str] = {}

    def fill(name: str, code: str, size: int = 100, **overrides) -> Path:
        """What the write_submission fixture does, usable outside a test function."""
        values = {**good_values(spec, code, size), **overrides}
        path = inbox / name
        fill_template(template_bytes, values, path)
        written[name] = values
        return path

    for number, generator in enumerate(CORPUS, start=1):
        folder = scratch / generator
        folder.mkdir()
        if CORPUS[generator][0]:
            code = f"H{number:03d}"
            values = good_values(spec, code, size=20 + number)
            source = fill_template(template_bytes, values, scratch / f"{code}.xlsx")
            made = getattr(hostile, generator)(source, folder, *(["report.xls"] if generator == "renamed_copy" else []))
        else:
            made = getattr(hostile, generator)(folder)
            values = None
        name = names[generator] = f"{generator}{made.suffix}"
        shutil.move(made, inbox / name)
        if values is not None:
            written[name] = values
    source = fill_template(template_bytes, good_values(spec, "H900"), scratch / "H900.xlsx")
    cut_figures_sheet(source, inbox / "malformed_figures.xlsx")
    with_workbook_entity(source, inbox / "workbook_entity.xlsx")
    for code, size in CLEAN_UNITS.items():
        fill(f"clean-{code}.xlsx", code, size)
    fill("long-narrative.xlsx", "L001", 80, tm_II_3=LONG_NARRATIVE)  # openpyxl keeps 32,767 characters, as Excel
    values = good_values(spec, "L002", size=90)
    (inbox / "long-narrative-raw.xlsx").write_bytes(with_raw_text(
        filled_bytes(spec, template_bytes, "L002", 90, tm_II_3="LONGTEXT"), b"LONGTEXT", LONG_NARRATIVE))
    written["long-narrative-raw.xlsx"] = {**values, "tm_II_3": LONG_NARRATIVE}
    values = good_values(spec, "T001", size=70)
    fill_with_texts(template_bytes, values, FORMULA_TEXTS, inbox / "formula-texts.xlsx")
    written["formula-texts.xlsx"] = {**values, **FORMULA_TEXTS}
    return written, names


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, spec, template_bytes) -> CorpusRun:
    root = tmp_path_factory.mktemp("corpus")
    inbox, scratch = root / "inbox", root / "scratch"
    inbox.mkdir()
    scratch.mkdir()
    written, names = build_corpus(inbox, scratch, spec, template_bytes)
    saved_earlier(inbox)
    before = inbox_snapshot(inbox)
    exit_code, document = run_json(inbox, root / "outbox")
    return CorpusRun(inbox, root / "outbox", exit_code, document, before, inbox_snapshot(inbox), written, names)


def test_corpus_run_finishes_with_problems_reported(corpus):
    assert corpus.exit_code == 1  # rejected files, and nothing else went wrong
    assert (corpus.outbox / WORKBOOK).is_file()


def test_corpus_accounts_for_every_file_once(corpus):
    names = [entry["file"] for entry in corpus.document["files"]]
    assert len(names) == files_on_disk(corpus.inbox) == len(set(names))
    assert {entry["status"] for entry in corpus.document["files"]} <= set(STATES)


def test_corpus_rejections_give_a_vietnamese_reason(corpus):
    for entry in corpus.document["files"]:
        if entry["status"] == "rejected":
            errors = [p for p in entry["problems"] if p["severity"] == "error"]
            assert errors, entry["file"]
            assert all(is_unicode_vietnamese(p["message"]) for p in errors), entry["file"]


@pytest.mark.parametrize("generator", list(CORPUS))
def test_corpus_generator_ends_in_its_expected_state(corpus, generator):
    entry = by_file(corpus.document)[corpus.names[generator]]
    _, state, code = CORPUS[generator]
    assert entry["status"] == state
    if code is not None:
        assert code in codes(entry)


@pytest.mark.parametrize("name", list(LOCAL_CORPUS))
def test_corpus_damaged_copy_ends_in_its_expected_state(corpus, name):
    entry = by_file(corpus.document)[name]
    state, code = LOCAL_CORPUS[name]
    assert entry["status"] == state and code in codes(entry)


def test_corpus_encrypted_files_ask_for_a_copy_without_password(corpus):
    for generator in ("encrypted", "encrypted_xls", "encrypted_ods"):
        entry = by_file(corpus.document)[corpus.names[generator]]
        message = next(p["message"] for p in entry["problems"] if p["code"] == "encrypted")
        assert "gỡ mật khẩu" in message and "gửi lại" in message


def test_corpus_totals_are_the_sums_of_the_accepted_files(corpus, spec):
    files = by_file(corpus.document)
    accepted = {name for name, entry in files.items() if entry["status"] == "accepted"}
    expected = {f"clean-{code}.xlsx" for code in CLEAN_UNITS} | {"long-narrative.xlsx", "long-narrative-raw.xlsx",
                                                                 "formula-texts.xlsx"}
    expected |= {corpus.names[g] for g, (_, state, _) in CORPUS.items() if state == "accepted"}
    assert accepted == expected
    assert corpus.document["totals"] == numeric_sums(spec, [corpus.written[name] for name in sorted(accepted)])


def test_corpus_inbox_is_left_untouched(corpus):
    assert corpus.after == corpus.before


def test_corpus_machine_files_appear_in_no_output(corpus):
    leaked = [name for name, data in output_blobs(corpus.outbox).items() if any(m in data for m in PASSWD_MARKERS)]
    assert leaked == []
    assert not any(m.decode() in str(corpus.document) for m in PASSWD_MARKERS)


@pytest.mark.parametrize(("name", "code", "length"), [("long-narrative.xlsx", "L001", 32_767),
                                                      ("long-narrative-raw.xlsx", "L002", 40_000)])
def test_corpus_long_narrative_reaches_the_workbook_whole(corpus, name, code, length):
    assert by_file(corpus.document)[name]["status"] == "accepted"
    rows = CalamineWorkbook.from_path(str(corpus.outbox / WORKBOOK)).get_sheet_by_name("Thuyết minh").to_python()
    # A text longer than a cell goes on over the next rows, each led by "<code> (tiếp)".
    text = "".join(row[2] for row in rows if str(row[0]).split(" ")[0] == code and LONG_SENTENCE[:20] in row[2])
    assert text == LONG_NARRATIVE[:length].strip()


def test_corpus_long_narrative_over_a_cell_is_flagged(corpus):
    assert "too-long" in codes(by_file(corpus.document)["long-narrative-raw.xlsx"])


def test_narrative_cut_at_the_cell_limit_is_flagged(tmp_path, write_submission):
    text = ("Đoàn viên " * 4000)[:32_766] + " " + "phần bị cắt"
    assert text[32_766] == " "
    write_submission("cut.xlsx", "L003", tm_II_3=text)
    _, document = run_json(tmp_path / "inbox", tmp_path / "outbox")
    assert "too-long" in codes(document["files"][0])


def test_corpus_unit_texts_stay_text_in_every_output_workbook(corpus):
    found = collections.Counter()
    for path in sorted(corpus.outbox.rglob("*.xlsx")):
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook.worksheets:
            assert not sheet._hyperlinks, (path.name, sheet.title)
            for row in sheet.iter_rows():
                for cell in row:
                    for text in FORMULA_TEXTS.values():
                        if isinstance(cell.value, str) and text in cell.value:
                            assert cell.data_type == "s", (path.name, sheet.title, cell.coordinate, cell.value)
                            found[text] += path.name == WORKBOOK
    assert set(found) == set(FORMULA_TEXTS.values()) and all(found.values())


def test_corpus_unit_texts_stay_plain_in_the_report(corpus):
    with zipfile.ZipFile(corpus.outbox / REPORT) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    assert "<w:hyperlink" not in document
    fields = re.findall(r"<w:instrText[^>]*>([^<]*)<|<w:fldSimple[^>]*w:instr=\"([^\"]*)\"", document)
    assert not any("HYPERLINK" in "".join(f) or "cmd" in "".join(f) for f in fields)
    assert "cmd|" in document  # the text itself is there, as text


# --- 2. XML entities are never expanded -----------------------------------------------------------


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_openpyxl_refuses_an_external_entity(tmp_path):
    # The feedback copy reopens unit workbooks with openpyxl in the parent process: it must refuse, not expand.
    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(hostile.xxe(tmp_path))
    assert isinstance(caught.value.__cause__, defusedxml.DefusedXmlException)


def test_entity_in_workbook_xml_is_refused_before_any_reader(tmp_path, spec, write_submission, monkeypatch):
    path = with_workbook_entity(write_submission("src.xlsx", "E001"), tmp_path / "entity.xlsx")
    opened = []
    monkeypatch.setattr(submission_module, "open_zip", lambda data: opened.append("open_zip"))
    monkeypatch.setattr(submission_module, "ooxml_names", lambda archive: opened.append("ooxml_names"))
    monkeypatch.setattr(submission_module.CellReader, "from_bytes", classmethod(lambda cls, data: opened.append("calamine")))
    monkeypatch.setattr(submission_module.CellReader, "from_parts",
                        classmethod(lambda cls, *_: opened.append("sheetxml")))
    submission = read_submission(ReadTask(str(path), spec.source))
    assert file_state(submission) == "rejected" and [p.code for p in submission.problems] == ["xml-entities"]
    assert opened == []


def test_defined_names_never_expand_an_entity(tmp_path, write_submission):
    path = with_workbook_entity(write_submission("src.xlsx", "E001"), tmp_path / "entity.xlsx")
    with zipfile.ZipFile(path) as archive:
        names, parts = ooxml_names(archive)
    assert "ma_cdcs" not in names  # "&leak;" is no cell reference: left alone, not resolved
    assert not any(m.decode() in repr((names, parts)) for m in PASSWD_MARKERS)


def test_ods_names_refuse_a_document_type(tmp_path):
    content = hostile.ods_content(hostile.ODS_ROW).replace(
        "?>", '?><!DOCTYPE d [<!ENTITY leak SYSTEM "file:///etc/passwd">]>', 1)
    path = hostile.ods(tmp_path, "entity.ods", content)
    with zipfile.ZipFile(path) as archive, pytest.raises(defusedxml.DefusedXmlException):
        ods_names(archive)


# --- 3. structure-aware mutants of a filled template ---------------------------------------------

MUTANT_COUNT = 420
MUTANT_SEED = 1234
PLACEHOLDER = b"M0000"
MUTATED_PARTS = ("xl/workbook.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/sharedStrings.xml",
                 "[Content_Types].xml", "xl/_rels/workbook.xml.rels")
SHEET_PARTS = ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml",
               "xl/worksheets/sheet4.xml")
# flip is listed twice: damaged bytes are the commonest real damage.
MUTANT_KINDS = ("flip", "flip", "delete", "repeat", "far-ref", "far-row", "bad-name", "truncated", "swapped-parts",
                "swapped-rels")
ABSURD_REFS = (b"XFD1048576", b"A0", b"ZZZZ1", b"-1", b"A99999999", b"", b"D0020", b"d20")
ABSURD_ROWS = (b"0", b"-1", b"1048577", b"99999999999", b"x")
ABSURD_NAMES = ("'Không có'!$D$20", "'Số liệu'!$XFD$1048576", "'Số liệu'!$D$999999", "'Số liệu'!$A$0", "Sheet9!A1",
                "'Thuyết minh'!$D$20", "#REF!", "'_id'!$B$99")


def _span(rng: random.Random, data: bytes) -> tuple[int, int]:
    start = rng.randrange(len(data))
    return start, start + rng.randint(1, min(400, len(data) - start))


def _mutate_part(kind: str, rng: random.Random, data: bytes) -> bytes:
    if kind == "flip":
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] ^= rng.randint(1, 255)
        return bytes(damaged)
    start, end = _span(rng, data)
    if kind == "delete":
        return data[:start] + data[end:]
    return data[:end] + data[start:end] * rng.randint(1, 3) + data[end:]  # repeat


def _replace_group(rng: random.Random, data: bytes, pattern: bytes, choices) -> bytes:
    match = rng.choice(list(re.finditer(pattern, data)))
    return data[:match.start(1)] + rng.choice(choices) + data[match.end(1):]


def make_mutant(base: list[tuple[str, bytes]], kind: str, rng: random.Random, code: str) -> tuple[str, bytes]:
    """One damaged copy of the filled template `base` (unit code PLACEHOLDER) under `code`; returns (detail, bytes)."""
    parts = {name: data.replace(PLACEHOLDER, code.encode()) for name, data in base}
    detail = kind
    if kind in ("flip", "delete", "repeat"):
        part = rng.choice([p for p in MUTATED_PARTS if p in parts])
        parts[part] = _mutate_part(kind, rng, parts[part])
        detail = f"{kind} {part}"
    elif kind == "far-ref":
        part = rng.choice(SHEET_PARTS[1:3])
        parts[part] = _replace_group(rng, parts[part], rb'<c r="([A-Z]+[0-9]+)"', ABSURD_REFS)
    elif kind == "far-row":
        part = rng.choice(SHEET_PARTS[1:3])
        parts[part] = _replace_group(rng, parts[part], rb'<row r="([0-9]+)"', ABSURD_ROWS)
    elif kind == "bad-name":
        names = [n.encode() for n in ABSURD_NAMES]
        parts["xl/workbook.xml"] = _replace_group(rng, parts["xl/workbook.xml"], rb'<definedName name="[^"]*">([^<]*)<',
                                                  names)
    elif kind == "swapped-parts":
        first, second = rng.sample(SHEET_PARTS, 2)
        parts[first], parts[second] = parts[second], parts[first]
    elif kind == "swapped-rels":
        rels = parts["xl/_rels/workbook.xml.rels"]
        parts["xl/_rels/workbook.xml.rels"] = (rels.replace(b"sheet2.xml", b"\0").replace(b"sheet3.xml", b"sheet2.xml")
                                               .replace(b"\0", b"sheet3.xml"))
    data = rezip([(name, parts[name]) for name, _ in base])
    if kind == "truncated":
        data = data[: rng.randrange(1, len(data))]
    return detail, data


def write_mutants(folder: Path, base: bytes, count: int = MUTANT_COUNT, seed: int = MUTANT_SEED) -> dict[str, str]:
    """`count` mutants of `base` into folder, each under its own unit code M0001…; returns file name -> detail."""
    rng = random.Random(seed)
    parts = zip_parts(base)
    details = {}
    for number in range(1, count + 1):
        kind = MUTANT_KINDS[number % len(MUTANT_KINDS)]
        detail, data = make_mutant(parts, kind, rng, f"M{number:04d}")
        name = f"mutant-{number:04d}.xlsx"
        (folder / name).write_bytes(data)
        details[name] = detail
    return details


@dataclass
class MutantRun:
    inbox: Path
    outbox: Path
    details: dict[str, str]
    result: pipeline.run.Run


@pytest.fixture(scope="module")
def mutant_run(tmp_path_factory, spec, template_bytes) -> MutantRun:
    root = tmp_path_factory.mktemp("mutants")
    inbox = root / "inbox"
    inbox.mkdir()
    details = write_mutants(inbox, filled_bytes(spec, template_bytes, PLACEHOLDER.decode(), size=40))
    for code, size in CLEAN_UNITS.items():
        (inbox / f"clean-{code}.xlsx").write_bytes(filled_bytes(spec, template_bytes, code, size))
    saved_earlier(inbox)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.reading, "READ_TIMEOUT", 5.0)  # a hanging mutant then costs 5 s, not 30
        result = consolidate_inbox(spec, RunOptions(inbox=inbox, outbox=root / "outbox", progress=False))
    run = MutantRun(inbox, root / "outbox", details, result)
    print("\n" + mutant_summary(run))
    return run


def mutant_summary(run: MutantRun) -> str:
    records = [r for r in run.result.ledger.records if r.relative in run.details]
    states = collections.Counter(r.state for r in records)
    problems = collections.Counter(p.code for r in records for p in r.problems)
    by_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for record in records:
        by_kind[run.details[record.relative].split()[0]][record.state] += 1
    kinds = "; ".join(f"{kind} {dict(counter)}" for kind, counter in sorted(by_kind.items()))
    return (f"mutants: {len(records)} tried, states {dict(sorted(states.items()))}, "
            f"reader-crash {problems['reader-crash']}, reader-timeout {problems['reader-timeout']}; by kind: {kinds}")


def test_mutants_are_many_and_of_every_kind(mutant_run):
    assert len(mutant_run.details) >= 400
    assert {d.split()[0] for d in mutant_run.details.values()} == set(MUTANT_KINDS)


def test_every_mutant_ends_in_one_state_with_a_reason(mutant_run):
    records = mutant_run.result.ledger.records
    assert sorted(r.relative for r in records) == sorted(p.name for p in mutant_run.inbox.iterdir())
    for record in records:
        assert record.state in STATES and record.reason, record.relative
        if record.state == "rejected":
            assert any(p.is_error for p in record.problems), record.relative
        if record.state == "accepted":
            assert not record.has_errors, record.relative


def test_mutant_run_keeps_clean_figures_and_sums_only_accepted_files(mutant_run, spec):
    accepted = mutant_run.result.ledger.accepted
    assert {f"clean-{code}.xlsx" for code in CLEAN_UNITS} <= {r.relative for r in accepted}
    reread = read_files(spec, [Found(Path(r.submission.path), r.relative) for r in accepted])
    assert [r.submission.values for r in reread] == [r.submission.values for r in accepted]
    for record in reread:
        if record.relative.startswith("clean-"):
            expected = good_values(spec, record.unit, CLEAN_UNITS[record.unit])
            assert {f.code: record.submission.values[f.code] for f in spec.numeric_fields} == \
                   {f.code: expected[f.code] for f in spec.numeric_fields}
    assert mutant_run.result.as_json()["totals"] == numeric_sums(spec, [r.submission.values for r in reread])


def test_mutant_run_writes_every_output(mutant_run):
    outbox = mutant_run.outbox
    for name in ("tong-hop-bao-cao-cd-2023.xlsx", "bao-cao-tong-hop-bao-cao-cd-2023.docx", "don-vi-chua-nop-hoac-muon.xlsx"):
        assert (outbox / name).is_file(), name
    with_problems = [r for r in mutant_run.result.ledger.records if r.state in ("accepted", "rejected") and r.problems]
    assert len(list((outbox / "phan-hoi").glob("*.xlsx"))) == len(with_problems)


# --- the feedback crashes the mutants once found, each on its own -------------------------------------


def _feedback_run(tmp_path: Path, name: str, data: bytes) -> tuple[int, dict]:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_bytes(data)
    saved_earlier(inbox / name)
    return run_json(inbox, tmp_path / "outbox")


def test_feedback_survives_a_field_landing_on_a_merged_cell(tmp_path, spec, template_bytes):
    # The figures sheet's name now leads to the narrative sheet, whose D column is merged into B.
    _, data = make_mutant(zip_parts(filled_bytes(spec, template_bytes, "S001")), "swapped-rels", random.Random(0), "S001")
    exit_code, document = _feedback_run(tmp_path, "swapped.xlsx", data)
    assert exit_code == 1 and document["files"][0]["status"] == "rejected"


def test_feedback_survives_a_defined_name_at_row_zero(tmp_path, spec, template_bytes):
    parts = [(name, re.sub(rb"(<definedName name=\"cbccvcld_tong\">)[^<]*", "\\1'Số liệu'!$A$0".encode(), data))
             for name, data in zip_parts(filled_bytes(spec, template_bytes, "Z001"))]
    exit_code, document = _feedback_run(tmp_path, "row-zero.xlsx", rezip(parts))
    assert exit_code == 1 and "missing-value" in codes(document["files"][0])


def test_feedback_survives_a_control_character_a_unit_typed(tmp_path, spec, template_bytes):
    data = filled_bytes(spec, template_bytes, "V001", tm_V="Kiến nghị VTAB thêm")
    # Excel stores a control character as _x000B_; calamine decodes it back.
    damaged = rezip([(name, part.replace(b"VTAB", b"_x000B_")) for name, part in zip_parts(data)])
    exit_code, document = _feedback_run(tmp_path, "vtab.xlsx", damaged)
    assert exit_code == 0 and "narrative-short" in codes(document["files"][0])


def test_feedback_survives_a_control_character_in_a_cell_reference(tmp_path):
    path = hostile.minimal_xlsx(tmp_path, "crafted.xlsx", hostile.sheet_xml('<row r="1"><c r="A\x011"><v>1</v></c></row>'))
    exit_code, document = _feedback_run(tmp_path, "control.xlsx", path.read_bytes())
    # A control character is not allowed in XML at all: the part is refused as damaged before it is read.
    assert exit_code == 1 and "damaged-part" in codes(document["files"][0])


# --- 4. random mixes of good and bad files ---------------------------------------------------------

UNIT_POOL = ("P01", "P02", "P03", "P04", "P05")  # few, so some units send several files (superseded)
SIZES = (20, 57, 100, 2_500, 123_456)  # below ~15 good_values itself breaks a rule
RULE_BREAKERS = {
    "women-above-total": lambda size: {"cbccvcld_nu": size + 1},
    "negative-members": lambda size: {"doan_vien_giam": -3},
    "blank-staff": lambda size: {"cbccvcld_tong": None},
    "answer-not-in-list": lambda size: {"hoi_nghi_cbccvc": "Có lẽ"},
}
CHEAP_HOSTILE = ("empty", "random_bytes", "csv_renamed", "billion_laughs", "far_cell", "truncated", "pdf_renamed")
_filled_cache: dict[tuple, bytes] = {}

mixed_file = st.one_of(
    st.tuples(st.just("good"), st.sampled_from(UNIT_POOL), st.sampled_from(SIZES)),
    st.tuples(st.sampled_from(sorted(RULE_BREAKERS)), st.sampled_from(UNIT_POOL), st.sampled_from(SIZES)),
    st.tuples(st.sampled_from(CHEAP_HOSTILE), st.just(""), st.just(0)),
)


def _cached_filled(spec, template_bytes: bytes, kind: str, code: str, size: int) -> tuple[bytes, dict]:
    overrides = RULE_BREAKERS[kind](size) if kind in RULE_BREAKERS else {}
    key = (kind, code, size)
    if key not in _filled_cache:
        _filled_cache[key] = filled_bytes(spec, template_bytes, code, size, **overrides)
    return _filled_cache[key], {**good_values(spec, code, size), **overrides}


@settings(max_examples=25, deadline=None)
@given(mix=st.lists(mixed_file, min_size=1, max_size=8))
def test_random_mix_accounts_for_every_file_and_sums_only_accepted_ones(spec, template_bytes, mix):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        inbox = root / "inbox"
        inbox.mkdir()
        written: dict[str, dict | None] = {}
        for index, (kind, code, size) in enumerate(mix):
            if kind in CHEAP_HOSTILE:
                folder = root / f"made-{index}"
                folder.mkdir()
                args = [folder]
                if kind == "truncated":
                    source = folder / "source.xlsx"
                    source.write_bytes(_cached_filled(spec, template_bytes, "good", "P01", 100)[0])
                    args.insert(0, source)
                made = getattr(hostile, kind)(*args)
                name = f"{index:02d}-{kind}{made.suffix}"
                shutil.move(made, inbox / name)
                written[name] = None
            else:
                data, values = _cached_filled(spec, template_bytes, kind, code, size)
                name = f"{index:02d}-{kind}-{code}.xlsx"
                (inbox / name).write_bytes(data)
                written[name] = values
        saved_earlier(inbox)
        _, document = run_json(inbox, root / "outbox")
    states = collections.Counter(entry["status"] for entry in document["files"])
    assert set(states) <= set(STATES)
    assert sum(states.values()) == len(written) == len(document["files"])
    allowed = {"good": {"accepted", "superseded"}, "rule": {"rejected", "superseded"}, "hostile": {"rejected", "ignored"}}
    for entry in document["files"]:
        kind = entry["file"].split("-", 1)[1]
        family = "good" if kind.startswith("good") else "hostile" if written[entry["file"]] is None else "rule"
        assert entry["status"] in allowed[family], entry
    accepted = [written[entry["file"]] for entry in document["files"] if entry["status"] == "accepted"]
    assert document["totals"] == numeric_sums(spec, accepted)


# --- 5. a run killed while writing leaves the previous workbook whole ----------------------------

KILL_COPIES = 300


def _start_run(inbox: Path, outbox: Path) -> subprocess.Popen:
    # Another inbox into the same outbox on purpose: --allow-empty says so (none of the last run's files).
    return subprocess.Popen([sys.executable, "-m", "pipeline", "--inbox", str(inbox), "--outbox", str(outbox), "--quiet",
                             "--allow-empty"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_when(process: subprocess.Popen, outbox: Path, delay: float, after_write_starts: bool) -> set[Path]:
    """SIGKILL the run `delay` s after its start, or after a new temporary output appears.

    Returns the temporaries the run left behind: some when it was killed while writing.
    """
    before = set(outbox.glob(".*.tmp"))
    start = time.monotonic()
    while process.poll() is None:
        if after_write_starts and set(outbox.glob(".*.tmp")) - before:
            after_write_starts, start = False, time.monotonic()
        if not after_write_starts and time.monotonic() - start >= delay:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return set(outbox.glob(".*.tmp")) - before
        time.sleep(0.002)
    return set()


def is_complete_report(path: Path) -> bool:
    try:
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        return "I. TÌNH HÌNH" in text and "V. NHỮNG KIẾN NGHỊ" in text
    except Exception:
        return False


@pytest.mark.slow
def test_killed_run_leaves_the_previous_workbook_whole(tmp_path, spec, template_bytes):
    small, big, outbox = tmp_path / "small", tmp_path / "big", tmp_path / "outbox"
    small.mkdir()
    big.mkdir()
    for code, size in CLEAN_UNITS.items():
        (small / f"{code}.xlsx").write_bytes(filled_bytes(spec, template_bytes, code, size))
    base = filled_bytes(spec, template_bytes, "K0000", 60)
    for number in range(1, KILL_COPIES + 1):
        (big / f"k{number:04d}.xlsx").write_bytes(recoded(base, b"K0000", f"K{number:04d}"))
    assert run_json(small, outbox)[0] == 0
    previous = (outbox / WORKBOOK).read_bytes()
    # Early kills land in start-up or reading; the others a little after the workbook's temporary file appears.
    schedule = [(0.2, False), (0.5, False), (1.0, False), (0.0, True), (0.3, True), (1.0, True), (0.05, True),
                (2.0, True)]
    killed_while_writing, writing = 0, []
    for delay, after_write_starts in schedule:
        left = _kill_when(_start_run(big, outbox), outbox, delay, after_write_starts)
        killed_while_writing += bool(left)
        writing.extend(re.sub(r"-[^-]+$", "", path.name) for path in left)
        current = (outbox / WORKBOOK).read_bytes()
        assert current == previous or is_complete_workbook(outbox / WORKBOOK), (delay, after_write_starts)
        assert is_complete_report(outbox / REPORT), (delay, after_write_starts)
        previous = current
        if killed_while_writing >= 2 and after_write_starts:
            break
    assert killed_while_writing >= 1

    left_over = {p.name for p in outbox.rglob(".*.tmp")}
    exit_code, document = run_json(big, outbox, "--allow-empty")  # the last recorded run read the small inbox
    assert exit_code == 0 and document["workbook"] == str(outbox / WORKBOOK)
    assert is_complete_workbook(outbox / WORKBOOK)
    visible = {p.relative_to(outbox).as_posix() for p in outbox.rglob("*") if not p.name.startswith(".")}
    assert visible == {WORKBOOK, REPORT, "phu-luc-thuyet-minh-bao-cao-cd-2023.docx", "phan-hoi",
                       "don-vi-chua-nop-hoac-muon.xlsx", "so-tiep-nhan.sqlite"}
    # Temporaries of killed runs are hidden and never taken for outputs; a later run leaves them be.
    still_there = {p.name for p in outbox.rglob(".*.tmp")}
    print(f"\nkilled while writing {writing}; temporaries left by killed runs: {len(left_over)}, "
          f"after a full run: {len(still_there & left_over)}")
    assert all(name.startswith(".") for name in still_there)
