"""Intake: every file ends in exactly one state with reasons; values read by name, typed, and checked."""
from __future__ import annotations

import datetime as dt
import os
import shutil

import openpyxl
import pytest

from pipeline.form import load_spec
from pipeline.states import file_state
from tests.helpers import by_file, codes, run_json, saved_earlier
from tests.requirements import soffice


def _mtime(path, day: dt.date) -> None:
    stamp = dt.datetime.combine(day, dt.time(9, 0)).timestamp()
    os.utime(path, (stamp, stamp))


def test_clean_file_is_accepted_with_its_unit(tmp_path, write_submission):
    write_submission("a.xlsx", "CD001")
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["a.xlsx"]
    assert (code, entry["status"], entry["unit"]) == (0, "accepted", "CD001")
    assert [p for p in entry["problems"] if p["severity"] == "error"] == []
    assert len(entry["sha256"]) == 64


def test_json_document_has_the_contract_keys(tmp_path, write_submission):
    write_submission("a.xlsx")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert set(document) == {"form", "period", "workbook", "report", "annex", "files", "units", "totals", "previous", "change", "themes",
                             "since_last_run", "notes", "office_part"}
    assert set(document["files"][0]) == {"file", "sha256", "status", "unit", "superseded_by", "problems",
                                         "received", "first_seen", "email"}
    assert set(document["units"]) == {"expected", "accepted", "late", "rejected", "missing"}
    assert (document["form"], document["period"]) == ("bao-cao-cd-2023", "2023")


def test_women_above_total_is_rejected_naming_both_cells(tmp_path, write_submission):
    write_submission("a.xlsx", cbccvcld_tong=95, cbccvcld_nu=120, doan_vien_nu=50, nu_gioi_viec_nuoc=10)
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["a.xlsx"]
    assert code == 1 and entry["status"] == "rejected"
    [problem] = [p for p in entry["problems"] if p["code"] == "rule" and p["field"] == "cbccvcld_nu"]
    assert problem["severity"] == "error" and problem["sheet"] == "Số liệu"
    assert "120" in problem["message"] and "95" in problem["message"] and problem["cell"] in problem["message"]


def test_member_and_finance_balances_are_checked(tmp_path, write_submission):
    write_submission("a.xlsx", doan_vien_tang=50)
    write_submission("b.xlsx", "CD002", tai_chinh_tong_chi=1)
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert any(p["field"] == "doan_vien_dau_ky" for p in files["a.xlsx"]["problems"] if p["code"] == "rule")
    assert any(p["field"] == "tai_chinh_ton_dau_ky" for p in files["b.xlsx"]["problems"] if p["code"] == "rule")


def test_warning_rule_keeps_the_file_accepted(tmp_path, write_submission):
    write_submission("a.xlsx", gioi_thieu_dang=1, ket_nap_dang=3)
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["a.xlsx"]
    assert entry["status"] == "accepted"
    assert {(p["code"], p["severity"]) for p in entry["problems"]} >= {("rule", "warning")}


def test_congress_date_required_when_held_and_must_be_in_2023(tmp_path, write_submission):
    write_submission("a.xlsx", dai_hoi_ngay=None)
    write_submission("b.xlsx", "CD002", dai_hoi_ngay=dt.date(2022, 5, 1))
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert files["a.xlsx"]["status"] == files["b.xlsx"]["status"] == "rejected"
    assert any(p["field"] == "dai_hoi_ngay" or p["field"] == "dai_hoi_da_to_chuc" for p in files["a.xlsx"]["problems"])


@pytest.mark.parametrize("typed, expected", [("1.250", 1250), ("1 250", 1250), ("12 người", 12), ("5.000.000 đ", 5000000)])
def test_vietnamese_number_text_is_read_with_a_warning(tmp_path, write_submission, typed, expected):
    write_submission("a.xlsx", tuyen_truyen_luot=typed)
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["a.xlsx"]
    assert entry["status"] == "accepted"
    [warning] = [p for p in entry["problems"] if p["code"] == "number-as-text"]
    assert warning["field"] == "tuyen_truyen_luot" and warning["severity"] == "warning" and warning["cell"]
    assert document["totals"]["tuyen_truyen_luot"] == expected


