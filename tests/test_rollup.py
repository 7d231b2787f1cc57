"""The level above (issue 27): consolidated workbooks rolled up as submissions, each office under its own name."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli
from pipeline.form import load_spec
from pipeline.workspace import WORKSPACE_NAME, read_office, with_office
from tests.filling import fill_template, good_values
from tests.helpers import by_file, codes, run_json

WORKBOOK = "tong-hop-bao-cao-cd-2023.xlsx"
ON_TIME = dt.datetime(2023, 12, 5, 9).timestamp()


@pytest.fixture(scope="module")
def spec():
    return load_spec()


def _units(spec, office: str, sizes: dict[str, int]) -> dict[str, dict]:
    values = {}
    for code, size in sizes.items():
        answers = good_values(spec, code, size=size)
        answers["ten_cdcs"] = f"Công đoàn Trường {code} {office}"
        values[code] = answers
    return values


def _sub_office(tmp_path: Path, spec, office: str, values: dict[str, dict]) -> Path:
    """A sub-office's own consolidation of its units' files: its workbook."""
    from pipeline.run import RunOptions, consolidate_inbox
    from pipeline.template.build import build_template

    inbox, outbox = tmp_path / office / "inbox", tmp_path / office / "outbox"
    inbox.mkdir(parents=True)
    template = build_template(spec)
    for code, answers in values.items():
        fill_template(template, answers, inbox / f"{code}.xlsx")
        os.utime(inbox / f"{code}.xlsx", (ON_TIME, ON_TIME))
    mine = with_office(spec, {"code": office, "name": f"Công đoàn ngành {office}"})
    consolidate_inbox(mine, RunOptions(inbox=inbox, outbox=outbox, progress=False))
    return outbox / f"tong-hop-{spec.id}.xlsx"


@pytest.fixture()
def tree(tmp_path, spec):
    """Two sub-offices' workbooks and one unit that reports directly, in the inbox of the level above."""
    import shutil

    from pipeline.template.build import build_template

    values = {"GD": _units(spec, "GD", {"CD001": 100, "CD002": 250}),
              "YT": _units(spec, "YT", {"CD001": 400, "CD003": 60, "CD004": 90})}
    top = tmp_path / "top" / "inbox"
    top.mkdir(parents=True)
    for office, units in values.items():
        shutil.copyfile(_sub_office(tmp_path, spec, office, units), top / f"tong-hop-{office}.xlsx")
        os.utime(top / f"tong-hop-{office}.xlsx", (ON_TIME, ON_TIME))
    direct = _units(spec, "TT", {"CD900": 30})
    fill_template(build_template(spec), direct["CD900"], top / "CD900.xlsx")
    os.utime(top / "CD900.xlsx", (ON_TIME, ON_TIME))
    return top, values, direct


