"""Tests for the intake guards: sniffing kinds by content, refusing hostile zips, spotting passwords.

Never open a far-cell file with python-calamine here: it aborts the whole process (Rust abort, uncatchable).
"""
from __future__ import annotations

import time
import zipfile
from pathlib import Path
from typing import get_args

import msoffcrypto
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.intake.encryption import is_encrypted
from pipeline.intake.sniff import FileKind, sniff_kind
from pipeline.intake.zipguard import ZipLimits, check_zip, column_name
from tests import hostile

KINDS = set(get_args(FileKind))
CODES = {"bad-zip", "zip-bomb", "too-many-parts", "missing-part", "xml-entities", "far-cell", "damaged-part"}
MAGICS = [b"", b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1"), b"%PDF", b"<html>"]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("intake-guard")


@pytest.fixture(scope="module")
def src(files) -> Path:
    """A small real workbook in the shape of the template: three sheets, merged title, Vietnamese text."""
    path = files / "src.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    bold = workbook.add_format({"bold": True, "border": 1})
    for number in range(1, 4):
        sheet = workbook.add_worksheet(f"Biểu {number}")
        sheet.merge_range(0, 0, 0, 11, "BÁO CÁO TÌNH HÌNH CÔNG ĐOÀN CƠ SỞ", bold)
        sheet.data_validation("C2:C1048576", {"validate": "integer", "criteria": ">=", "value": 0})
        for row in range(1, 120):
            sheet.write(row, 0, row)
            sheet.write(row, 1, f"Chỉ tiêu số {row}: đoàn viên công đoàn")
            for column in range(2, 12):
                sheet.write(row, column, (row * column) % 97)
    workbook.close()
    return path


def make(files: Path, name: str, *args) -> Path:
    """Call a generator of tests/hostile.py in its own folder (generators reuse file names)."""
    folder = files / f"{name}-{len(args)}-{abs(hash(args)) % 10_000}"
    folder.mkdir(exist_ok=True)
    return getattr(hostile, name)(*args, folder) if args else getattr(hostile, name)(folder)


# --- sniff_kind --------------------------------------------------------------------------------

SNIFF_CASES = [
    ("minimal_xlsx", "xlsx"),
    ("zip_bomb", "xlsx"),  # sniffing reads names only, never inflates
    ("far_cell", "xlsx"),
    ("billion_laughs", "xlsx"),
    ("ods", "ods"),
    ("encrypted_ods", "encrypted"),
    ("docx_renamed", "docx"),
    ("plain_zip", "zip"),
    ("legacy_xls", "xls"),
    ("encrypted_xls", "encrypted"),
    ("ole_without_workbook", "unknown"),
    ("csv_renamed", "csv"),
    ("semicolon_csv_cp1258", "csv"),
    ("tab_text_utf16", "csv"),
    ("html_renamed", "html"),
    ("bare_table_html", "html"),
    ("pdf_renamed", "pdf"),
    ("empty", "empty"),
    ("random_bytes", "unknown"),
]


@pytest.mark.parametrize(("generator", "kind"), SNIFF_CASES)
def test_sniff_kind_by_content(files, generator, kind):
    assert sniff_kind(make(files, generator)) == kind


@pytest.mark.parametrize("image", ["png", "jpeg", "gif", "tiff", "bmp"])
def test_sniff_images_named_xlsx(files, image):
    folder = files / f"image-{image}"
    folder.mkdir(exist_ok=True)
    assert sniff_kind(hostile.image_renamed(folder, image)) == "image"


@pytest.mark.parametrize("name", ["report.xlsx", "report.xls", "report.csv", "report"])
def test_sniff_ignores_the_extension_of_a_real_workbook(files, src, name):
    folder = files / f"renamed-{name}"
    folder.mkdir(exist_ok=True)
    assert sniff_kind(hostile.renamed_copy(src, folder, name)) == "xlsx"


def test_sniff_macro_enabled(files, src):
    assert sniff_kind(make(files, "macro_enabled", src)) == "xlsm"
    folder = files / "xlsm-name"
    folder.mkdir(exist_ok=True)
    assert sniff_kind(hostile.renamed_copy(src, folder, "report.xlsm")) == "xlsm"


def test_sniff_password_protected_ooxml(files, src):
    assert sniff_kind(make(files, "encrypted", src)) == "encrypted"


def test_sniff_cut_zip_is_a_damaged_workbook_only_when_named_like_one(files, src):
    cut = make(files, "truncated", src)
    assert sniff_kind(cut) == "xlsx"
    assert sniff_kind(cut.rename(cut.with_suffix(".bin"))) == "unknown"


def test_sniff_cut_xls_is_a_damaged_workbook(files):
    legacy = make(files, "legacy_xls")
    folder = files / "cut-xls"
    folder.mkdir(exist_ok=True)
    assert sniff_kind(hostile.truncated(legacy, folder)) == "xls"


def test_sniff_workbook_without_workbook_part_still_looks_like_xlsx(files, src):
    # so that check_zip, not the "not a spreadsheet" branch, explains what is missing
    assert sniff_kind(make(files, "missing_workbook_part", src)) == "xlsx"


def test_sniff_plain_text_without_delimiters_is_unknown(files):
    path = files / "note.xlsx"
    path.write_text("Kính gửi Công đoàn cấp trên\nXin gửi báo cáo\n", encoding="utf-8")
    assert sniff_kind(path) == "unknown"


def test_sniff_csv_line_starting_with_bm_is_not_a_bitmap(files):
    path = files / "bm.csv"
    path.write_text("BM01,Mẫu báo cáo,1\nBM02,Phụ lục,2\n", encoding="utf-8")
    assert sniff_kind(path) == "csv"


def test_sniff_missing_file_or_folder_is_unknown(files):
    assert sniff_kind(files / "does-not-exist.xlsx") == "unknown"
    assert sniff_kind(files) == "unknown"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), prefix=st.sampled_from(MAGICS))