@pytest.mark.parametrize("typed", ["khoảng 50", "mười", "N/A"])
def test_words_in_a_number_cell_are_an_error_naming_cell_and_value(tmp_path, write_submission, typed):
    write_submission("a.xlsx", tuyen_truyen_buoi=typed)
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["a.xlsx"]
    [error] = [p for p in entry["problems"] if p["code"] == "not-a-number"]
    assert entry["status"] == "rejected" and error["field"] == "tuyen_truyen_buoi"
    assert typed in error["message"] and error["cell"] in error["message"]


def test_blank_required_figure_is_missing_value(tmp_path, write_submission):
    write_submission("a.xlsx", kiem_tra_cuoc=None)
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["a.xlsx"]
    assert entry["status"] == "rejected"
    assert ("missing-value", "kiem_tra_cuoc") in {(p["code"], p["field"]) for p in entry["problems"]}


def test_negative_figure_and_answer_outside_list_are_errors(tmp_path, write_submission):
    write_submission("a.xlsx", sang_kien_so=-2, tu_xep_loai="Xuất sắc")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    found = {(p["code"], p["field"]) for p in by_file(document)["a.xlsx"]["problems"]}
    assert {("below-minimum", "sang_kien_so"), ("not-in-list", "tu_xep_loai")} <= found


def test_negative_number_typed_as_text_is_still_below_minimum(tmp_path, write_submission):
    write_submission("a.xlsx", sang_kien_so="-3 sáng kiến")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    found = {(p["code"], p["field"]) for p in by_file(document)["a.xlsx"]["problems"]}
    assert {("number-as-text", "sang_kien_so"), ("below-minimum", "sang_kien_so")} <= found


def test_answers_are_matched_without_case_or_accents(tmp_path, write_submission):
    write_submission("a.xlsx", hoi_nghi_cbccvc="co", clb_nu_cong=" KHÔNG ")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert by_file(document)["a.xlsx"]["status"] == "accepted"


def test_formula_error_and_formula_without_value_are_errors(tmp_path, write_submission):
    path = write_submission("a.xlsx", cuoc_thi_so="=1/0")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)[path.name]
    assert ("formula-no-value", "cuoc_thi_so") in {(p["code"], p["field"]) for p in entry["problems"]}


def test_cached_formula_error_value_is_an_error(tmp_path, write_submission):
    import re
    import zipfile

    source = write_submission("a.xlsx", cuoc_thi_so="=1/0")
    target = source.with_name("b.xlsx")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                # What Excel saves for =1/0: the error type and the cached error value.
                data = re.sub(rb'<c r="(D\d+)"( s="\d+")?><f>1/0</f><v></v>', rb'<c r="\1"\2 t="e"><f>1/0</f><v>#DIV/0!</v>',
                              data)
            new.writestr(item, data)
    source.unlink()
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    problems = by_file(document)["b.xlsx"]["problems"]
    [problem] = [p for p in problems if p["field"] == "cuoc_thi_so"]
    assert problem["code"] == "formula-error" and "#DIV/0!" in problem["message"]