def test_totals_of_the_level_above_are_every_units_figures_once(tree, spec):
    top, values, direct = tree
    code, document = run_json(top, top.parent / "out")
    assert code == 0, document
    files = by_file(document)
    assert files["tong-hop-GD.xlsx"]["kind"] == "rollup" and files["tong-hop-GD.xlsx"]["office"] == "GD"
    assert files["tong-hop-YT.xlsx"]["units"] == 3 and files["tong-hop-YT.xlsx"]["status"] == "accepted"
    assert "kind" not in files["CD900.xlsx"]
    every = [v for units in values.values() for v in units.values()] + list(direct.values())
    for field in spec.numeric_fields:
        if field.aggregate == "sum":
            assert document["totals"][field.code] == sum(v.get(field.code) or 0 for v in every), field.code
    assert sorted(document["units"]["accepted"]) == ["CD900", "GD/CD001", "GD/CD002", "YT/CD001", "YT/CD003",
                                                     "YT/CD004"]
    themed = {s["unit"] for groups in document["themes"].values() for g in groups for s in g["sentences"]}
    assert {"GD/CD001", "YT/CD004", "CD900"} <= themed  # the units' texts came up with them, under qualified codes
    book = openpyxl.load_workbook(top.parent / "out" / WORKBOOK, read_only=True)
    by_unit = [row[1] for row in book["Theo đơn vị"].iter_rows(values_only=True) if row and row[1]]
    assert "GD/CD002" in by_unit and "YT/CD001" in by_unit
    rows = list(book["Tổng hợp"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if str(row[0]).startswith("THEO CÔNG ĐOÀN CẤP TRÊN CƠ SỞ"))
    assert rows[start + 1][3:6] == ("GD", "YT", "Trực thuộc")
    assert rows[start + 3][3:6] == ("2/2", "3/3", "1")  # each sub-office's own units reported / its roster
    staff = next(row for row in rows[start:] if row[1] == "Tổng số CBCCVCLĐ")
    assert staff[3:6] == (350, 550, 30)
    status = [row for row in book["Tình hình nộp"].iter_rows(values_only=True) if row and row[0] == "YT"]
    assert "tong-hop-YT.xlsx (bảng tổng hợp: 3/3 CĐCS đã báo cáo)" in status[0]


def test_the_draft_counts_units_and_the_sub_offices_they_belong_to():
    from pipeline.narratives.draft import who
    from pipeline.narratives.themes import Group

    names = {"A/CD1": "a", "A/CD2": "b", "B/CD3": "c", "C/CD4": "d", "C/CD5": "e", "CD9": "f"}
    group = Group("tm_I", None, [(code, names[code], "Ý chung.") for code in ("A/CD1", "A/CD2", "C/CD4", "CD9")])
    assert who(group, 6, names) == "(4/6 đơn vị, thuộc 2/3 công đoàn cấp trên cơ sở)"
    everyone = Group("tm_I", None, [(code, names[code], "Ý chung.") for code in ("A/CD1", "B/CD3", "C/CD4", "CD9")])
    assert who(everyone, 6, names) == "(4/6 đơn vị)"  # every sub-office: nothing to add


def test_a_hand_edited_rollup_is_refused_naming_the_figure(tree, spec):
    top, _, _ = tree
    path = top / "tong-hop-GD.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Theo đơn vị"]
    codes_row = next(row for row in sheet.iter_rows() if row[0].value == "_ma_truong")
    column = next(c.column for c in codes_row if c.value == "cbccvcld_tong")
    sheet.cell(codes_row[0].row + 2, column).value = 999  # the first unit's head count, typed over
    book.save(path)
    os.utime(path, (ON_TIME, ON_TIME))
    code, document = run_json(top, top.parent / "out")
    entry = by_file(document)["tong-hop-GD.xlsx"]
    assert entry["status"] == "rejected" and "rollup-mismatch" in codes(entry)
    message = next(p["message"] for p in entry["problems"] if p["code"] == "rollup-mismatch")
    assert "Tổng số CBCCVCLĐ" in message and "1249" in message.replace(".", "")  # 999 + 250, against 350
    assert not any(u.startswith("GD/") for u in document["units"]["accepted"])


def test_a_rollup_of_another_period_is_another_form(tree, spec):
    top, _, _ = tree
    path = top / "tong-hop-YT.xlsx"
    book = openpyxl.load_workbook(path)
    data = book["_du_lieu"]
    for row in data.iter_rows():
        if row[0].value == "period":
            row[1].value = "2022"
    book.save(path)
    os.utime(path, (ON_TIME, ON_TIME))
    code, document = run_json(top, top.parent / "out")
    entry = by_file(document)["tong-hop-YT.xlsx"]
    assert entry["status"] == "rejected" and "other-form" in codes(entry)


def test_a_unit_held_twice_rejects_the_rollup(tree, spec):
    top, values, _ = tree
    from pipeline.template.build import build_template

    again = dict(values["YT"]["CD003"])  # the same union also sent its file straight to the level above
    fill_template(build_template(spec), again, top / "CD003-truc-tiep.xlsx")
    os.utime(top / "CD003-truc-tiep.xlsx", (ON_TIME, ON_TIME))
    code, document = run_json(top, top.parent / "out")
    entry = by_file(document)["tong-hop-YT.xlsx"]
    assert entry["status"] == "rejected" and "duplicate-unit" in codes(entry)
    message = next(p["message"] for p in entry["problems"] if p["code"] == "duplicate-unit")
    assert "CD003" in message and "CD003-truc-tiep.xlsx" in message
    assert by_file(document)["tong-hop-GD.xlsx"]["status"] == "accepted"  # CD001 of GD is another union