def test_sniff_never_raises(tmp_path, data, prefix):
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(prefix + data)
    assert sniff_kind(path) in KINDS


# --- check_zip ---------------------------------------------------------------------------------


def test_normal_workbooks_pass(files, src):
    assert check_zip(src) is None
    assert check_zip(make(files, "minimal_xlsx")) is None
    assert check_zip(make(files, "ods")) is None  # LibreOffice's padding to row 1048576 is empty, so allowed


def test_template_sized_workbook_checks_fast(src):
    check_zip(src)
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        check_zip(src)
        timings.append(time.perf_counter() - start)
    # ~1.3 ms here for this 27 KB, 3-sheet file; the bound only catches an accidental slow path.
    assert min(timings) < 0.05


def test_openpyxl_written_workbook_passes(files):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Biểu 1"
    for row in range(1, 200):
        sheet.append([row, f"Đoàn viên {row}", row * 2.5])
    sheet.merge_cells("A1:C1")
    path = files / "openpyxl.xlsx"
    workbook.save(path)
    assert check_zip(path) is None


def test_unusual_but_harmless_markup_passes(files):
    """Markup the fast scan does not cover takes the positional walk, which must not invent far cells."""
    implicit = "<row>" + "<c><v>1</v></c>" * 30 + "</row>" + "<row><c><v>2</v></c></row>" * 300
    prefixed = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{hostile.MAIN_NS}"><x:sheetData>'
        "<x:row r='2'><x:c t=\"n\"\n r = 'GR5000'><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>"
    )
    empty_far_row = '<row r="1"><c r="A1"><v>1</v></c></row><row r="60000" ht="30" customHeight="1"/>'
    for name, sheet in [
        ("implicit", hostile.sheet_xml(implicit)),
        ("prefixed", prefixed),
        ("empty-far-row", hostile.sheet_xml(empty_far_row)),
        ("utf16", hostile.sheet_xml(hostile.NORMAL_CELLS).replace("UTF-8", "UTF-16").encode("utf-16")),
    ]:
        path = hostile.minimal_xlsx(files, f"harmless-{name}.xlsx", sheet)
        assert check_zip(path) is None, name


