"""Points as units type them (issue 24, point 1): a section's text pasted into one cell from Word or a PDF is
cut into its points, whatever its shape: run-on sentences, one per line, "- a - b - c" on one line, numbered
and lettered lists, hard-wrapped lines, headings, ";" lists; and what only looks like a marker stays whole."""
from __future__ import annotations

import textwrap
import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.narratives.split import split_sentences

KET_QUA = [
    "Tổ chức Hội nghị cán bộ, công chức, viên chức năm 2023 đúng quy định",
    "Thăm hỏi 25 đoàn viên ốm đau với tổng số tiền 12.500.000 đồng",
    "Kết nạp mới 12 đoàn viên, nâng tổng số đoàn viên lên 86 người",
    "Phối hợp với chuyên môn tổ chức Ngày hội văn hóa, thể thao chào mừng 20/11",
    "Giới thiệu 3 đoàn viên ưu tú để chi bộ xem xét kết nạp vào Đảng",
]


def test_run_on_sentences_are_cut_at_their_ends():
    text = ("Năm 2023, Công đoàn cơ sở Trường THPT Hàm Rồng có 86 đoàn viên, trong đó nữ 52 người. Ban Chấp hành "
            "đã phối hợp với chuyên môn tổ chức tốt Hội nghị cán bộ, công chức, viên chức! Công tác chăm lo được "
            "quan tâm? 100% đoàn viên được thăm hỏi khi ốm đau.")
    assert split_sentences(text) == [
        "Năm 2023, Công đoàn cơ sở Trường THPT Hàm Rồng có 86 đoàn viên, trong đó nữ 52 người.",
        "Ban Chấp hành đã phối hợp với chuyên môn tổ chức tốt Hội nghị cán bộ, công chức, viên chức!",
        "Công tác chăm lo được quan tâm?", "100% đoàn viên được thăm hỏi khi ốm đau."]


def test_one_point_per_line_with_or_without_a_full_stop():
    with_stops = "\n".join(f"{p}." for p in KET_QUA)
    assert split_sentences(with_stops) == [f"{p}." for p in KET_QUA]
    # typed one per line without a mark: lines of differing lengths starting with a capital are not a wrap
    assert split_sentences("\n".join(KET_QUA)) == KET_QUA


def test_dash_points_on_one_line_are_points():
    assert split_sentences("- " + " - ".join(KET_QUA[:3])) == KET_QUA[:3]
    # after a point's full stop any dash starts the next one
    assert split_sentences("Kết quả đạt được trong năm như sau. - Tổ chức hội thao. - thăm hỏi đoàn viên.") == [
        "Kết quả đạt được trong năm như sau.", "Tổ chức hội thao.", "thăm hỏi đoàn viên."]


def test_dash_points_with_semicolons_on_one_line_are_points():
    assert split_sentences("- " + "; - ".join(KET_QUA[:3]) + ".") == [
        f"{KET_QUA[0]};", f"{KET_QUA[1]};", f"{KET_QUA[2]}."]


def test_plus_lines_and_bullets_are_points():
    text = ("- Công tác chăm lo đời sống:\n+ Thăm hỏi 25 đoàn viên ốm đau;\n+ Hỗ trợ 4 đoàn viên có hoàn cảnh khó khăn;"
            "\n• Tặng quà 30 cháu là con đoàn viên đạt học sinh giỏi • Tổ chức cho đoàn viên tham quan Sầm Sơn")
    assert split_sentences(text) == [
        "Thăm hỏi 25 đoàn viên ốm đau;", "Hỗ trợ 4 đoàn viên có hoàn cảnh khó khăn;",
        "Tặng quà 30 cháu là con đoàn viên đạt học sinh giỏi", "Tổ chức cho đoàn viên tham quan Sầm Sơn"]


