"""What many units say: sentences split the Vietnamese way, grouped when they say the same thing and kept
apart when they do not, with whom each recommendation is for; in the JSON, the workbook and the draft."""
from __future__ import annotations

import json
import unicodedata
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli
from pipeline.form import load_spec
from pipeline.narratives.addressee import STATE, UNION, addressee
from pipeline.narratives.split import split_sentences
from pipeline.narratives.themes import group_sentences, thesaurus_for


def test_sentences_split_on_ends_not_on_abbreviations_numbers_or_markers():
    text = ("- Công đoàn TP. Thanh Hóa có 1.250 đoàn viên, đạt 12,5%. Đề nghị cấp trên quan tâm.\n"
            "+ Mời TS. Lê Văn An báo cáo ngày 05/12/2023 tại Q. Ba Đình; v.v. Năm 2024 tiếp tục.\n"
            "1. Tổ chức hội thao\na) Tham gia hội diễn")
    assert split_sentences(text) == [
        "Công đoàn TP. Thanh Hóa có 1.250 đoàn viên, đạt 12,5%.", "Đề nghị cấp trên quan tâm.",
        "Mời TS. Lê Văn An báo cáo ngày 05/12/2023 tại Q. Ba Đình; v.v.", "Năm 2024 tiếp tục.",
        "Tổ chức hội thao", "Tham gia hội diễn"]


def test_a_sentence_may_start_with_a_figure_but_not_with_a_small_letter():
    assert split_sentences("Đã tổ chức hội nghị. 15 đoàn viên được khen thưởng. Còn chậm. ở một số tổ chưa đều.") == [
        "Đã tổ chức hội nghị.", "15 đoàn viên được khen thưởng.", "Còn chậm. ở một số tổ chưa đều."]


def _together(field: str, *texts: str) -> list[list[int]]:
    groups = group_sentences(thesaurus_for(load_spec()), field, [(str(i), "", t) for i, t in enumerate(texts)])
    return sorted(sorted(int(code) for code, _, _ in g.sentences) for g in groups)


def test_paraphrases_of_one_request_go_together():
    assert _together("tm_V",
                     "Đề nghị Nhà nước sớm tăng lương cơ sở cho cán bộ, viên chức.",
                     "Mong muốn Chính phủ điều chỉnh mức lương cơ sở phù hợp với giá cả sinh hoạt.",
                     "Kiến nghị sớm thực hiện cải cách tiền lương theo Nghị quyết 27.") == [[0, 1, 2]]


@pytest.mark.parametrize("one, other", [
    ("Đề nghị tăng lương cơ sở cho viên chức.", "Đề nghị nâng mức phụ cấp ưu đãi nghề cho giáo viên."),
    ("Đề nghị tăng tỷ lệ kinh phí công đoàn để lại cho cơ sở.",
     "Đề nghị hỗ trợ kinh phí tổ chức hội thao, hoạt động văn hóa cho đoàn viên."),
    ("Đề nghị LĐLĐ tỉnh tăng mức hỗ trợ xây Mái ấm Công đoàn.", "Đề xuất nâng mức chi thăm hỏi đoàn viên ốm đau."),
    ("Đề nghị bố trí nhà ở công vụ cho giáo viên vùng cao.", "Đề nghị hỗ trợ tiền thuê nhà cho viên chức trẻ."),
])
def test_near_themes_stay_apart(one, other):
    assert _together("tm_V", one, other) == [[0], [1]]


def test_party_admission_is_not_union_membership():
    assert _together("tm_II_4", "Kết nạp mới 12 đoàn viên công đoàn.",
                     "Giới thiệu 3 đoàn viên ưu tú để chi bộ xem xét kết nạp vào Đảng.") == [[0], [1]]


def test_a_sentence_no_theme_covers_stands_alone_or_with_its_own_words():
    assert _together("tm_V", "Đề nghị quan tâm đến đời sống tinh thần.", "Đề nghị quan tâm đến đời sống tinh thần.",
                     "Đề nghị xem xét việc khác hẳn.") == [[0, 1], [2]]


