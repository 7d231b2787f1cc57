"""The draft's points never claim what units did not say: no counted point carries one unit's figure, date or
name; points that restate the form's figures or copy the guidance are not drafted; a point two themes claim
equally stands alone; requests to the office itself are not forwarded; equipment is the State's to give."""
from __future__ import annotations

import re

import pytest

from pipeline.form import load_spec
from pipeline.narratives import draft
from pipeline.narratives.addressee import OFFICE, STATE, UNION, addressee
from pipeline.narratives.themes import Theme, Thesaurus, group_sentences, thesaurus_for

NAMES = {c: f"Trường THPT {c}" for c in "ABCDEFGH"}


@pytest.fixture(scope="module")
def thesaurus():
    return thesaurus_for(load_spec())


def _groups(thesaurus, field, texts):
    return group_sentences(thesaurus, field, [(code, NAMES[code], text) for code, text in texts])


def test_a_point_restating_the_forms_figures_is_never_drafted(thesaurus):
    groups = _groups(thesaurus, "tm_I", [("A", "Tổng số đoàn viên là 49 người (38 nữ)."),
                                         ("B", "Tổng số đoàn viên là 120 người (80 nữ)."),
                                         ("C", "Tổng số đoàn viên là 900 người (512 nữ).")])
    assert draft.points(groups, 10, NAMES, thesaurus) == []


def test_a_congress_held_on_each_units_own_day_is_not_drafted_with_one_day(thesaurus):
    groups = _groups(thesaurus, "tm_II_5", [(c, f"Đã tổ chức thành công Đại hội CĐCS nhiệm kỳ 2023–2028 vào ngày {d}/5/2023.")
                                            for c, d in zip("ABCD", (20, 23, 23, 27), strict=True)])
    assert not any(re.search(r"[0-9]{1,2}/5/2023", line) for line in draft.points(groups, 10, NAMES, thesaurus))


def test_a_group_alike_but_for_figures_is_drafted_with_their_range(thesaurus):
    groups = _groups(thesaurus, "tm_III_1", [("A", "Khu nhà số 3 xuống cấp sau 12 năm sử dụng."),
                                             ("B", "Khu nhà số 5 xuống cấp sau 20 năm sử dụng."),
                                             ("C", "Khu nhà số 4 xuống cấp sau 12 năm sử dụng."),
                                             ("D", "Khu nhà số 3 xuống cấp sau 15 năm sử dụng.")])
    [line] = draft.points(groups, 10, NAMES, thesaurus)
    assert line == "Khu nhà số từ 3 đến 5 xuống cấp sau từ 12 đến 20 năm sử dụng (4/10 đơn vị)"


def test_figures_every_unit_shares_stay_and_a_sentence_naming_its_unit_is_not_the_groups(thesaurus):
    texts = [("A", "Tuyên truyền Nghị quyết số 58-NQ/TW của Bộ Chính trị tới toàn thể đoàn viên."),
             ("B", "Tuyên truyền Nghị quyết số 58-NQ/TW của Bộ Chính trị tới toàn thể đoàn viên."),
             ("C", "Tuyên truyền Nghị quyết số 58-NQ/TW của Bộ Chính trị tới toàn thể đoàn viên."),
             ("D", "Tuyên truyền Nghị quyết số 58-NQ/TW của Bộ Chính trị tới toàn thể đoàn viên.")]
    [line] = draft.points(_groups(thesaurus, "tm_II_2", texts), 10, NAMES, thesaurus)
    assert "58-NQ/TW" in line and line.endswith("(4/10 đơn vị)")
    theme = Theme("t", "Chủ đề chung", ("phòng học", "xuống cấp"))  # two phrases: evidence enough for a theme
    named = group_sentences(Thesaurus((theme,)), "tm_III_1", [
        ("A", NAMES["A"], "Phòng học của Trường THPT A xuống cấp."), ("B", NAMES["B"], "Phòng học xuống cấp nặng.")])
    assert draft.wording(named[0], NAMES) == "Phòng học xuống cấp nặng."


