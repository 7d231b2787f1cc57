"""Clean pages (issue 25.4): the report carries no tool note in its text (they are Word comments, cleared with
"Delete all comments"), no list of units that did not report, no unit's full text (that is the annex, a document
of its own); its pages are numbered at the top from page 2."""
from __future__ import annotations

import datetime as dt
import os
import random
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from pipeline.form import load_spec
from pipeline.narratives.draft import MARK
from pipeline.outputs import annex_name, report_name
from pipeline.outputs.report import PLACEHOLDER
from pipeline.template.build import build_template
from tests.filling import fill_template, good_values
from tests.helpers import run_json

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
FORM = "bao-cao-cd-2023"
EMPTY_PART = "tm_III_2"  # no unit writes it: its part of the report has nothing but the place to write


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Two clean units and one at fault, a roster with a unit that did not report; nobody writes EMPTY_PART."""
    root = tmp_path_factory.mktemp("pages")
    spec = load_spec()
    template = build_template(spec)
    inbox = root / "inbox"
    inbox.mkdir()
    values = {"CD001": good_values(spec, "CD001", size=100), "CD002": good_values(spec, "CD002", size=300)}
    values["CD001"]["tm_I"] = "Đơn vị có 100 CBCCVCLĐ.\nĐời sống của đoàn viên ổn định, yên tâm công tác."
    values["CD002"]["tm_V"] = "Đề nghị tăng mức hỗ trợ Mái ấm Công đoàn cho đoàn viên khó khăn về nhà ở."
    bad = good_values(spec, "CD003", size=50)
    bad["cbccvcld_nu"] = 80  # above the total: rejected
    on_time = dt.datetime(2023, 12, 5, 9).timestamp()
    for code, answers in (*values.items(), ("CD003", bad)):
        answers[EMPTY_PART] = None
        fill_template(template, answers, inbox / f"{code}.xlsx")
        os.utime(inbox / f"{code}.xlsx", (on_time, on_time))
    roster = root / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS,Khối,Email,Điện thoại\nCD001,Trường A,Giáo dục,a@x.vn,01\n"
                      "CD002,Bệnh viện B,Y tế,b@x.vn,02\nCD003,Trường C,Giáo dục,c@x.vn,03\n"
                      "CD004,Sở D,Hành chính,d@x.vn,04\n", encoding="utf-8")
    out = root / "out"
    _, document = run_json(inbox, out, "--roster", str(roster))
    return {"out": out, "document": document, "values": values, "spec": spec}


def _body_texts(path: Path) -> list[str]:
    """Every paragraph's text, in the body and in its tables' cells."""
    document = Document(str(path))
    return ([p.text for p in document.paragraphs]
            + [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs])


def _comments(path: Path) -> dict[str, str]:
    """Each comment's text by its id, from word/comments.xml."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/comments.xml"))
    return {c.get(f"{{{W}}}id"): "\n".join("".join(p.itertext()) for p in c.iterfind("w:p", NS))
            for c in root.iterfind("w:comment", NS)}


def _xml(path: Path, part: str):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(part))


def test_no_tool_note_in_the_text_they_are_comments_on_the_paragraphs(run):
    report = run["out"] / report_name(FORM)
    texts = _body_texts(report)
    assert not [t for t in texts if "[" in t or "]" in t]
    assert not [t for t in texts if "Dự thảo do công cụ" in t or "Nội dung chi tiết" in t or "Phụ lục" in t]
    comments = _comments(report)
    said = "\n".join(comments.values())
    assert said.count(MARK) >= 10 and PLACEHOLDER in said
    assert f"Nội dung chi tiết của 2 đơn vị: xem tệp {annex_name(FORM)}, mục I." in said
    # each comment anchored on a range of the body (start, end, reference), which "Delete all comments" clears
    body = _xml(report, "word/document.xml")
    for kind in ("commentRangeStart", "commentRangeEnd", "commentReference"):
        assert {e.get(f"{{{W}}}id") for e in body.iter(f"{{{W}}}{kind}")} == set(comments), kind
    # the draft's mark spans the drafted points it is about
    mark = next(i for i, text in comments.items() if text.startswith(MARK) and "mục II.1." in text)
    paragraphs = body.find("w:body", NS).findall("w:p", NS)
    start = next(n for n, p in enumerate(paragraphs) if p.find(f"w:commentRangeStart[@w:id='{mark}']", NS) is not None)
    end = next(n for n, p in enumerate(paragraphs) if p.find(f"w:commentRangeEnd[@w:id='{mark}']", NS) is not None)
    spanned = ["".join(p.itertext()) for p in paragraphs[start:end + 1]]
    assert spanned and all(text.startswith("– ") for text in spanned)


