"""The template: every field under its defined name, with its validation, checks, protection and identity."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from pipeline.cli import cli
from pipeline.form import available_forms, load_spec
from pipeline.ooxml import sheet_parts
from pipeline.outputs.mail import addresses
from pipeline.template.build import NARRATIVE_HEIGHT, UnitCopy, build_template
from pipeline.template.layout import (
    COL_LABEL,
    COL_NUMBER,
    COL_VALUE,
    NAME_FORM_ID,
    NAME_FORM_VERSION,
    NAME_UNIT_CODE,
    SHEET_FIGURES,
    SHEET_GUIDE,
    SHEET_IDENTITY,
    SHEET_NARRATIVE,
    layout_for,
)

FORMS = [path.stem for path in available_forms()]


@pytest.fixture(scope="module")
def workbook(template_bytes):
    return openpyxl.load_workbook(io.BytesIO(template_bytes))


def _cell(workbook, name):
    sheet, ref = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet], ref.replace("$", "")


def _validation(sheet, ref):
    return [dv for dv in sheet.data_validations.dataValidation if ref in dv.sqref]


def test_every_field_has_a_defined_name_on_an_unlocked_cell(spec, workbook):
    for field in spec.fields:
        sheet, ref = _cell(workbook, field.code)
        assert sheet.title == (SHEET_NARRATIVE if field.kind == "narrative" else SHEET_FIGURES), field.code
        assert sheet[ref].protection.locked is False, field.code


def test_every_field_has_its_validation(spec, workbook):
    expected = {"count": "whole", "money": "whole", "yes-no": "list", "choice": "list", "date": "date",
                "text": "textLength", "narrative": "textLength"}
    for field in spec.fields:
        sheet, ref = _cell(workbook, field.code)
        rules = _validation(sheet, ref)
        assert len(rules) == 1, field.code
        assert rules[0].type == expected[field.kind], field.code
        assert rules[0].prompt and rules[0].error, field.code
        if field.is_numeric:
            assert (rules[0].operator, rules[0].formula1) == ("greaterThanOrEqual", "0")


def test_drop_downs_offer_the_spec_answers(workbook):
    sheet, ref = _cell(workbook, "tu_xep_loai")
    assert "Hoàn thành xuất sắc nhiệm vụ" in _validation(sheet, ref)[0].formula1
    sheet, ref = _cell(workbook, "hoi_nghi_cbccvc")
    assert _validation(sheet, ref)[0].formula1 == '"Có,Không"'


def test_rules_are_live_as_check_formulas_and_conditional_formats(spec, workbook):
    sheet, ref = _cell(workbook, "cbccvcld_nu")
    formats = [r for cf in sheet.conditional_formatting for r in cf.rules if ref in str(cf.sqref)]
    assert any("cbccvcld_nu<=cbccvcld_tong" in f.formula[0] for f in formats)
    formulas = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=IF(")]
    assert any("Số nữ lớn hơn tổng số CBCCVCLĐ" in f for f in formulas)
    assert all(f.count('"') % 2 == 0 for f in formulas)


def test_sheets_and_structure_are_protected(template_bytes, workbook):
    assert workbook.security.lockStructure
    for name in (SHEET_GUIDE, SHEET_FIGURES, SHEET_NARRATIVE):
        assert workbook[name].protection.sheet, name
    label_sheet, ref = _cell(workbook, "cbccvcld_tong")
    label = label_sheet[ref.replace("D", "B")]
    assert label.value.startswith("Tổng số CBCCVCLĐ") and label.protection.locked


def test_identity_is_very_hidden(spec, workbook):
    assert workbook[SHEET_IDENTITY].sheet_state == "veryHidden"
    sheet, ref = _cell(workbook, NAME_FORM_ID)
    assert sheet[ref].value == spec.id
    sheet, ref = _cell(workbook, NAME_FORM_VERSION)
    assert sheet[ref].value == spec.version


def test_template_is_readable_by_calamine_with_guide_first(template_bytes):
    book = CalamineWorkbook.from_filelike(io.BytesIO(template_bytes))
    assert book.sheet_names[:3] == [SHEET_GUIDE, SHEET_FIGURES, SHEET_NARRATIVE]
    guide = book.get_sheet_by_name(SHEET_GUIDE).to_python()
    text = " ".join(str(v) for row in guide for v in row)
    assert "11/12/2023" in text and "Hạn gửi" in text


def test_office_look_times_new_roman_a4_portrait(workbook):
    sheet = workbook[SHEET_FIGURES]
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet["A1"].font.name == "Times New Roman"
    narrative, ref = _cell(workbook, "tm_II_7")
    assert narrative[ref].alignment.wrap_text
    assert narrative.row_dimensions[int(ref[1:])].height >= 200


def test_unit_copy_is_prefilled_and_locked(spec):
    data = build_template(spec, UnitCopy("CD042", "Công đoàn Bệnh viện Đa khoa tỉnh"))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for name, value in (("ma_cdcs", "CD042"), ("ten_cdcs", "Công đoàn Bệnh viện Đa khoa tỉnh"), (NAME_UNIT_CODE, "CD042")):
        sheet, ref = _cell(workbook, name)
        assert sheet[ref].value == value
    sheet, ref = _cell(workbook, "ma_cdcs")
    assert sheet[ref].protection.locked


def test_template_command_writes_exactly_one_blank_workbook(tmp_path):
    result = CliRunner().invoke(cli, ["template", "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "t").iterdir()] == ["bao-cao-cd-2023.xlsx"]


def test_template_command_with_roster_writes_one_copy_per_unit(tmp_path):
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS,Khối\nCD001,Trường A,Giáo dục\nCD/002,Bệnh viện B,Y tế\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["template", "--roster", str(roster), "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "t").iterdir())
    assert names == ["bao-cao-cd-2023-CD001.xlsx", "bao-cao-cd-2023-CD_002.xlsx", "bao-cao-cd-2023.xlsx"]


@pytest.mark.parametrize("form", FORMS)
def test_committed_template_is_what_the_spec_builds(form):
    """Each form's template in templates/ is regenerated whenever its spec changes (`consolidate template --form`)."""
    from pathlib import Path

    committed = Path(__file__).resolve().parents[1] / "templates" / f"{form}.xlsx"
    assert committed.read_bytes() == build_template(load_spec(form))