def test_a_theme_group_whose_every_sentence_has_its_own_figure_is_drafted_by_the_themes_label(thesaurus):
    theme = Theme("t", "Cơ sở vật chất xuống cấp", ("bị xuống cấp",))
    groups = group_sentences(Thesaurus((theme,)), "tm_III_1", [
        ("A", NAMES["A"], "Có 3 phòng học bị xuống cấp."), ("B", NAMES["B"], "Nhà đa năng bị xuống cấp sau 20 năm.")])
    assert draft.wording(groups[0], NAMES) == "Cơ sở vật chất xuống cấp"


def test_openings_copied_from_the_guidance_are_no_finding(thesaurus):
    texts = [(c, "Thực hiện Hướng dẫn số 148/HD-CĐVC ngày 09/11/2023 của CĐVC tỉnh, CĐCS báo cáo như sau:")
             for c in "ABCDE"]
    assert draft.points(_groups(thesaurus, "tm_I", texts), 10, NAMES, thesaurus) == []
    assert thesaurus.kind_of("CĐCS tự đánh giá, xếp loại hoàn thành xuất sắc nhiệm vụ.") == "restates"
    assert thesaurus.kind_of("Tổ chức tốt Hội nghị CBCCVC năm 2023.") == "finding"  # a year is no unit's figure


def test_a_point_two_themes_claim_equally_stands_alone():
    one = Theme("a", "Tài chính hạn hẹp", ("kinh phí", "hạn chế"))
    two = Theme("b", "Giá cả tăng", ("giá cả", "tăng cao"))
    thesaurus = Thesaurus((one, two))
    assert thesaurus.theme_of("Kinh phí hạn chế trong khi giá cả tăng cao.", "tm_III_2") is None
    assert thesaurus.theme_of("Kinh phí hoạt động còn hạn chế.", "tm_III_2") is one


def test_one_short_phrase_is_too_little_evidence_for_a_theme():
    theme = Theme("t", "Chăm lo Tết", ("tết",))
    assert Thesaurus((theme,)).theme_of("Tổ chức gặp mặt đầu xuân, tặng quà Tết cho đoàn viên.", "tm_II_1") is None
    more = Theme("u", "Chăm lo Tết", ("quà tết", "tết"))  # a phrase of two syllables and one of one: enough
    assert Thesaurus((more,)).theme_of("Tổ chức gặp mặt đầu xuân, tặng quà Tết cho đoàn viên.", "tm_II_1") is more


@pytest.mark.parametrize("text, expected", [
    ("Đề nghị CĐVC tỉnh tiếp tục mở lớp tập huấn nghiệp vụ cho cán bộ công đoàn.", OFFICE),
    ("Đề nghị Công đoàn Viên chức tỉnh kiến nghị với UBND tỉnh tăng phụ cấp cho giáo viên.", STATE),
    ("Đề nghị cấp trên quan tâm đầu tư cơ sở vật chất, thiết bị dạy học cho nhà trường.", STATE),
    ("Đề nghị LĐLĐ tỉnh nâng mức hỗ trợ xây Mái ấm Công đoàn.", UNION),
])
def test_who_a_request_is_for(thesaurus, text, expected):
    assert addressee(text, None, thesaurus.office) == expected


def test_requests_to_the_office_itself_are_not_in_section_five(thesaurus):
    texts = [(c, "Đề nghị CĐVC tỉnh tiếp tục mở lớp tập huấn nghiệp vụ tài chính cho cán bộ công đoàn cơ sở.")
             for c in "ABCD"]
    assert draft.by_addressee(_groups(thesaurus, "tm_V", texts), 10, NAMES, thesaurus) == []


def test_a_point_does_not_open_with_a_link_to_a_sentence_it_no_longer_follows():
    from pipeline.narratives.draft import _sentence

    assert _sentence("Tuy nhiên, giá cả sinh hoạt tăng cao.") == "Giá cả sinh hoạt tăng cao"
    assert _sentence("Bên cạnh đó , đoàn viên tích cực tham gia") == "Đoàn viên tích cực tham gia"
    assert _sentence("Tuy nhiên giá cả tăng") == "Tuy nhiên giá cả tăng"  # no comma: part of the sentence