def test_a_part_with_nothing_drafted_keeps_an_empty_paragraph_carrying_its_note(run):
    report = run["out"] / report_name(FORM)
    comments = _comments(report)
    body = _xml(report, "word/document.xml").find("w:body", NS)
    spec = run["spec"]
    section = spec.section_by_code[next(f for f in spec.narrative_fields if f.code == EMPTY_PART).section]
    paragraphs = body.findall("w:p", NS)
    heading = next(n for n, p in enumerate(paragraphs) if "".join(p.itertext()) == section.heading)
    after = paragraphs[heading + 1]
    assert "".join(after.itertext()) == ""  # the place to write
    anchored = [e.get(f"{{{W}}}id") for e in after.iter(f"{{{W}}}commentRangeStart")]
    assert anchored and comments[anchored[0]].startswith(PLACEHOLDER)


def test_the_units_texts_are_an_annex_of_their_own(run):
    out, document = run["out"], run["document"]
    annex = out / annex_name(FORM)
    assert document["annex"] == str(annex) and annex.is_file()
    annexed = "\n".join(_body_texts(annex))
    report = "\n".join(_body_texts(out / report_name(FORM)))
    assert annexed.startswith("PHỤ LỤC\nTHUYẾT MINH CỦA CÁC CĐCS THEO TỪNG MỤC")
    for code, values in run["values"].items():
        for field in ("tm_I", "tm_II_1", "tm_IV_1"):
            lines = [line.strip() for line in values[field].split("\n") if line.strip()]
            assert all(line in annexed for line in lines), (code, field)
        assert f"({code}): " in annexed and f"({code}): " not in report
    assert "Đời sống của đoàn viên ổn định, yên tâm công tác." not in report
    assert "PHỤ LỤC" not in report and "THUYẾT MINH CỦA CÁC CĐCS" not in report


def test_the_report_does_not_name_units_that_did_not_report(run):
    report = "\n".join(_body_texts(run["out"] / report_name(FORM)))
    assert "TÌNH HÌNH BÁO CÁO CỦA CÁC CĐCS" not in report
    assert "Sở D" not in report and "chưa gửi" not in report
    assert "báo cáo của 2 Công đoàn cơ sở" in report  # the scope stays, said plainly


@pytest.mark.parametrize("name", [report_name, annex_name])
def test_pages_are_numbered_at_the_top_from_page_two(run, name):
    path = run["out"] / name(FORM)
    section = Document(str(path)).sections[0]
    assert section.different_first_page_header_footer

    def page_field(header) -> bool:
        element = header._element
        simple = [f.get(f"{{{W}}}instr", "") for f in element.iter(f"{{{W}}}fldSimple")]
        codes = [t.text or "" for t in element.iter(f"{{{W}}}instrText")]
        return any(code.split()[:1] == ["PAGE"] for code in simple + codes)

    assert page_field(section.header) and not section.header.is_linked_to_previous
    assert section.header.paragraphs[0].alignment == 1  # centred
    assert not page_field(section.first_page_header) and not section.first_page_header.is_linked_to_previous


def test_letterhead_place_for_recipients_and_signature_stay(run):
    document = Document(str(run["out"] / report_name(FORM)))
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for words in ("LIÊN ĐOÀN LAO ĐỘNG TỈNH THANH HÓA", "CÔNG ĐOÀN VIÊN CHỨC TỈNH THANH HÓA", "Số: …/BC-CĐVC",
                  "CÔNG ĐOÀN VIỆT NAM", "Thanh Hóa, ngày … tháng … năm …", "Nơi nhận:", "TM. BAN THƯỜNG VỤ",
                  "CHỦ TỊCH"):
        assert words in cells
    assert "Độc lập - Tự do - Hạnh phúc" not in cells  # a union heads with its own name, not the national motto


def test_a_form_without_narratives_has_no_annex(tmp_path):
    from pipeline.demo import demo_roster, demo_values

    spec = load_spec("1-hdcd")
    assert not [f for f in spec.narrative_fields if f.code != spec.roles.recommendations]
    rng = random.Random(3)
    template = build_template(spec)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for unit in demo_roster(rng)[:2]:
        fill_template(template, demo_values(spec, unit, rng), inbox / f"{unit.code}.xlsx")
    _, document = run_json(inbox, tmp_path / "out", "--form", "1-hdcd")
    assert document["annex"] is None
    assert not list((tmp_path / "out").glob("phu-luc-*"))
    assert not [t for t in _body_texts(tmp_path / "out" / report_name("1-hdcd")) if "[" in t]