def test_the_same_words_with_each_units_own_figures_go_together():
    assert _together("tm_I", "Thu nhập bình quân đạt khoảng 8.400.000 đồng/người/tháng.",
                     "Thu nhập bình quân đạt khoảng 9.120.000 đồng/người/tháng.",
                     "Thu nhập bình quân giảm còn 7.000.000 đồng/người/tháng.") == [[0, 1], [2]]


@pytest.mark.parametrize("text, expected", [
    ("Đề nghị Chính phủ sớm ban hành chính sách tiền lương mới.", STATE),
    ("Đề nghị CĐVC tỉnh mở lớp tập huấn nghiệp vụ.", UNION),
    ("Đề nghị CĐVC tỉnh kiến nghị với UBND tỉnh bố trí nhà công vụ.", STATE),  # relayed: who acts in the end
    ("Đề nghị Tổng LĐLĐ Việt Nam sửa đổi hướng dẫn thu đoàn phí.", UNION),
])
def test_the_addressee_is_who_acts(text, expected):
    assert addressee(text) == expected


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("narratives")
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", str(root / "demo")]).exit_code == 0
    result = runner.invoke(cli, ["--inbox", str(root / "demo" / "inbox"), "--outbox", str(root / "demo" / "outbox"),
                                 "--roster", str(root / "demo" / "danh-sach-cdcs.xlsx"), "--json"])
    return root / "demo" / "outbox", json.loads(result.stdout)


def test_every_sentence_of_every_accepted_file_stands_in_exactly_one_group(demo_run):
    outbox, document = demo_run
    spec = load_spec()
    themes = document["themes"]
    assert set(themes) == {f.code for f in spec.narrative_fields}
    workbook = openpyxl.load_workbook(outbox / "tong-hop-bao-cao-cd-2023.xlsx", read_only=True)
    texts = {}
    for row in workbook["Thuyết minh"].iter_rows(values_only=True):
        if row and row[0] and row[2] and str(row[0]).startswith("CD"):
            texts.setdefault(row[0], []).append(row[2])
    for groups in themes.values():
        sizes = [len(g["units"]) for g in groups]
        assert sizes == sorted(sizes, reverse=True)  # largest first
        for group in groups:
            assert group["label"] and group["units"] == sorted({s["unit"] for s in group["sentences"]})
            for sentence in group["sentences"]:
                assert unicodedata.is_normalized("NFC", sentence["text"])
    accepted = {f["unit"] for f in document["files"] if f["status"] == "accepted"}
    grouped = {s["unit"] for groups in themes.values() for g in groups for s in g["sentences"]}
    assert grouped == accepted
    # each unit's tm_I text is exactly its grouped sentences, a repeated sentence as often as it is written
    from pipeline.narratives.split import split_sentences as split

    for unit in sorted(accepted):
        mine = sorted(s["text"] for g in themes["tm_I"] for s in g["sentences"] if s["unit"] == unit)
        assert mine and any(sorted(split(t)) == mine for t in texts.get(unit, [])), unit


def test_the_draft_reads_as_a_first_version_marked_for_checking(demo_run):
    outbox, document = demo_run
    report = [p.text for p in Document(outbox / "bao-cao-tong-hop-bao-cao-cd-2023.docx").paragraphs]
    with zipfile.ZipFile(outbox / "bao-cao-tong-hop-bao-cao-cd-2023.docx") as package:  # marks are Word comments
        comments = package.read("word/comments.xml").decode("utf-8")
    assert comments.count("Dự thảo do công cụ lập từ thuyết minh") >= 10 and not any("[Dự thảo" in t for t in report)
    units = len(document["units"]["accepted"]) + len(document["units"]["late"])
    start = next(i for i, t in enumerate(report) if t.startswith("Tổng hợp kiến nghị"))
    end = next(i for i, t in enumerate(report) if i > start and not t.startswith(("– ", "Đối với", "Chưa rõ")))
    said = {s["text"].rstrip(" .;"): len(g["units"]) for g in document["themes"]["tm_V"] for s in g["sentences"]}
    lines = [t for t in report[start:end] if t.startswith("– ")]
    assert lines and "Đối với tổ chức Công đoàn" in "\n".join(report[start:end])
    for line in lines:  # every drafted point is a unit's own sentence, with its group's count
        words, count = line[2:].rsplit(" (", 1)
        assert words in said
        assert count.startswith(f"{said[words]}/{units} đơn vị") or said[words] <= 3