HOSTILE_CASES = [
    ("zip_bomb", "zip-bomb"),
    ("zip_bomb_many_parts", "too-many-parts"),
    ("lying_sizes", "bad-zip"),
    ("empty", "bad-zip"),
    ("random_bytes", "bad-zip"),
    ("csv_renamed", "bad-zip"),
    ("billion_laughs", "xml-entities"),
    ("xxe", "xml-entities"),
    ("far_cell", "far-cell"),
    ("far_dimension", "far-cell"),
    ("far_merge", "far-cell"),
    ("far_cell_implicit", "far-cell"),
    ("far_cell_prefixed", "far-cell"),
    ("ods_far_repeat", "far-cell"),
    ("docx_renamed", "missing-part"),
]


@pytest.mark.parametrize(("generator", "code"), HOSTILE_CASES)
def test_hostile_files_are_refused(files, generator, code):
    problem = check_zip(make(files, generator))
    assert problem is not None and problem.code == code
    assert problem.is_error
    assert problem.message


@pytest.mark.parametrize(("generator", "code"), [
    ("truncated", "bad-zip"),
    ("missing_workbook_part", "missing-part"),
    ("encrypted", "bad-zip"),  # an OLE2 envelope, no zip: sniff_kind says "encrypted" before this runs
])
def test_broken_copies_of_a_real_workbook(files, src, generator, code):
    problem = check_zip(make(files, generator, src))
    assert problem is not None and problem.code == code


def test_malformed_sheet_xml_is_refused_as_a_damaged_part_naming_the_sheet(files, src):
    # The zip is sound, the XML inside is cut: refused in the same streaming pass, before any reader.
    problem = check_zip(make(files, "malformed_sheet_xml", src))
    assert problem is not None
    assert (problem.code, problem.sheet, problem.value) == ("damaged-part", "Biểu 1", "xl/worksheets/sheet1.xml")


def test_far_cell_names_sheet_and_cell(files):
    problem = check_zip(make(files, "far_cell"))
    assert problem is not None
    assert (problem.code, problem.sheet, problem.cell, problem.value) == (
        "far-cell", "Sheet1", "XFD1048576", "xl/worksheets/sheet1.xml")
    assert "XFD1048576" in problem.message and "xl/worksheets/sheet1.xml" in problem.message


def test_far_ods_cell_names_the_table(files):
    problem = check_zip(make(files, "ods_far_repeat"))
    assert problem is not None and problem.sheet == "Biểu 1"


FAR = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.mark.parametrize(("name", "sheet"), [
    ("lower-case", hostile.sheet_xml(FAR.replace("XFD", "xfd"))),
    ("single-quotes", hostile.sheet_xml(FAR.replace('"', "'"))),
    ("newline", hostile.sheet_xml(FAR.replace("<c r=", "<c\nr="))),
    ("r-last", hostile.sheet_xml(FAR.replace('<c r="XFD1048576">', '<c t="n" s="0" r="XFD1048576">'))),
    ("overflow", hostile.sheet_xml('<row r="1"><c r="A1"/><c r="A99999999999"><v>1</v></c></row>')),
    ("char-ref", hostile.sheet_xml('<row r="1"><c r="A1"/><c r="&#88;FD5"><v>1</v></c></row>')),
    ("implicit-wide-row", hostile.sheet_xml('<row r="3">' + "<c><v>1</v></c>" * 201 + "</row>")),
    ("empty-styled-cell", hostile.sheet_xml('<row r="1"><c r="A1"/><c r="XFD1048576" s="1"/></row>')),
    ("utf16", hostile.sheet_xml(FAR).replace("UTF-8", "UTF-16").encode("utf-16")),
])
def test_far_cell_variants(files, name, sheet):
    path = hostile.minimal_xlsx(files, f"far-{name}.xlsx", sheet)
    problem = check_zip(path)
    assert problem is not None and problem.code == "far-cell", name