def test_numbered_points_on_one_line_run_in_sequence():
    text = ("1. Đề nghị Nhà nước sớm tăng lương cơ sở 2. Đề nghị nâng mức phụ cấp ưu đãi nghề cho giáo viên "
            "3. Đề nghị LĐLĐ tỉnh tăng mức hỗ trợ xây Mái ấm Công đoàn")
    assert split_sentences(text) == [
        "Đề nghị Nhà nước sớm tăng lương cơ sở", "Đề nghị nâng mức phụ cấp ưu đãi nghề cho giáo viên",
        "Đề nghị LĐLĐ tỉnh tăng mức hỗ trợ xây Mái ấm Công đoàn"]
    # a list may start after a colon, and in brackets
    assert split_sentences("Đơn vị đã đề xuất với lãnh đạo cơ quan hai nội dung: (1) Tăng kinh phí hoạt động "
                           "(2) Giảm bớt các loại báo cáo") == [
        "Đơn vị đã đề xuất với lãnh đạo cơ quan hai nội dung:", "Tăng kinh phí hoạt động", "Giảm bớt các loại báo cáo"]


def test_numbered_lines_are_points():
    assert split_sentences("1) Tổ chức hội thao chào mừng 8/3\n2) Tham gia hội diễn văn nghệ do CĐVC tỉnh tổ chức") == [
        "Tổ chức hội thao chào mừng 8/3", "Tham gia hội diễn văn nghệ do CĐVC tỉnh tổ chức"]


def test_lettered_points_on_one_line_run_in_sequence():
    text = ("a) Đề nghị tăng tỷ lệ kinh phí công đoàn để lại cho cơ sở; b) Đề nghị tập huấn nghiệp vụ cho cán bộ "
            "công đoàn mới; c) Đề nghị bố trí nhà ở công vụ cho giáo viên vùng cao; d) Đề nghị giảm bớt báo cáo; "
            "đ) Đề nghị cấp thẻ đoàn viên điện tử")
    assert split_sentences(text) == [
        "Đề nghị tăng tỷ lệ kinh phí công đoàn để lại cho cơ sở;", "Đề nghị tập huấn nghiệp vụ cho cán bộ công đoàn mới;",
        "Đề nghị bố trí nhà ở công vụ cho giáo viên vùng cao;", "Đề nghị giảm bớt báo cáo;",
        "Đề nghị cấp thẻ đoàn viên điện tử"]


def test_numbers_out_of_sequence_or_after_a_counted_word_are_not_markers():
    assert split_sentences("a) Chi thăm hỏi đúng quy định tại điểm b) khoản 1 Điều 5 Quy chế chi tiêu nội bộ") == [
        "Chi thăm hỏi đúng quy định tại điểm b) khoản 1 Điều 5 Quy chế chi tiêu nội bộ"]
    assert split_sentences("1. Thăm hỏi đoàn viên 3. Tặng quà cho các cháu") == [
        "Thăm hỏi đoàn viên 3.", "Tặng quà cho các cháu"]  # 3 does not follow 1: a sentence's end, its figure kept
    assert split_sentences("Năm nay có 3 tổ công đoàn 5. Tổ nào cũng sinh hoạt đều") == [
        "Năm nay có 3 tổ công đoàn 5.", "Tổ nào cũng sinh hoạt đều"]  # a sentence end, not a marker


def test_a_hard_wrapped_paragraph_is_one_point_per_sentence():
    sentences = [
        "Trong năm 2023, Ban Chấp hành Công đoàn cơ sở đã phối hợp với chuyên môn tổ chức tốt Hội nghị cán bộ, "
        "công chức, viên chức, ký kết thỏa ước lao động tập thể và thực hiện đầy đủ chế độ cho người lao động.",
        "Công đoàn đã thăm hỏi 25 đoàn viên ốm đau, hỗ trợ 4 đoàn viên có hoàn cảnh đặc biệt khó khăn với tổng "
        "số tiền 12.500.000 đồng.",
        "Đoàn viên công đoàn tích cực hưởng ứng phong trào thi đua “Giỏi việc nước, đảm việc nhà”."]
    wrapped = textwrap.fill(" ".join(sentences), width=70)
    assert len(wrapped.splitlines()) >= 5
    assert split_sentences(wrapped) == sentences
    # the case seen: a line ends with "công" and the next starts with "đoàn"
    text = ("Ban Chấp hành đã chỉ đạo các tổ công đoàn tổ chức cho đoàn viên học tập, quán triệt các nghị quyết của công\n"
            "đoàn cấp trên. Kết quả có 100% đoàn viên tham gia.")
    assert split_sentences(text) == [
        "Ban Chấp hành đã chỉ đạo các tổ công đoàn tổ chức cho đoàn viên học tập, quán triệt các nghị quyết của "
        "công đoàn cấp trên.", "Kết quả có 100% đoàn viên tham gia."]


