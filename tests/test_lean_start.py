"""A lean start: the chase list written with XlsxWriter as openpyxl wrote it, openpyxl left unloaded by a run
whose feedback copies are all patched, and our XML escaping identical to xml.sax.saxutils' (which imports
urllib.request and http.client)."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax import saxutils

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipeline import xmltext
from pipeline.outputs import chase_list_name, feedback_folder
from pipeline.outputs import feedback as feedback_module
from pipeline.outputs.feedback import clean
from pipeline.roster import RosterUnit
from pipeline.run import RunOptions, consolidate_inbox

# Text rich in what escaping touches: markup characters, entity fragments, both quotes, the characters
# quoteattr turns into references, and any other character besides.
_XML_TEXT = st.text(st.sampled_from('&<>"\'\n\r\t;#a lgtampquos') | st.characters(), max_size=40)
_ENTITIES = st.dictionaries(st.text(st.sampled_from('&<>"\'\n\r\t;#aq'), max_size=4), _XML_TEXT, max_size=4)


@settings(max_examples=500, deadline=None)
@given(_XML_TEXT, _ENTITIES)
def test_xml_text_functions_give_what_saxutils_gives(text, entities):
    assert xmltext.escape(text) == saxutils.escape(text)
    assert xmltext.escape(text, entities) == saxutils.escape(text, entities)
    assert xmltext.unescape(text) == saxutils.unescape(text)
    assert xmltext.unescape(text, entities) == saxutils.unescape(text, entities)
    assert xmltext.quoteattr(text) == saxutils.quoteattr(text)
    assert xmltext.quoteattr(text, entities) == saxutils.quoteattr(text, entities)


def test_xml_text_functions_on_the_cases_that_matter():
    quotes = {"&quot;": '"', "&apos;": "'"}  # as intake/names.py unescapes a defined name
    for text in ("", "a&b<c>d", "&amp;lt;", "'both' \"quotes\"", 'only "double"', "only 'single'", "\n\r\t",
                 "Số liệu'!$D$20", "&lt;&gt;&amp;&quot;&apos;", "&&amp;amp;", "\x00\x7f\ud800"):
        assert xmltext.escape(text) == saxutils.escape(text)
        assert xmltext.quoteattr(text) == saxutils.quoteattr(text)
        assert xmltext.unescape(text, quotes) == saxutils.unescape(text, quotes)


def test_the_control_characters_cleaned_are_openpyxls():
    assert feedback_module.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern
    assert feedback_module.ILLEGAL_CHARACTERS_RE.flags == ILLEGAL_CHARACTERS_RE.flags


def _openpyxl_chase_list(consolidation, target: Path) -> None:
    """The chase list as feedback.py wrote it with openpyxl before XlsxWriter: the reference."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Cần nhắc"
    sheet.append(["Mã CĐCS", "Tên CĐCS", "Khối", "Tình trạng", "Email", "Điện thoại", "Ghi chú"])
    notes = {"missing": "Chưa gửi báo cáo", "late": "Gửi sau hạn",
             "rejected": "Tệp có lỗi, cần sửa và gửi lại (xem thư mục phan-hoi)"}
    for status in consolidation.ledger.units:
        if status.state not in notes:
            continue
        unit = status.unit
        sheet.append([clean(v) for v in (unit.code, unit.name, unit.group, status.label, unit.email, unit.phone,
                                         notes[status.state])])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    for letter, width in zip("ABCDEFG", (11, 36, 16, 12, 28, 14, 50)):
        sheet.column_dimensions[letter].width = width
    workbook.save(target)


def _read_back(path: Path):
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    # an empty cell's type is no value: openpyxl wrote an empty inline string, XlsxWriter writes no cell
    cells = [[(cell.coordinate, cell.value, cell.data_type if cell.value is not None else None) for cell in row]
             for row in sheet.iter_rows()]
    widths = {letter: (d.width, bool(d.customWidth)) for letter, d in sheet.column_dimensions.items() if d.width}
    return workbook.sheetnames, sheet.title, cells, widths