def test_the_workbook_lists_groups_and_each_recommendation_with_its_addressee(demo_run):
    outbox, document = demo_run
    workbook = openpyxl.load_workbook(outbox / "tong-hop-bao-cao-cd-2023.xlsx", read_only=True)
    header = next(r for r in workbook["Nhóm ý kiến"].iter_rows(values_only=True) if r and r[0] == "Mục")
    assert list(header[:5]) == ["Mục", "Nhóm", "Số đơn vị", "Đơn vị", "Câu tiêu biểu"]
    rows = [r for r in workbook["Kiến nghị"].iter_rows(values_only=True) if r and r[0] and str(r[0]).isdigit()]
    assert {r[4] for r in rows} <= {"Đối với Đảng, Nhà nước", "Đối với tổ chức Công đoàn", "Kiến nghị gửi văn phòng",
                                    "Chưa rõ nơi nhận"}
    assert len(rows) == sum(len(g["sentences"]) for g in document["themes"]["tm_V"])


def test_sentences_keyed_where_files_are_read_group_as_those_keyed_at_merge():
    import random

    from pipeline.demo import demo_roster, demo_values
    from pipeline.narratives.themes import group_narratives, group_sentences, sentence_keys

    spec = load_spec()
    rng = random.Random(5)
    units = demo_roster(rng)[:12]
    values = [demo_values(spec, unit, rng) for unit in units]
    narratives = {f.code: [(v["ma_cdcs"], v["ten_cdcs"], v[f.code]) for v in values if v.get(f.code)]
                  for f in spec.narrative_fields}
    keyed = {code: [sentence_keys(spec, code, text) for _, _, text in entries] for code, entries in narratives.items()}
    ahead, here = group_narratives(spec, narratives, keyed), group_narratives(spec, narratives)
    shape = lambda groups: [(g.label, g.theme, g.sentences) for g in groups]  # noqa: E731
    assert all(shape(ahead[code]) == shape(here[code]) for code in narratives)
    # and both as the plain grouping of the same sentences
    thesaurus = thesaurus_for(spec)
    for code, entries in narratives.items():
        sentences = [(unit, name, s) for unit, name, text in entries for s in split_sentences(text)]
        assert [g.sentences for g in group_sentences(thesaurus, code, sentences)] == [g.sentences for g in here[code]]


def test_a_group_alike_but_for_figures_is_labelled_without_anyones_figures_and_dates_are_no_ones():
    from pipeline.narratives.draft import who

    thesaurus = thesaurus_for(load_spec())
    [group] = group_sentences(thesaurus, "tm_III_1", [("A", "Trường A", "Khu nhà số 3 xuống cấp sau 12 năm sử dụng."),
                                                      ("B", "Trường B", "Khu nhà số 5 xuống cấp sau 20 năm sử dụng.")])
    assert group.label == "Khu nhà số … xuống cấp sau … năm sử dụng."
    names = {"A": "Trường A", "B": "Trường B", "C": "Trường C", "D": "Trường D"}
    dated = group_sentences(thesaurus, "tm_III_1", [(c, names[c], "Đã tổ chức đại hội nhiệm kỳ 2023-2028 ngày 20/5/2023.")
                                                   for c in "ABCD"])
    assert [who(g, 10, names) for g in dated if len(g.units) > 1][0] == "(4/10 đơn vị)"