def test_a_wrapped_point_keeps_its_continuation_and_the_next_point_apart():
    text = ("- Phối hợp với chuyên môn tổ chức Hội nghị cán bộ, công chức, viên chức năm 2023 và\n"
            "ký kết thỏa ước lao động tập thể\n"
            "- Tổ chức cho đoàn viên tham quan, nghỉ mát tại TP.\nSầm Sơn vào dịp hè")
    assert split_sentences(text) == [
        "Phối hợp với chuyên môn tổ chức Hội nghị cán bộ, công chức, viên chức năm 2023 và ký kết thỏa ước lao "
        "động tập thể", "Tổ chức cho đoàn viên tham quan, nghỉ mát tại TP. Sầm Sơn vào dịp hè"]


def test_a_word_cut_with_a_hyphen_at_a_line_end_is_joined_without_a_space():
    assert split_sentences("Đơn vị thực hiện tốt công tác phòng, chống dịch Covid-\n19 trong toàn cơ quan.") == [
        "Đơn vị thực hiện tốt công tác phòng, chống dịch Covid-19 trong toàn cơ quan."]


def test_heading_lines_are_not_points():
    text = ("V. KIẾN NGHỊ, ĐỀ XUẤT\n"
            "Kiến nghị:\n"
            "- Đề nghị Nhà nước sớm thực hiện cải cách tiền lương.\n"
            "* Tồn tại, hạn chế\n"
            "Một số đề xuất:\n"
            "1. Đề nghị LĐLĐ tỉnh tăng mức chi thăm hỏi đoàn viên ốm đau.\n"
            "IV. Phương hướng, nhiệm vụ năm 2024\n"
            "B. Nhiệm vụ trọng tâm\n"
            "Đề nghị cấp trên quan tâm hỗ trợ kinh phí.")
    assert split_sentences(text) == [
        "Đề nghị Nhà nước sớm thực hiện cải cách tiền lương.",
        "Đề nghị LĐLĐ tỉnh tăng mức chi thăm hỏi đoàn viên ốm đau.", "Đề nghị cấp trên quan tâm hỗ trợ kinh phí."]


def test_a_heading_before_points_on_its_line_is_left_out():
    assert split_sentences("Kiến nghị, đề xuất: - Tăng lương cơ sở - Tăng phụ cấp ưu đãi nghề") == [
        "Tăng lương cơ sở", "Tăng phụ cấp ưu đãi nghề"]


def test_a_short_line_before_a_capitalised_paragraph_is_not_joined_to_it():
    text = ("Kết quả nổi bật trong năm\nTrong năm, Công đoàn đã tổ chức 3 buổi tọa đàm về chế độ, chính sách\n"
            "Công tác phát triển đoàn viên đạt chỉ tiêu")
    assert split_sentences(text) == [
        "Kết quả nổi bật trong năm", "Trong năm, Công đoàn đã tổ chức 3 buổi tọa đàm về chế độ, chính sách",
        "Công tác phát triển đoàn viên đạt chỉ tiêu"]