def test_a_newer_rollup_of_the_same_office_supersedes_the_older(tree, spec, tmp_path):
    import shutil

    top, values, _ = tree
    newer = _sub_office(tmp_path / "again", spec, "GD", {**values["GD"], **_units(spec, "GD", {"CD005": 70})})
    shutil.copyfile(newer, top / "tong-hop-GD-lan-2.xlsx")
    code, document = run_json(top, top.parent / "out")
    files = by_file(document)
    assert files["tong-hop-GD.xlsx"]["status"] == "superseded"
    assert files["tong-hop-GD-lan-2.xlsx"]["status"] == "accepted"
    assert "GD/CD005" in document["units"]["accepted"] + document["units"]["late"]


def test_init_writes_the_office_and_every_output_uses_it(tmp_path, monkeypatch, spec):
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(cli, ["init"])
    assert first.exit_code == 0, first.output
    text = (tmp_path / WORKSPACE_NAME).read_text(encoding="utf-8")
    assert text.startswith("# ") and 'name = "Công đoàn Viên chức tỉnh Thanh Hóa"' in text
    assert CliRunner().invoke(cli, ["init"]).exit_code == 2  # never over the office's own file
    (tmp_path / WORKSPACE_NAME).write_text(
        '[office]\ncode = "CDGD"\nname = "Công đoàn ngành Giáo dục tỉnh Thanh Hóa"\n'
        'issuer = "CÔNG ĐOÀN NGÀNH GIÁO DỤC TỈNH THANH HÓA"\nsigner = "Nguyễn Văn A"\n', encoding="utf-8")
    assert read_office(tmp_path)["code"] == "CDGD"
    from pipeline.template.build import build_template

    (tmp_path / "inbox").mkdir()
    fill_template(build_template(spec), good_values(spec, "CD001"), tmp_path / "inbox" / "a.xlsx")
    result = CliRunner().invoke(cli, ["--json"])
    assert result.exit_code == 0, result.output
    document = Document(str(tmp_path / "outbox" / "bao-cao-tong-hop-bao-cao-cd-2023.docx"))
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "CÔNG ĐOÀN NGÀNH GIÁO DỤC TỈNH THANH HÓA" in cells and "Nguyễn Văn A" in cells
    assert "Ban Thường vụ Công đoàn ngành Giáo dục tỉnh Thanh Hóa báo cáo như sau" in text
    (tmp_path / WORKSPACE_NAME).write_text('[office]\ncode = "A/B"\n', encoding="utf-8")
    refused = CliRunner().invoke(cli, [])
    assert refused.exit_code == 2 and "consolidate.toml" in refused.output and "A/B" in refused.output


def test_a_rollup_from_an_office_not_on_the_roster_is_unknown(tree, tmp_path):
    top, _, _ = tree
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS\nGD,Công đoàn ngành GD\nCD900,Trường TT\n", encoding="utf-8")
    code, document = run_json(top, top.parent / "out", "--roster", str(roster))
    files = by_file(document)
    assert files["tong-hop-YT.xlsx"]["status"] == "rejected" and "unknown-unit" in codes(files["tong-hop-YT.xlsx"])
    assert files["tong-hop-GD.xlsx"]["status"] == "accepted"
    assert document["units"]["expected"] == 3  # GD's own roster of 2, and CD900


def test_only_what_would_be_merged_holds_a_unit(tree, spec, tmp_path):
    """An older roll-up superseded by its office's newer one, or a file the office set aside, holds no unit: the
    catalogue's remedies for `duplicate-unit` work."""
    import shutil

    from pipeline.template.build import build_template

    top, values, _ = tree
    direct = dict(values["GD"]["CD002"])  # CD002 now reports straight to the level above …
    fill_template(build_template(spec), direct, top / "CD002-truc-tiep.xlsx")
    os.utime(top / "CD002-truc-tiep.xlsx", (ON_TIME, ON_TIME))
    _, first = run_json(top, top.parent / "out")
    assert "duplicate-unit" in codes(by_file(first)["tong-hop-GD.xlsx"])
    # … and GD resends its workbook without it: the old one no longer clashes, the new one stands
    newer = _sub_office(tmp_path / "again", spec, "GD", {"CD001": values["GD"]["CD001"]})
    shutil.copyfile(newer, top / "tong-hop-GD-lan-2.xlsx")
    later = ON_TIME + 3600
    os.utime(top / "tong-hop-GD-lan-2.xlsx", (later, later))
    _, second = run_json(top, top.parent / "out")
    files = by_file(second)
    assert files["tong-hop-GD-lan-2.xlsx"]["status"] == "accepted", files["tong-hop-GD-lan-2.xlsx"]["problems"]
    assert files["tong-hop-GD.xlsx"]["status"] == "superseded"
    assert files["CD002-truc-tiep.xlsx"]["status"] == "accepted"