def test_tcvn3_and_vni_texts_are_converted_with_a_warning(tmp_path, write_submission):
    from pipeline.intake.legacy_encoding import encode_legacy

    text = "Công đoàn đã tổ chức thăm hỏi đoàn viên ốm đau và hỗ trợ Tết cho người lao động khó khăn."
    write_submission("a.xlsx", tm_II_1=encode_legacy(text, "tcvn3"), chu_tich=encode_legacy("Nguyễn Văn Đức", "tcvn3"))
    write_submission("b.xlsx", "CD002", tm_II_1=encode_legacy(text, "vni"))
    out = tmp_path / "out"
    _, document = run_json(tmp_path / "inbox", out)
    for name in ("a.xlsx", "b.xlsx"):
        entry = by_file(document)[name]
        assert entry["status"] == "accepted" and "legacy-encoding" in codes(entry)
    workbook = openpyxl.load_workbook(out / "tong-hop-bao-cao-cd-2023.xlsx", read_only=True)
    texts = [c for row in workbook["Thuyết minh"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert texts.count(text) == 2


def test_decomposed_text_is_stored_nfc(tmp_path, write_submission):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Trường Tiểu học Điện Biên")
    write_submission("a.xlsx", ten_cdcs=nfd)
    out = tmp_path / "out"
    run_json(tmp_path / "inbox", out)
    workbook = openpyxl.load_workbook(out / "tong-hop-bao-cao-cd-2023.xlsx", read_only=True)
    names = [row[2] for row in workbook["Theo đơn vị"].iter_rows(min_row=6, values_only=True)]
    assert unicodedata.normalize("NFC", nfd) in names


def test_older_file_of_a_unit_is_superseded_by_the_newer(tmp_path, write_submission):
    old = write_submission("cu.xlsx", "CD001", cbccvcld_nu=10_000)
    new = write_submission("moi/ban-sua.xlsx", "CD001")
    _mtime(old, dt.date(2023, 12, 1))
    _mtime(new, dt.date(2023, 12, 5))
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert files["cu.xlsx"]["status"] == "superseded"
    assert files["cu.xlsx"]["superseded_by"] == "moi/ban-sua.xlsx"
    assert files["moi/ban-sua.xlsx"]["status"] == "accepted" and code == 0


def test_pdf_word_lock_and_hidden_files_are_ignored(tmp_path, write_submission):
    write_submission("a.xlsx")
    inbox = tmp_path / "inbox"
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    (inbox / "~$a.xlsx").write_bytes(b"\x00" * 165)
    (inbox / ".~lock.a.xlsx#").write_text("user,host", encoding="utf-8")
    (inbox / ".DS_Store").write_bytes(b"\x00\x00")
    (inbox / "anh.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    code, document = run_json(inbox, tmp_path / "out")
    statuses = {name: entry["status"] for name, entry in by_file(document).items()}
    assert statuses == {"a.xlsx": "accepted", "scan.pdf": "ignored", "~$a.xlsx": "ignored",
                        ".~lock.a.xlsx#": "ignored", ".DS_Store": "ignored", "anh.jpg": "ignored"}
    assert code == 0


def test_workbook_that_is_not_the_template_is_rejected(tmp_path, write_submission):
    write_submission("a.xlsx")
    other = openpyxl.Workbook()
    other.active.append(["Tổng số CBCCVCLĐ", 120])
    other.save(tmp_path / "inbox" / "tu-lam.xlsx")
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["tu-lam.xlsx"]
    assert (code, entry["status"], codes(entry)) == (1, "rejected", {"not-template"})


def test_non_template_file_named_for_a_unit_counts_as_sent_with_errors(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    other = openpyxl.Workbook()
    other.active.append(["Tổng số CBCCVCLĐ", 120])
    other.save(inbox / "Bao cao CD002 nam 2023.xlsx")
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS\nCD002,B\nCD0021,C\n", encoding="utf-8")
    _, document = run_json(inbox, tmp_path / "out", "--roster", str(roster))
    assert document["units"]["rejected"] == ["CD002"] and document["units"]["missing"] == ["CD0021"]
    assert by_file(document)["Bao cao CD002 nam 2023.xlsx"]["unit"] is None


def test_other_form_and_old_version_are_rejected(tmp_path, spec, write_submission):
    for name, cell, value, _expected in (("khac.xlsx", "B1", "bao-cao-quy", "other-form"),
                                         ("cu.xlsx", "B2", "0.9", "old-version")):
        path = write_submission(name)
        workbook = openpyxl.load_workbook(path)
        workbook["_id"][cell] = value
        workbook.save(path)
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert codes(files["khac.xlsx"]) == {"other-form"} and codes(files["cu.xlsx"]) == {"old-version"}


def test_csv_renamed_to_xlsx_is_rejected_as_not_a_workbook(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bao-cao.xlsx").write_text("Mã CĐCS;Tổng số\nCD001;120\n", encoding="utf-8")
    code, document = run_json(inbox, tmp_path / "out")
    assert codes(by_file(document)["bao-cao.xlsx"]) == {"not-a-workbook"} and code == 1


def test_unit_not_on_roster_is_rejected_and_units_are_reported(tmp_path, write_submission):
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS,Khối\nCD001,A,Giáo dục\nCD002,B,Y tế\nCD003,C,Y tế\n", encoding="utf-8")
    _mtime(write_submission("a.xlsx", "CD001"), dt.date(2023, 12, 10))
    _mtime(write_submission("b.xlsx", "CD002"), dt.date(2023, 12, 15))
    write_submission("x.xlsx", "CD999")
    code, document = run_json(tmp_path / "inbox", tmp_path / "out", "--roster", str(roster))
    assert "unknown-unit" in codes(by_file(document)["x.xlsx"])
    assert document["units"] == {"expected": 3, "accepted": ["CD001"], "late": ["CD002"], "rejected": [],
                                 "missing": ["CD003"]}


def test_deadline_option_overrides_the_spec(tmp_path, write_submission):
    _mtime(write_submission("a.xlsx", "CD001"), dt.date(2023, 12, 15))
    _, document = run_json(tmp_path / "inbox", tmp_path / "out", "--deadline", "20/12/2023")
    assert document["units"]["accepted"] == ["CD001"] and document["units"]["late"] == []


def test_unit_copy_used_by_another_unit_is_a_warning(tmp_path, spec):
    from pipeline.template.build import UnitCopy, build_template
    from tests.filling import fill_template, good_values

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fill_template(build_template(spec, UnitCopy("CD001", "A")), {**good_values(spec, "CD002")}, inbox / "a.xlsx")
    _, document = run_json(inbox, tmp_path / "out")
    entry = by_file(document)["a.xlsx"]
    assert entry["status"] == "accepted" and "unit-mismatch" in codes(entry)


def test_empty_narrative_is_a_warning(tmp_path, write_submission):
    write_submission("a.xlsx", tm_II_8=None, tm_III_1="Không có.")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    found = {(p["code"], p["field"], p["severity"]) for p in by_file(document)["a.xlsx"]["problems"]}
    assert {("narrative-empty", "tm_II_8", "warning"), ("narrative-short", "tm_III_1", "warning")} <= found


def test_outlier_is_a_warning_naming_the_cell(tmp_path, write_submission):
    for i in range(10):
        write_submission(f"u{i}.xlsx", f"CD{i:03d}")
    write_submission("x.xlsx", "CD100", tham_hoi_tien=25 * 500_000 * 1000)
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["x.xlsx"]
    assert entry["status"] == "accepted"
    assert ("outlier", "tham_hoi_tien") in {(p["code"], p["field"]) for p in entry["problems"]}
    assert all("outlier" not in codes(by_file(document)[f"u{i}.xlsx"]) for i in range(10))


def test_inbox_is_never_modified(tmp_path, write_submission):
    write_submission("a.xlsx")
    write_submission("b.xlsx", "CD002", cbccvcld_nu=1000)
    inbox = tmp_path / "inbox"
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in inbox.rglob("*")}
    run_json(inbox, tmp_path / "out")
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in inbox.rglob("*")} == before


def test_file_changing_while_read_is_pending(tmp_path, write_submission, monkeypatch):
    from pipeline.intake import submission as module

    path = write_submission("a.xlsx")
    real = module._read_into

    def touch_then_read(submission, file_path, data, spec):
        real(submission, file_path, data, spec)
        os.utime(file_path, (1, 1))  # as a copy still in progress would

    monkeypatch.setattr(module, "_read_into", touch_then_read)
    record = module.read_submission(module.ReadTask(str(path), load_spec().source))
    assert file_state(record) == "pending"


def test_file_gone_before_it_is_read_is_pending_not_a_crash(tmp_path, write_submission):
    from pipeline.intake.submission import ReadTask, read_submission

    path = write_submission("a.xlsx")
    path.unlink()
    record = read_submission(ReadTask(str(path), load_spec().source))
    assert file_state(record) == "pending" and record.problems[0].code == "file-changing"


def test_totals_are_the_sums_of_accepted_files(tmp_path, spec, write_submission):
    from pipeline.template.build import build_template
    from tests.filling import fill_template, good_values

    template = build_template(spec)
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    accepted = []
    for i, size in enumerate((40, 75, 300)):
        values = good_values(spec, f"CD{i}", size=size)
        fill_template(template, values, inbox / f"u{i}.xlsx")
        accepted.append(values)
    bad = good_values(spec, "CD9", size=50)
    bad["cbccvcld_nu"] = 999
    fill_template(template, bad, inbox / "bad.xlsx")
    _, document = run_json(inbox, tmp_path / "out")
    for field in spec.numeric_fields:
        assert document["totals"][field.code] == sum(v[field.code] for v in accepted), field.code


@pytest.mark.parametrize("extension, filter_name", [("ods", "calc8"), ("xls", "MS Excel 97")])
@pytest.mark.slow
def test_template_resaved_by_libreoffice_is_read(tmp_path, write_submission, extension, filter_name):
    import subprocess

    source = write_submission("a.xlsx", tuyen_truyen_luot=4321)
    converted = tmp_path / "converted"
    subprocess.run([soffice(), "--headless", "--convert-to", f"{extension}:{filter_name}", "--outdir", str(converted),
                    str(source)], check=True, capture_output=True, timeout=180)
    source.unlink()
    shutil.move(str(converted / f"a.{extension}"), tmp_path / "inbox" / f"a.{extension}")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)[f"a.{extension}"]
    assert entry["status"] == "accepted", entry["problems"]
    assert document["totals"]["tuyen_truyen_luot"] == 4321


def test_ods_with_named_ranges_is_read_without_libreoffice(tmp_path, spec):
    """An .ods as LibreOffice saves the template: the same sheets, values and named ranges (built with odfpy)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import NamedExpressions, NamedRange, Table, TableCell, TableRow
    from odf.text import P

    from pipeline.ooxml import a1_to_index
    from pipeline.template.layout import NAME_FORM_ID, NAME_FORM_VERSION, anchors, layout_for
    from tests.filling import good_values

    layout = layout_for(spec)
    values = good_values(spec, "CD777")
    values["tuyen_truyen_luot"] = 9876
    placed: dict[str, dict[tuple[int, int], object]] = {}
    for code, ref in {**layout.cells, **layout.identity}.items():
        value = {NAME_FORM_ID: spec.id, NAME_FORM_VERSION: spec.version}.get(code, values.get(code))
        if value is not None:
            placed.setdefault(ref.sheet, {})[(ref.row, ref.col)] = value
    for sheet, (ref, text) in anchors(spec).items():
        placed.setdefault(sheet, {})[a1_to_index(ref)] = text
    document = OpenDocumentSpreadsheet()
    for sheet, cells in placed.items():
        table = Table(name=sheet)
        for row in range(max(r for r, _ in cells) + 1):
            table_row = TableRow()
            for col in range(max(c for _, c in cells) + 1):
                value = cells.get((row, col))
                if isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value)
                elif isinstance(value, dt.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                else:
                    cell = TableCell(valuetype="string") if value is not None else TableCell()
                if value is not None:
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    names = NamedExpressions()
    for code, ref in {**layout.cells, **layout.identity}.items():
        address = f"$'{ref.sheet}'.${ref.a1[:1]}${ref.a1[1:]}"
        names.addElement(NamedRange(name=code, cellrangeaddress=address, basecelladdress=address))
    document.spreadsheet.addElement(names)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    document.save(str(inbox / "a.ods"))
    _, result = run_json(inbox, tmp_path / "out")
    entry = by_file(result)["a.ods"]
    assert (entry["status"], entry["unit"]) == ("accepted", "CD777"), entry["problems"]
    assert result["totals"]["tuyen_truyen_luot"] == 9876


def _rewrite_part(path, part: str, change) -> None:
    """Rezip the workbook with one part's bytes changed (the zip itself stays valid: only the XML is hurt)."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(data) if info.filename == part else data)


@pytest.mark.parametrize("part, sheet", [("xl/worksheets/sheet2.xml", "Số liệu"), ("xl/styles.xml", None)])
def test_workbook_with_a_part_cut_short_is_rejected_as_damaged_naming_the_part(tmp_path, write_submission,
                                                                               part, sheet):
    path = write_submission("a.xlsx")
    _rewrite_part(path, part, lambda data: data[: len(data) * 2 // 3])
    saved_earlier(path)
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["a.xlsx"]
    assert entry["status"] == "rejected"
    [problem] = entry["problems"]
    assert (problem["code"], problem["sheet"]) == ("damaged-part", sheet)
    assert part in problem["message"] and "mẫu báo cáo gốc" in problem["message"]


def test_well_formed_parts_in_utf16_or_with_a_doctype_keep_their_own_verdicts(tmp_path, write_submission):
    path = write_submission("a.xlsx")
    _rewrite_part(path, "docProps/app.xml",
                  lambda data: data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert by_file(document)["a.xlsx"]["status"] == "accepted"
    _rewrite_part(path, "docProps/app.xml", lambda data: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert codes(by_file(document)["a.xlsx"]) == {"xml-entities"}