@pytest.mark.parametrize("text", [
    "- Tổ chức kỷ niệm 95 năm Ngày thành lập Công đoàn Việt Nam (28/7/1929 - 28/7/2024) trang trọng, ý nghĩa.",
    "- Khen thưởng 56 cháu là con đoàn viên đạt thành tích cao trong năm học 2023 - 2024.",
    "- Đại hội Công đoàn cơ sở nhiệm kỳ 2023-2028 thành công tốt đẹp, bầu 7 đồng chí vào Ban Chấp hành.",
    "- Thực hiện tốt công tác phòng, chống dịch Covid-19 trong toàn cơ quan.",
    "- Công đoàn TP. Thanh Hóa có 1.250 đoàn viên, đạt 12,5% so với kế hoạch.",
    "- Đã tổ chức hội nghị tại Q. 1 và Q. Ba Đình cùng các hoạt động văn hóa, thể thao, v.v.",
    "- Phát động phong trào thi đua “Lao động giỏi - Lao động sáng tạo” trong toàn thể đoàn viên.",
    "- Phát động phong trào thi đua \"Lao động giỏi - Lao động sáng tạo\" trong toàn thể đoàn viên.",
    "- Chăm lo cho đoàn viên - người lao động có hoàn cảnh khó khăn nhân dịp Tết Nguyên đán.",
    "- Góp phần phát triển kinh tế - xã hội của địa phương, biên soạn tài liệu hỏi - đáp pháp luật.",
    "- Nhiều viên chức trẻ phải thuê trọ với chi phí 1,5 - 2 triệu đồng/tháng.",
    "- Tổ chức tập huấn nghiệp vụ (công tác tài chính - kế toán - Kiểm tra) cho cán bộ công đoàn.",
    "Đơn vị thực hiện đúng điểm a) khoản 1 Điều 5 của Quy chế chi tiêu nội bộ năm 2023.",
])
def test_what_only_looks_like_a_marker_stays_whole(text):
    assert split_sentences(text) == [text.removeprefix("- ")]


def test_clauses_separated_by_semicolons_are_points():
    text = ("Tổng số đoàn viên là 86 người, trong đó nữ 52 người; trong năm kết nạp mới 12 đoàn viên; "
            "có 3 đoàn viên chuyển công tác.")
    assert split_sentences(text) == [
        "Tổng số đoàn viên là 86 người, trong đó nữ 52 người;", "trong năm kết nạp mới 12 đoàn viên;",
        "có 3 đoàn viên chuyển công tác."]


def test_a_short_enumeration_with_semicolons_stays_whole():
    for text in ("Đoàn viên được chia theo giới tính: nam; nữ và theo độ tuổi.",
                 "Kết quả phân loại đoàn viên: xuất sắc 20 người; tốt 50 người; hoàn thành 16 người.",
                 "Mời TS. Lê Văn An báo cáo tại Q. Ba Đình; v.v.",
                 "Các khoản chi gồm (thăm hỏi ốm đau; hiếu hỷ; hỗ trợ khó khăn đột xuất cho đoàn viên) đều đúng quy định."):
        assert split_sentences(text) == [text]


def test_statements_after_a_semicolon_are_points_whatever_their_case():
    text = ("Tổng số đoàn viên là 94 người (68 nữ); trong năm kết nạp mới 4 đoàn viên, giảm 3 đoàn viên do nghỉ hưu. "
            "Giới thiệu 6 đoàn viên ưu tú cho cấp ủy Đảng xem xét; các đồng chí đang được chi bộ tiếp tục bồi dưỡng.")
    assert split_sentences(text) == [
        "Tổng số đoàn viên là 94 người (68 nữ);", "trong năm kết nạp mới 4 đoàn viên, giảm 3 đoàn viên do nghỉ hưu.",
        "Giới thiệu 6 đoàn viên ưu tú cho cấp ủy Đảng xem xét;", "các đồng chí đang được chi bộ tiếp tục bồi dưỡng."]
    # a capital after each ";" marks points
    assert split_sentences("Đề nghị tăng lương cơ sở cho viên chức; Đề nghị giảm bớt các loại báo cáo.") == [
        "Đề nghị tăng lương cơ sở cho viên chức;", "Đề nghị giảm bớt các loại báo cáo."]