def test_a_file_the_office_set_aside_holds_no_unit(tree, spec):
    from pipeline.template.build import build_template

    top, values, _ = tree
    fill_template(build_template(spec), dict(values["YT"]["CD003"]), top / "CD003-nham.xlsx")
    os.utime(top / "CD003-nham.xlsx", (ON_TIME, ON_TIME))
    out = top.parent / "out"
    marked = CliRunner().invoke(cli, ["--inbox", str(top), "--outbox", str(out), "mark", str(top / "CD003-nham.xlsx"),
                                      "--exclude", "Gửi nhầm: đơn vị thuộc Công đoàn ngành Y tế"])
    assert marked.exit_code == 0, marked.output
    _, document = run_json(top, out)
    files = by_file(document)
    assert files["tong-hop-YT.xlsx"]["status"] == "accepted"
    assert files["CD003-nham.xlsx"]["status"] == "rejected" and "excluded" in codes(files["CD003-nham.xlsx"])


def test_three_levels_keep_every_unit_under_its_whole_path(tree, spec, tmp_path):
    """A level above the level above: the province's workbook rolled up again keeps each unit once, under
    TINH/GD/CD001, and says how many units the province expected."""
    import shutil

    from pipeline.run import RunOptions, consolidate_inbox

    top, values, direct = tree
    province = with_office(spec, {"code": "TINH", "name": "Liên đoàn Lao động tỉnh"})
    consolidate_inbox(province, RunOptions(inbox=top, outbox=top.parent / "out", progress=False))
    nation = tmp_path / "nation" / "inbox"
    nation.mkdir(parents=True)
    shutil.copyfile(top.parent / "out" / WORKBOOK, nation / "tong-hop-TINH.xlsx")
    code, document = run_json(nation, nation.parent / "out")
    entry = by_file(document)["tong-hop-TINH.xlsx"]
    assert entry["status"] == "accepted" and entry["units"] == 6 and entry["expected"] == 6
    assert sorted(document["units"]["accepted"] + document["units"]["late"]) == [
        "TINH/CD900", "TINH/GD/CD001", "TINH/GD/CD002", "TINH/YT/CD001", "TINH/YT/CD003", "TINH/YT/CD004"]
    every = [v for units in values.values() for v in units.values()] + list(direct.values())
    assert document["totals"]["cbccvcld_tong"] == sum(v["cbccvcld_tong"] for v in every)
    rows = list(openpyxl.load_workbook(nation.parent / "out" / WORKBOOK, read_only=True)["Tổng hợp"].iter_rows(
        values_only=True))
    start = next(i for i, row in enumerate(rows) if str(row[0]).startswith("THEO CÔNG ĐOÀN CẤP TRÊN CƠ SỞ"))
    staff = next(row for row in rows[start:] if row[1] == "Tổng số CBCCVCLĐ")
    assert rows[start + 1][3] == "TINH" and staff[3] == sum(v["cbccvcld_tong"] for v in every)


def test_a_request_to_the_office_of_the_level_above_is_its_own_not_forwarded():
    from pipeline.narratives.addressee import OFFICE, addressee, own_names

    names = own_names("Liên đoàn Lao động tỉnh Thanh Hóa", "LĐLĐ")
    assert names == ("liên đoàn lao động tỉnh", "liên đoàn lao động tỉnh thanh hóa", "lđlđ tỉnh")
    assert addressee("Đề nghị LĐLĐ tỉnh tăng mức hỗ trợ xây dựng Mái ấm Công đoàn.", None, names) == OFFICE
    assert addressee("Đề nghị LĐLĐ huyện quan tâm.", None, names) != OFFICE  # another body of the same kind