def test_far_sheet_under_any_part_name_is_found(files):
    """calamine follows the relationships and matches part names ignoring case, so every text part is scanned."""
    parts = hostile.xlsx_parts()
    del parts["xl/worksheets/sheet1.xml"]
    parts["XL/Sheet1.BIN"] = hostile.sheet_xml(FAR)
    parts["xl/_rels/workbook.xml.rels"] = hostile.WORKBOOK_RELS.replace("worksheets/sheet1.xml", "Sheet1.BIN")
    path = hostile.write_zip(files / "far-bin.xlsx", parts)
    problem = check_zip(path)
    assert problem is not None and (problem.code, problem.sheet) == ("far-cell", "Sheet1")


def test_drawing_r_attributes_are_not_cells(files):
    theme = '<a:theme xmlns:a="x"><a:fillToRect l="50000" t="-80000" r="50000" b="180000"/></a:theme>'
    parts = hostile.xlsx_parts(xl__theme__theme1_dot_xml=theme)
    assert check_zip(hostile.write_zip(files / "theme.xlsx", parts)) is None


def test_doctype_after_a_long_prolog_is_found(files):
    prolog = "<!--" + "x" * 10_000 + "-->" + hostile.BILLION_LAUGHS_DOCTYPE
    sheet = hostile.sheet_xml(hostile.NORMAL_CELLS, doctype=prolog)
    problem = check_zip(hostile.minimal_xlsx(files, "late-doctype.xlsx", sheet))
    assert problem is not None and problem.code == "xml-entities"


def test_limits_are_parameters(src):
    assert check_zip(src, ZipLimits(max_total_uncompressed=10_000)).code == "zip-bomb"
    assert check_zip(src, ZipLimits(max_entries=3)).code == "too-many-parts"
    far = check_zip(src, ZipLimits(max_row=50))
    assert far.code == "far-cell" and far.sheet == "Biểu 1"
    assert check_zip(src, ZipLimits(max_col=5)).code == "far-cell"
    assert check_zip(src, ZipLimits(max_row=120, max_col=12)) is None


@pytest.mark.parametrize(("index", "name"), [(1, "A"), (26, "Z"), (27, "AA"), (200, "GR"), (702, "ZZ"), (16384, "XFD")])
def test_column_name(index, name):
    assert column_name(index) == name


@pytest.mark.parametrize(("max_row", "max_col"), [(1, 1), (9, 26), (10, 27), (5000, 200), (99, 702), (1048576, 16384)])
def test_limits_are_exact_at_the_edge(files, max_row, max_col):
    edge = column_name(max_col)
    inside = hostile.sheet_xml(f'<row r="{max_row}"><c r="{edge}{max_row}"><v>1</v></c></row>')
    beyond_row = hostile.sheet_xml(f'<row r="{max_row + 1}"><c r="A{max_row + 1}"><v>1</v></c></row>')
    beyond_col = hostile.sheet_xml(f'<row r="1"><c r="{column_name(max_col + 1)}1"><v>1</v></c></row>')
    limits = ZipLimits(max_row=max_row, max_col=max_col)
    tag = f"{max_row}-{max_col}"
    assert check_zip(hostile.minimal_xlsx(files, f"edge-in-{tag}.xlsx", inside), limits) is None
    assert check_zip(hostile.minimal_xlsx(files, f"edge-row-{tag}.xlsx", beyond_row), limits).code == "far-cell"
    assert check_zip(hostile.minimal_xlsx(files, f"edge-col-{tag}.xlsx", beyond_col), limits).code == "far-cell"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_check_zip_never_raises_on_damaged_bytes(tmp_path, data):
    original = (Path(__file__).parent / "hostile.py").read_bytes()[:2000]
    path = hostile.write_zip(tmp_path / "base.xlsx", hostile.xlsx_parts(xl__notes_dot_xml=original))
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(raw))
    problem = check_zip(path)
    assert problem is None or problem.code in CODES
    assert sniff_kind(path) in KINDS


# --- is_encrypted ------------------------------------------------------------------------------


