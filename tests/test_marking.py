"""Feedback copies made by patching the unit's package: what is changed, what is kept as stored, and that
Excel's readers (openpyxl, python-calamine, LibreOffice) open the result with the marks in place."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from pipeline.outputs.feedback import LIST_SHEET, FeedbackTask, patched_copy, write_feedback_copy
from pipeline.outputs.marking import Listing, Mark, Unsupported, marked_copy
from pipeline.problems import problem
from tests.helpers import run_json
from tests.requirements import soffice
from tests.test_hostile import filled_bytes

LISTING = Listing(LIST_SHEET, "Phản hồi về tệp a.xlsx", "Có 1 lỗi cần sửa và 1 cảnh báo cần xem lại.",
                  ("Mức độ", "Loại", "Trang", "Ô", "Nội dung"),
                  ((True, ("Lỗi", "Số liệu không khớp", "Số liệu", "D20", "Số nữ lớn hơn tổng số")),
                   (False, ("Cảnh báo", "Khác thường", "Số liệu", "D21", "=SUM(A1) <gõ> & \"trích\""))),
                  (10, 22, 12, 14, 90))
# A one-pixel PNG: a unit's logo, which openpyxl's round trip would drop.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082")


def _entries(data: bytes) -> dict[str, zipfile.ZipInfo]:
    return {info.filename: info for info in zipfile.ZipFile(io.BytesIO(data)).infolist()}


def _read(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def _sheet_part(data: bytes, sheet: str) -> str:
    from pipeline.ooxml import sheet_parts
    return sheet_parts(_read(data, "xl/workbook.xml"), _read(data, "xl/_rels/workbook.xml.rels"))[sheet]


def test_only_the_parts_it_must_change_are_changed_the_rest_kept_as_stored(spec, template_bytes):
    source = filled_bytes(spec, template_bytes, "M001", cbccvcld_nu=900)
    copy = marked_copy(source, [Mark("Số liệu", "D20", True, "LỖI: số nữ")], LISTING)
    before, after = _entries(source), _entries(copy)
    figures = _sheet_part(source, "Số liệu")
    changed = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", figures}
    assert set(before) <= set(after)
    for name, info in before.items():
        if name in changed:
            continue
        kept = after[name]
        # The same stored bytes: neither inflated and deflated again nor re-serialised.
        assert (kept.CRC, kept.compress_size, kept.compress_type) == (info.CRC, info.compress_size, info.compress_type), name
    added = set(after) - set(before)
    assert any(n.startswith("xl/comments") for n in added) and any(n.endswith(".vml") for n in added)
    assert zipfile.ZipFile(io.BytesIO(copy)).testzip() is None


def test_the_copy_opens_with_marks_comments_and_the_list_in_front(spec, template_bytes, tmp_path):
    source = filled_bytes(spec, template_bytes, "M002")
    narrative_sheet, narrative_ref = "Thuyết minh", None
    workbook = openpyxl.load_workbook(io.BytesIO(source))
    merged = next(iter(workbook[narrative_sheet].merged_cells.ranges))
    inside = openpyxl.utils.get_column_letter(merged.max_col) + str(merged.max_row)  # not the top-left cell
    narrative_ref = merged.start_cell.coordinate
    marks = [Mark("Số liệu", "D20", True, "LỖI: số nữ"), Mark("Số liệu", "D20", False, "CẢNH BÁO: lại ô này"),
             Mark("Số liệu", "Z300", False, "CẢNH BÁO: ô chưa có"), Mark(narrative_sheet, inside, False, "CẢNH BÁO: ngắn"),
             Mark("Không có", "A1", True, "bỏ qua"), Mark("Số liệu", "A0", True, "không phải ô")]
    path = tmp_path / "copy.xlsx"
    path.write_bytes(marked_copy(source, marks, LISTING))

    opened = openpyxl.load_workbook(path)
    assert opened.sheetnames[0] == LIST_SHEET and opened.active.title == LIST_SHEET
    assert [ws.title for ws in opened.worksheets if ws.sheet_view.tabSelected] == [LIST_SHEET]
    figures = opened["Số liệu"]
    assert figures["D20"].fill.fgColor.rgb == "FFFFC7CE"  # an error wins the colour of a cell with both
    assert figures["D20"].comment.text == "LỖI: số nữ\n\nCẢNH BÁO: lại ô này"
    assert figures["D20"].number_format == workbook["Số liệu"]["D20"].number_format  # its own format kept
    assert figures["Z300"].fill.fgColor.rgb == "FFFFEB9C" and "ô chưa có" in figures["Z300"].comment.text
    assert opened[narrative_sheet][narrative_ref].comment.text == "CẢNH BÁO: ngắn"
    listed = list(opened[LIST_SHEET].iter_rows(values_only=True))
    assert listed[0][0] == "Phản hồi về tệp a.xlsx" and listed[3] == LISTING.header
    assert listed[5][4] == "=SUM(A1) <gõ> & \"trích\""  # text, never a formula
    assert opened[LIST_SHEET]["A5"].font.b and opened[LIST_SHEET]["A5"].font.color.rgb == "FFC00000"
    assert opened.defined_names["cbccvcld_tong"].attr_text == workbook.defined_names["cbccvcld_tong"].attr_text

    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[0] == LIST_SHEET
    assert book.get_sheet_by_name("Số liệu").to_python() == CalamineWorkbook.from_filelike(
        io.BytesIO(source)).get_sheet_by_name("Số liệu").to_python()[:len(book.get_sheet_by_name("Số liệu").to_python())]


def test_images_and_sheet_local_names_survive(tmp_path):
    image = tmp_path / "logo.png"
    image.write_bytes(PNG)
    source = tmp_path / "unit.xlsx"
    book = xlsxwriter.Workbook(str(source))
    first, second = book.add_worksheet("Bìa"), book.add_worksheet("Số liệu")
    first.insert_image("B2", str(image))
    second.write("A1", "Tổng")
    second.write_number("B1", 12)
    second.print_area("A1:C3")
    book.close()
    data = source.read_bytes()
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(marked_copy(data, [Mark("Số liệu", "B1", True, "LỖI: x")], LISTING))
    kept = _entries(copy.read_bytes())
    for name in (n for n in _entries(data) if n.startswith(("xl/media/", "xl/drawings/"))):
        assert _read(copy.read_bytes(), name) == _read(data, name) and name in kept
    opened = openpyxl.load_workbook(copy)
    assert opened.sheetnames == [LIST_SHEET, "Bìa", "Số liệu"]
    assert opened["Số liệu"].print_area == "'Số liệu'!$A$1:$C$3"  # moved with its sheet
    assert opened["Số liệu"]["B1"].comment.text == "LỖI: x"


def test_a_sheet_with_comments_of_its_own_goes_the_openpyxl_way(tmp_path):
    source = tmp_path / "noted.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("Số liệu")
    sheet.write_number("B1", 12)
    sheet.write_comment("B1", "ghi chú của đơn vị")
    book.close()
    with pytest.raises(Unsupported):
        marked_copy(source.read_bytes(), [Mark("Số liệu", "B1", True, "LỖI: x")], LISTING)
    found = problem("not-whole-number", field="x", sheet="Số liệu", cell="B1", label="Số", value="1,5", number="1,5", unit="người")
    task = FeedbackTask(str(source), "noted.xlsx", (found,), str(tmp_path / "out.xlsx"), True)
    assert not patched_copy(task)
    write_feedback_copy(task)
    comment = openpyxl.load_workbook(tmp_path / "out.xlsx")["Số liệu"]["B1"].comment.text
    assert "ghi chú của đơn vị" in comment and "LỖI" in comment


def test_the_pipeline_writes_patched_copies(tmp_path, spec, template_bytes):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = filled_bytes(spec, template_bytes, "M003", cbccvcld_nu=900)
    (inbox / "M003.xlsx").write_bytes(source)
    _, document = run_json(inbox, tmp_path / "out")
    copy = (tmp_path / "out" / "phan-hoi" / "M003-M003.xlsx").read_bytes()
    assert _read(copy, "xl/theme/theme1.xml") == _read(source, "xl/theme/theme1.xml")
    assert _entries(copy)["docProps/custom.xml"].CRC == _entries(source)["docProps/custom.xml"].CRC


@pytest.mark.slow
def test_libreoffice_reads_the_marks(tmp_path, spec, template_bytes):
    source = filled_bytes(spec, template_bytes, "M004")
    path = tmp_path / "marked.xlsx"
    path.write_bytes(marked_copy(source, [Mark("Số liệu", "D20", True, "LỖI: số nữ")], LISTING))
    out = tmp_path / "lo"
    for target in ("pdf", "xlsx:Calc MS Excel 2007 XML"):
        subprocess.run([soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                        target, "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    assert (out / "marked.pdf").stat().st_size > 1000
    resaved = openpyxl.load_workbook(out / "marked.xlsx")
    assert resaved.sheetnames[0] == LIST_SHEET
    assert "số nữ" in resaved["Số liệu"]["D20"].comment.text
    assert resaved["Số liệu"]["D20"].fill.fgColor.rgb.endswith("FFC7CE")
    shutil.rmtree(out)


@pytest.mark.slow
def test_every_real_workbook_is_patched_or_handed_to_openpyxl():
    """Workbooks of Excel, LibreOffice, POI and others (../shared/realfiles): the patcher either says it does
    not edit a package (Unsupported) or makes a copy openpyxl opens whenever it opens the original, with the
    list in front, the sheets in their order and the marks in place."""
    import warnings

    from pipeline.intake.sniff import sniff_kind
    from pipeline.intake.zipguard import check_zip
    from pipeline.ooxml import sheet_parts
    from tests.requirements import shared

    patched = handed = 0
    for path in sorted(p for p in shared("realfiles").rglob("*") if p.is_file()):
        data = path.read_bytes()
        if sniff_kind(path, data) not in ("xlsx", "xlsm") or check_zip(data) is not None:
            continue
        try:
            sheets = list(sheet_parts(_read(data, "xl/workbook.xml"), _read(data, "xl/_rels/workbook.xml.rels")))
        except KeyError:
            continue
        marks = [Mark(sheet, ref, True, f"LỖI: {ref}") for sheet in sheets[:2] for ref in ("A1", "C7", "B30")]
        try:
            copy = marked_copy(data, marks, LISTING)
        except Unsupported:
            handed += 1
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                original = openpyxl.load_workbook(io.BytesIO(data))
            except Exception:  # openpyxl cannot read the unit's own file either: nothing to compare
                continue
            opened = openpyxl.load_workbook(io.BytesIO(copy))
        assert opened.sheetnames == [LIST_SHEET, *original.sheetnames], path.name
        for sheet in sheets[:2]:
            if isinstance(opened[sheet], openpyxl.worksheet.worksheet.Worksheet):
                assert opened[sheet]["C7"].comment.text == "LỖI: C7", (path.name, sheet)
        patched += 1
    assert patched > 200 and handed < patched / 3, (patched, handed)


def _one_sheet(build) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Số liệu")
    build(book, sheet)
    book.close()
    return buffer.getvalue()


def test_the_comments_drawing_goes_among_the_worksheets_own_children_not_into_a_data_bar():
    data = _one_sheet(lambda book, sheet: (sheet.write_column("A1", [1, 2, 3, 4, 5]), sheet.conditional_format(
        "A1:A5", {"type": "data_bar", "data_bar_2010": True})))
    copy = marked_copy(data, [Mark("Số liệu", "A2", True, "LỖI: x")], LISTING)
    xml = _read(copy, _sheet_part(copy, "Số liệu"))
    rule = xml[xml.index(b"<cfRule"):xml.index(b"</cfRule>")]
    assert b"legacyDrawing" not in rule and xml.count(b"<legacyDrawing ") == 1
    assert xml.index(b"</conditionalFormatting>") < xml.index(b"<legacyDrawing ") < xml.rindex(b"<extLst")


def test_a_sheet_named_like_the_list_but_in_capitals_goes_the_openpyxl_way():
    data = _one_sheet(lambda book, sheet: book.add_worksheet(LIST_SHEET.upper()))
    with pytest.raises(Unsupported):
        marked_copy(data, [Mark("Số liệu", "A1", True, "LỖI: x")], LISTING)


def test_a_name_stored_without_the_utf8_flag_keeps_its_bytes_and_an_empty_member_passes_the_guard():
    from pipeline.intake.zipguard import check_zip

    data = _one_sheet(lambda book, sheet: sheet.write_number("A1", 1))
    parts = [(info, zipfile.ZipFile(io.BytesIO(data)).read(info)) for info in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, part in parts:
            archive.writestr(info.filename, part)
        archive.writestr("customXml/trống.xml", b"")  # non-ASCII: zipfile sets the UTF-8 flag itself
        archive.writestr(zipfile.ZipInfo("xl/media/"), b"")  # a folder entry
    raw = bytearray(buffer.getvalue())
    name = "customXml/trống.xml".encode("utf-8")
    for header, back in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46)):  # clear bit 11, as older zip tools write
        at = raw.index(name, raw.index(header))
        while raw[at - back:at - back + 4] != header:
            at = raw.index(name, at + 1)
        flags = at - back + (6 if back == 30 else 8)
        raw[flags:flags + 2] = (int.from_bytes(raw[flags:flags + 2], "little") & ~0x800).to_bytes(2, "little")
    raw = bytes(raw)
    assert check_zip(raw) is None
    copy = marked_copy(raw, [Mark("Số liệu", "A1", True, "LỖI: x")], LISTING)
    # The copy holds the very bytes of that name, not the cp437 reading of them written again as UTF-8.
    assert name in copy and {i.filename for i in zipfile.ZipFile(io.BytesIO(raw)).infolist()} <= set(_entries(copy))