def test_a_sentence_typed_in_capitals_is_no_heading():
    assert split_sentences("ĐỀ NGHỊ CẤP TRÊN QUAN TÂM HỖ TRỢ KINH PHÍ.") == ["ĐỀ NGHỊ CẤP TRÊN QUAN TÂM HỖ TRỢ KINH PHÍ."]


def test_points_are_nfc_with_spaces_collapsed_and_markers_removed():
    text = unicodedata.normalize("NFD", "-   Thăm hỏi  đoàn viên\tốm đau.\n\n  +  Tặng quà   cho các cháu thiếu nhi.  ")
    points = split_sentences(text)
    assert points == ["Thăm hỏi đoàn viên ốm đau.", "Tặng quà cho các cháu thiếu nhi."]
    assert all(unicodedata.is_normalized("NFC", p) for p in points)


def test_pieces_without_a_word_of_three_letters_are_dropped():
    assert split_sentences("- Tổ chức hội thao - Ok\n-\n+ 15\n1. Có.\n\n") == ["Tổ chức hội thao"]
    assert split_sentences("") == [] and split_sentences(None) == []  # type: ignore[arg-type]


# ---- every shape gives its points back ---------------------------------------------------------------------

_SYLLABLES = ("đoàn viên công chức lao động hội nghị thăm hỏi ốm đau tặng quà cháu thiếu nhi phong trào thi đua "
              "cơ sở chăm lo đời sống văn hóa thể thao kinh phí hỗ trợ tiền lương phụ cấp giáo viên bệnh viện "
              "người tham gia tích cực hoàn thành nhiệm vụ được phát động nữ trẻ tỉnh").split()
_CAPITALISED = ("Tổ Thăm Tặng Phối Hỗ Đoàn Ban Công Nhiều Toàn Đề Kết").split()

_point = st.builds(lambda first, rest: " ".join([first, *rest]),
                   st.sampled_from(_CAPITALISED), st.lists(st.sampled_from(_SYLLABLES), min_size=4, max_size=18))


def _numbered(points: list[str], style: str) -> str:
    letters = "abcdđeghiklmnopqrstuvxy"
    marks = {"1.": [f"{i}." for i in range(1, 31)], "1)": [f"{i})" for i in range(1, 31)],
             "(1)": [f"({i})" for i in range(1, 31)], "a)": [f"{c})" for c in letters]}[style]
    return " ".join(f"{mark} {p}" for mark, p in zip(marks, points))


_SHAPES = {
    "run-on": (lambda ps: " ".join(f"{p}." for p in ps), lambda ps: [f"{p}." for p in ps]),
    "lines": (lambda ps: "\n".join(f"{p}." for p in ps), lambda ps: [f"{p}." for p in ps]),
    "dash lines": (lambda ps: "\n".join(f"- {p}" for p in ps), lambda ps: ps),
    "plus lines": (lambda ps: "\n".join(f"+ {p};" for p in ps), lambda ps: [f"{p};" for p in ps]),
    "inline dashes": (lambda ps: "- " + " - ".join(ps), lambda ps: ps),
    "inline dashes and semicolons": (lambda ps: "- " + "; - ".join(ps), lambda ps: [f"{p};" for p in ps[:-1]] + ps[-1:]),
    "semicolons": (lambda ps: "; ".join(ps) + ".", lambda ps: [f"{p};" for p in ps[:-1]] + [f"{ps[-1]}."]),
    "inline 1.": (lambda ps: _numbered(ps, "1."), lambda ps: ps),
    "inline 1)": (lambda ps: _numbered(ps, "1)"), lambda ps: ps),
    "inline (1)": (lambda ps: _numbered(ps, "(1)"), lambda ps: ps),
    "inline a)": (lambda ps: _numbered(ps, "a)"), lambda ps: ps),
    "numbered lines": (lambda ps: "\n".join(f"{i}) {p}" for i, p in enumerate(ps, 1)), lambda ps: ps),
    "wrapped at 70": (lambda ps: textwrap.fill(" ".join(f"{p}." for p in ps), width=70), lambda ps: [f"{p}." for p in ps]),
    "wrapped at 45 after a heading": (lambda ps: "Kết quả đạt được:\n" + textwrap.fill(" ".join(f"{p}." for p in ps), 45),
                                      lambda ps: [f"{p}." for p in ps]),
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(_SHAPES)), st.lists(_point, min_size=1, max_size=12))
def test_every_shape_gives_its_points_back(shape, points):
    join, expected = _SHAPES[shape]
    assert split_sentences(join(points)) == expected(points)