def test_is_encrypted_ooxml(files, src):
    assert is_encrypted(make(files, "encrypted", src)) is True
    assert is_encrypted(src) is False


@pytest.mark.parametrize(("generator", "expected"), [
    ("encrypted_xls", True),
    ("legacy_xls", False),
    ("encrypted_ods", True),
    ("ods", False),
    ("ole_without_workbook", False),
    ("empty", False),
    ("random_bytes", False),
    ("csv_renamed", False),
])
def test_is_encrypted(files, generator, expected):
    assert is_encrypted(make(files, generator)) is expected


def test_is_encrypted_excel95_book_stream(files):
    folder = files / "book95"
    folder.mkdir(exist_ok=True)
    assert is_encrypted(hostile.legacy_xls(folder, "book.xls", "Book")) is False
    locked = hostile.ole_file(folder / "locked.xls", {"Book": hostile.biff_workbook_stream(filepass=True)})
    assert is_encrypted(locked) is True


@pytest.mark.parametrize("generator", ["encrypted_xls", "legacy_xls"])
def test_is_encrypted_agrees_with_msoffcrypto(files, generator):
    path = make(files, generator)
    with path.open("rb") as handle:
        assert msoffcrypto.OfficeFile(handle).is_encrypted() is is_encrypted(path)


def test_is_encrypted_never_raises_on_a_cut_container(files, src):
    folder = files / "cut-encrypted"
    folder.mkdir(exist_ok=True)
    # The first half still holds the OLE2 directory, so it is still recognisably password-protected.
    assert is_encrypted(hostile.truncated(make(files, "encrypted", src), folder)) is True
    cut_xls = folder / "cut.xls"
    cut_xls.write_bytes(make(files, "encrypted_xls").read_bytes()[:700])
    assert is_encrypted(cut_xls) is False
    assert is_encrypted(files / "does-not-exist.xls") is False


def test_generated_zips_are_well_formed(files):
    """The generators must produce what they claim: a hostile file that is broken for another reason tests nothing."""
    with zipfile.ZipFile(make(files, "far_cell")) as archive:
        assert archive.testzip() is None
        assert b'<c r="XFD1048576">' in archive.read("xl/worksheets/sheet1.xml")
    assert 4_000 < make(files, "far_cell").stat().st_size < 9_000


@pytest.mark.parametrize("row", ["0", "-1"])
def test_row_numbered_zero_is_called_an_invalid_address_not_a_row_or_cell(files, row):
    sheet = hostile.sheet_xml(f'<row r="{row}"><c><v>1</v></c></row>')
    problem = check_zip(hostile.minimal_xlsx(files, f"row-{row}.xlsx", sheet))
    assert problem is not None and (problem.code, problem.cell) == ("far-cell", None)
    assert f"«{row}»" in problem.message and "dòng số" not in problem.message


def test_binary_workbook_is_told_to_save_as_xlsx_not_that_it_is_damaged(tmp_path):
    from pipeline.form import load_spec
    from pipeline.intake.submission import ReadTask, read_submission

    path = hostile.write_zip(tmp_path / "bao-cao.xlsb", {"[Content_Types].xml": "<Types/>", "xl/workbook.bin": b"\x83\x01"})
    assert sniff_kind(path) == "xlsb"
    submission = read_submission(ReadTask(str(path), load_spec().source))
    [problem] = submission.problems
    assert problem.code == "unsupported-format" and ".xlsb" in problem.message and "hỏng" not in problem.message


def test_metafile_holding_a_pdf_is_a_picture(tmp_path):
    emf = b"\x01\x00\x00\x00" + bytes(36) + b" EMF" + bytes(60) + b"%PDF-1.3 embedded"
    (tmp_path / "logo.emf").write_bytes(emf)
    (tmp_path / "logo.wmf").write_bytes(b"\xd7\xcd\xc6\x9a" + bytes(40))
    assert sniff_kind(tmp_path / "logo.emf") == sniff_kind(tmp_path / "logo.wmf") == "image"