def test_chase_list_is_cell_for_cell_what_openpyxl_wrote(tmp_path, spec, write_submission):
    write_submission("CD001.xlsx", "CD001")
    write_submission("CD002.xlsx", "CD002", cbccvcld_nu=10_000)  # women above the total: rejected
    write_submission("CD003.xlsx", "CD003")
    roster = [  # values a roster can hold that a careless writer would turn into formulas, links or numbers
        RosterUnit("CD001", "=HYPERLINK(\"http://x.vn\",\"bấm\")", "+Giáo dục", "mailto:a@x.vn", "0912345678"),
        RosterUnit("CD002", "Bệnh viện\x07 B\x0b", "Y tế\x1f", "b@x.vn", "1e5"),
        RosterUnit("CD003", "Trường C", "", "", ""),
        RosterUnit("CD004", "@Sở D", "-1", "https://so-d.gov.vn", "=1+1"),
        RosterUnit("CD005", " Phường  E ", "Hành chính", "e@x.vn", "  024 3825 1234 "),
    ]
    out = tmp_path / "out"
    run = consolidate_inbox(spec, RunOptions(tmp_path / "inbox", out, roster=roster, progress=False))
    states = {status.unit.code: status.state for status in run.ledger.units}
    assert states["CD002"] == "rejected" and states["CD004"] == states["CD005"] == "missing"

    written = out / chase_list_name(spec.id)
    reference = tmp_path / "openpyxl.xlsx"
    _openpyxl_chase_list(run.consolidation, reference)
    new, old = _read_back(written), _read_back(reference)
    assert new == old
    sheetnames, title, cells, widths = new
    assert title == "Cần nhắc" and sheetnames == ["Cần nhắc"]
    assert [value for _, value, _ in cells[0]] == ["Mã CĐCS", "Tên CĐCS", "Khối", "Tình trạng", "Email",
                                                   "Điện thoại", "Ghi chú"]
    assert widths == {"A": (11, True), "B": (36, True), "C": (16, True), "D": (12, True), "E": (28, True),
                      "F": (14, True), "G": (50, True)}
    rows = {row[0][1]: [value for _, value, _ in row] for row in cells[1:]}
    assert set(rows) == {code for code, state in states.items() if state in ("missing", "late", "rejected")}
    assert rows["CD002"][1:3] == ["Bệnh viện B", "Y tế"]  # the control characters dropped, the file opens
    assert rows["CD004"][4:6] == ["https://so-d.gov.vn", "=1+1"]
    assert rows["CD003"][2] is None and rows["CD003"][4:6] == [None, None]  # empty, as openpyxl left them
    assert all(kind == "s" for row in cells for _, value, kind in row if value is not None)
    with zipfile.ZipFile(written) as package:  # text only: no formula, no hyperlink anywhere in the sheet
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet_xml and "<hyperlink" not in sheet_xml
        assert not [name for name in package.namelist() if "rels" in name and "hyperlink" in
                    package.read(name).decode()]


_RUN_ALONE = """
import json, sys
from pipeline.cli import run_command
code = run_command(sys.argv[1:])
watched = ("openpyxl", "xml.sax.saxutils", "urllib.request", "http.client")
print(json.dumps({"code": code, "loaded": [name for name in watched if name in sys.modules]}), file=sys.stderr)
"""


def test_a_run_whose_copies_are_patched_never_imports_openpyxl(tmp_path, spec, write_submission):
    sources = {"CD001": write_submission("CD001.xlsx", "CD001"),
               "CD002": write_submission("CD002.xlsx", "CD002", cbccvcld_nu=10_000),  # an error
               "CD003": write_submission("CD003.xlsx", "CD003", doan_vien_tong=1)}  # totals that do not add up
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS,Khối,Email,Điện thoại\nCD001,A,Giáo dục,a@x.vn,01\n"
                      "CD002,B,Y tế,b@x.vn,02\nCD003,C,Y tế,c@x.vn,03\nCD004,D,Y tế,d@x.vn,04\n", encoding="utf-8")
    out = tmp_path / "out"
    # Only the command runs in the child: these tests' own helpers import openpyxl.
    done = subprocess.run([sys.executable, "-c", _RUN_ALONE, "--inbox", str(tmp_path / "inbox"), "--outbox",
                           str(out), "--roster", str(roster), "--json"],
                          capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=300)
    outcome = json.loads(done.stderr.strip().splitlines()[-1])
    document = json.loads(done.stdout)
    assert outcome == {"code": outcome["code"], "loaded": []}, done.stderr
    assert outcome["code"] in (0, 1) and document["files"]
    copies = sorted((out / feedback_folder(spec.id)).glob("*.xlsx"))
    assert [copy.name.split("-")[0] for copy in copies] == ["CD002", "CD003"]
    assert (out / chase_list_name(spec.id)).is_file()
    for copy in copies:  # made by the patcher: the parts it does not touch are the unit's own, byte for byte
        with zipfile.ZipFile(copy) as made, zipfile.ZipFile(sources[copy.name.split("-")[0]]) as original:
            assert made.read("docProps/core.xml") == original.read("docProps/core.xml")
            assert any(name.startswith("xl/comments") for name in made.namelist())


def test_importing_the_run_loads_neither_openpyxl_nor_the_web_modules(tmp_path):
    code = ("import sys, pipeline.run, pipeline.outputs.feedback, pipeline.outputs.marking, "
            "pipeline.intake.submission; print(sorted(m for m in sys.modules if m == 'openpyxl' or "
            "m.startswith(('urllib.request', 'urllib.error', 'http', 'xml.sax'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