def test_structure_lock_is_inside_workbook_part(template_bytes):
    xml = zipfile.ZipFile(io.BytesIO(template_bytes)).read("xl/workbook.xml")
    assert b'<workbookProtection lockStructure="1"/>' in xml


@pytest.mark.parametrize("form", FORMS)
def test_where_to_send_with_its_email_is_on_the_guide_and_over_the_figures(form):
    spec = load_spec(form)
    [address] = addresses(spec.send_to)  # also the From of the feedback drafts (outputs/mail.py)
    book = CalamineWorkbook.from_filelike(io.BytesIO(build_template(spec)))
    for name in (SHEET_GUIDE, SHEET_FIGURES):
        text = " ".join(str(v) for row in book.get_sheet_by_name(name).to_python() for v in row)
        assert address in text and spec.deadline_text in text, name


@pytest.mark.parametrize("form", FORMS)
def test_money_and_head_counts_have_hints_printed_beside_their_cells(form):
    spec = load_spec(form)
    missing = [f.code for f in spec.fields if (f.kind == "money" or f.kind == "count" and f.unit == "người") and not f.hint]
    assert not missing
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(spec)))
    cells = layout_for(spec).cells
    for field in spec.fields:
        if field.hint and field.kind != "narrative":
            ref = cells[field.code]
            label = workbook[ref.sheet].cell(ref.row + 1, (COL_LABEL if ref.col == COL_VALUE else COL_NUMBER) + 1).value
            assert label.startswith(field.label) and label.endswith("\n" + field.hint), field.code


def test_head_counts_of_the_annual_form_are_taken_on_one_date(spec):
    for code in ("cbccvcld_tong", "cbccvcld_nu", "doan_vien_tong", "doan_vien_nu", "tai_chinh_ton_cuoi_ky"):
        assert "30/11/2023" in spec.by_code[code].hint, code


def test_narrative_rows_hold_a_long_section_and_fit_what_is_typed(spec, template_bytes):
    """Each narrative row has a tall height that is not set by hand: applications re-fit it to the text typed."""
    archive = zipfile.ZipFile(io.BytesIO(template_bytes))
    part = sheet_parts(archive.read("xl/workbook.xml"), archive.read("xl/_rels/workbook.xml.rels"))[SHEET_NARRATIVE]
    rows = {int(m.group(1)): m.group(0) for m in re.finditer(rb'<row r="(\d+)"[^>]*>', archive.read(part))}
    cells = layout_for(spec).cells
    narrative_rows = {cells[f.code].row + 1 for f in spec.narrative_fields}
    for number in narrative_rows:
        height = float(re.search(rb'ht="([\d.]+)"', rows[number]).group(1))
        assert height == pytest.approx(NARRATIVE_HEIGHT, abs=1), number  # Excel keeps heights in whole pixels
        assert b"customHeight" not in rows[number], number
    assert all(b'customHeight="1"' in tag for number, tag in rows.items() if number not in narrative_rows and b"ht=" in tag)