def test_a_rollup_of_a_form_with_periods_is_read_in_its_period(tmp_path):
    import random
    import shutil

    from pipeline.demo import demo_roster, demo_values

    one = load_spec("1-hdcd")
    rng = random.Random(9)
    values = {}
    for unit in demo_roster(rng)[:3]:
        values[unit.code] = demo_values(one, unit, rng)
        values[unit.code][one.roles.period] = "30/11/2024"
    workbook = _sub_office(tmp_path, one, "GD", values)
    inbox = tmp_path / "top" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copyfile(workbook, inbox / "tong-hop-GD.xlsx")
    code, document = run_json(inbox, inbox.parent / "out", "--form", "1-hdcd")
    entry = by_file(document)["tong-hop-GD.xlsx"]
    assert entry["status"] == "accepted", entry["problems"]
    assert document["period"] == "30/11/2024"


def test_a_rollup_of_another_form_never_stands_for_the_office(tree, tmp_path):
    """The same office's workbook of another form, arrived later, is refused and does not push its good one out."""
    import random
    import shutil

    from pipeline.demo import demo_roster, demo_values

    top, _, _ = tree
    other = load_spec("1-hdcd")
    rng = random.Random(3)
    values = {u.code: demo_values(other, u, rng) for u in demo_roster(rng)[:2]}
    shutil.copyfile(_sub_office(tmp_path / "other", other, "GD", values), top / "tong-hop-GD-1hdcd.xlsx")
    later = ON_TIME + 3600
    os.utime(top / "tong-hop-GD-1hdcd.xlsx", (later, later))
    _, document = run_json(top, top.parent / "out")
    files = by_file(document)
    assert files["tong-hop-GD-1hdcd.xlsx"]["status"] == "rejected" and "other-form" in codes(files["tong-hop-GD-1hdcd.xlsx"])
    assert files["tong-hop-GD-1hdcd.xlsx"]["office"] == "GD"
    assert files["tong-hop-GD.xlsx"]["status"] == "accepted"


def test_a_damaged_rollup_is_told_as_a_rollup(tree):
    import zipfile

    top, _, _ = tree
    path = top / "tong-hop-YT.xlsx"
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]  # cut in the middle: no longer well-formed XML
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    os.utime(path, (ON_TIME, ON_TIME))
    _, document = run_json(top, top.parent / "out")
    entry = by_file(document)["tong-hop-YT.xlsx"]
    assert entry["status"] == "rejected" and entry["kind"] == "rollup" and codes(entry) == {"rollup-damaged"}
    message = entry["problems"][0]["message"]
    assert "Bảng tổng hợp của đơn vị cấp dưới không đọc được" in message and "chạy lại consolidate" in message


def test_a_units_texts_come_back_from_the_rollup_as_the_unit_wrote_them(tmp_path, spec):
    """The hidden texts sheet, streamed as inline strings, gives each text back exactly: markup characters,
    OOXML's own escape form, spaces at the ends, line ends, a text of 30,000 characters."""
    from pipeline.intake.submission import ReadTask, read_submission
    from pipeline.reading import read_and_split

    field = spec.narrative_fields[0].code
    tricky = {"CD001": "a & b <c> \"d\" 'e'\nDòng hai _x0041_ như mã, &amp; như chữ",
              "CD002": "  lề trái và phải  ", "CD003": "Việt " * 6000 + "hết."}
    values = _units(spec, "GD", dict.fromkeys(tricky, 100))
    for code, text in tricky.items():
        values[code][field] = text
    workbook = _sub_office(tmp_path, spec, "GD", values)
    rolled = read_and_split(ReadTask(str(workbook), spec.source))
    read = {part.unit: part.values.get(field) for part in rolled.parts}
    assert len(read) == len(tricky)
    for code in tricky:
        own = read_submission(ReadTask(str(tmp_path / "GD" / "inbox" / f"{code}.xlsx"), spec.source)).values[field]
        assert own and read[next(unit for unit in read if unit.endswith(code))] == own