# ---- linear time -------------------------------------------------------------------------------------------

def _seconds(text: str) -> float:
    start = time.perf_counter()
    split_sentences(text)
    return time.perf_counter() - start


@pytest.mark.parametrize("text", [
    "- " * 15_000,
    "- Tổ " * 6_000,
    "1. a " * 6_000,
    "“ - " * 7_500,
    "TP. " * 7_500,
    "a; " * 10_000,
    "Tổ chức hội nghị đoàn viên; " * 1_100,
    "(" * 30_000,
    "a" + " " * 30_000 + "b",
], ids=["dashes", "dash-words", "numbers", "quotes", "abbreviations", "semicolons", "semicolon-clauses",
        "brackets", "spaces"])
def test_a_30000_character_line_is_split_in_linear_time(text):
    assert _seconds(text) < 0.5


def test_a_30000_character_hard_wrapped_text_is_split_in_linear_time():
    sentences = ["Công đoàn cơ sở đã phối hợp với chuyên môn tổ chức tốt hội nghị cán bộ, công chức, viên chức",
                 "và ký kết thỏa ước lao động tập thể, thăm hỏi đoàn viên ốm đau, tặng quà các cháu thiếu nhi."]
    text = textwrap.fill(" ".join(sentences * 170), 70)
    assert len(text) >= 30_000
    assert _seconds(text) < 0.5
    assert len(split_sentences(text)) == 170
    text = textwrap.fill(" ".join(sentences[:1] * 330), 70)  # one sentence running on
    assert len(text) >= 30_000 and _seconds(text) < 0.5 and len(split_sentences(text)) == 1


def test_unwrapped_lines_join_what_a_pdf_wrapped_and_keep_what_the_unit_put_on_lines():
    """The annex prints a unit's text by unwrapped_lines: a sentence a PDF or a mail wrapped is one line again;
    list items, headings and a list typed one per line without marks stay lines of their own."""
    from pipeline.narratives.split import unwrapped_lines

    wrapped = ("Tính đến ngày 30/11/2023, đơn vị có 62 CBCCVCLĐ, trong\nđó nữ 46 người, lao động hợp đồng 7\n"
               "người. Tổng số đoàn viên là 60 người; phòng chống Covid-\n19 tốt.\n\nII. KẾT QUẢ ĐẠT ĐƯỢC\n"
               "- Tổ chức hội nghị cán bộ, công chức\n- Thăm hỏi đoàn viên ốm đau")
    assert unwrapped_lines(wrapped) == [
        "Tính đến ngày 30/11/2023, đơn vị có 62 CBCCVCLĐ, trong đó nữ 46 người, lao động hợp đồng 7 người. Tổng số "
        "đoàn viên là 60 người; phòng chống Covid-19 tốt.",
        "II. KẾT QUẢ ĐẠT ĐƯỢC", "- Tổ chức hội nghị cán bộ, công chức", "- Thăm hỏi đoàn viên ốm đau"]
    typed = "Kết quả nổi bật\nTrong năm, đơn vị tổ chức 3 hội nghị\nPhối hợp tốt với chuyên môn"
    assert unwrapped_lines(typed) == typed.split("\n")
    assert unwrapped_lines("") == [] and unwrapped_lines("  \n\n ") == []
    # only the wrap is undone: a line keeps its own characters
    assert unwrapped_lines("  Tổng số 10\u00a0000 đoàn viên,  trong\nđó nữ\t60%.  ") == [
        "Tổng số 10\u00a0000 đoàn viên,  trong đó nữ\t60%."]
