"""A long narrative section is seen whole: filled into the template, printed by LibreOffice, its last line lies
inside its cell, above the next section's heading (issue 25.6)."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass

import pytest

from pipeline.form import load_spec
from pipeline.template.build import build_template
from tests.filling import fill_template
from tests.requirements import soffice

FIELD, NEXT_SECTION = "tm_II_7", "II.8"  # the finance section and the heading printed under its cell
BOTTOM_MARGIN = 0.6 * 72  # points: styles.page_setup
# A real-looking section of about 2,000 characters, paragraphs ended by hard line ends as a unit types them.
SECTION = """Năm 2023, Ban Chấp hành Công đoàn cơ sở đã xây dựng dự toán thu, chi tài chính Công đoàn ngay từ đầu năm, trình Ban Thường vụ Công đoàn Viên chức tỉnh phê duyệt và công khai trước Hội nghị cán bộ, công chức, viên chức. Việc thu, chi được thực hiện đúng quy định của Tổng Liên đoàn về thu, chi, quản lý tài chính công đoàn cơ sở và Quy chế chi tiêu nội bộ của đơn vị.
Về thu: kinh phí công đoàn do cơ quan chuyển qua tài khoản của Công đoàn Viên chức tỉnh, phần được phân cấp cho cơ sở đã được cấp lại đầy đủ, kịp thời theo từng quý. Đoàn phí công đoàn thu hằng tháng qua bảng lương, đạt 100% kế hoạch; thu khác chủ yếu là lãi tiền gửi ngân hàng và khoản hỗ trợ của chuyên môn nhân dịp kỷ niệm Ngày thành lập ngành.
Về chi: ưu tiên chi trực tiếp chăm lo cho đoàn viên và người lao động, gồm thăm hỏi ốm đau, hiếu hỷ, hỗ trợ đoàn viên có hoàn cảnh khó khăn, tặng quà dịp Tết Nguyên đán, ngày 8/3, ngày 20/10 và khen thưởng con đoàn viên đạt thành tích cao trong học tập. Chi hoạt động phong trào, văn hóa, thể thao được thực hiện tiết kiệm, có chứng từ đầy đủ; chi phụ cấp cán bộ công đoàn đúng định mức quy định.
Công tác kế toán được thực hiện trên phần mềm kế toán công đoàn; sổ sách, chứng từ được lưu trữ đúng quy định. Báo cáo quyết toán năm 2022 và báo cáo tài chính sáu tháng đầu năm 2023 được nộp đúng hạn. Ủy ban Kiểm tra Công đoàn cơ sở đã kiểm tra việc thu, chi, quản lý tài chính, tài sản hai lần trong năm, không phát hiện sai phạm.
Tồn tại: việc lập dự toán ở một số nội dung chưa sát thực tế, còn phải điều chỉnh trong năm. Năm 2024, Công đoàn cơ sở tiếp tục quản lý chặt chẽ các nguồn thu, chi đúng mục đích và công khai tài chính định kỳ trước đoàn viên.
Đề nghị Công đoàn Viên chức tỉnh tiếp tục tổ chức tập huấn nghiệp vụ kế toán công đoàn cho cán bộ mới được bầu sau Đại hội, hướng dẫn sử dụng phần mềm kế toán phiên bản mới và cấp lại kinh phí phân cấp sớm hơn để đơn vị chủ động chăm lo cho đoàn viên dịp cuối năm. Đơn vị cam kết hoàn thành báo cáo quyết toán tài chính năm 2023 và nộp về Công đoàn Viên chức tỉnh đúng thời hạn quy định."""
LAST_SENTENCE = "Đơn vị cam kết hoàn thành báo cáo quyết toán tài chính năm 2023 và nộp về Công đoàn Viên chức tỉnh đúng thời hạn quy định."  # noqa: E501
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass(frozen=True)
class Word:
    page: int
    page_height: float
    top: float
    bottom: float
    text: str


def _pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:  # poppler-utils: CI does not install it (.ci/run), so the check is skipped there
        pytest.skip("pdftotext (poppler-utils) is not on this machine")
    return found


def _words(pdf) -> list[Word]:
    """Every word LibreOffice printed, in reading order, with its page and vertical extent in points."""
    bbox = subprocess.run([_pdftotext(), "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    words = []
    for number, page in enumerate(bbox.split("<page ")[1:], start=1):
        height = float(_PAGE.match("<page " + page).group(2))
        words += [Word(number, height, float(top), float(bottom), unicodedata.normalize("NFC", html.unescape(text)))
                  for _, top, _, bottom, text in _WORD.findall(page)]
    return words


def _find(words: list[Word], text: str, start: int = 0) -> list[Word]:
    """The printed words of `text`, in order, from the first place at or after `start` where they all are."""
    wanted = text.split()
    for i in range(start, len(words) - len(wanted) + 1):
        if [w.text for w in words[i:i + len(wanted)]] == wanted:
            return words[i:i + len(wanted)]
    return []


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The template with SECTION in FIELD, printed to PDF by LibreOffice; the spec and the PDF's words."""
    root = tmp_path_factory.mktemp("print")
    spec = load_spec()
    filled = fill_template(build_template(spec), {FIELD: SECTION}, root / "filled.xlsx")
    subprocess.run([soffice(), "--headless", f"-env:UserInstallation=file://{root}/profile", "--convert-to", "pdf",
                    "--outdir", str(root), str(filled)], check=True, capture_output=True, timeout=180)
    return spec, _words(root / "filled.pdf")


@pytest.mark.slow
def test_a_two_thousand_character_section_prints_whole_above_the_next_heading(printed):
    spec, words = printed
    assert len(SECTION) >= 2000 and SECTION.count("\n") >= 5 and SECTION.endswith(LAST_SENTENCE)
    first = _find(words, SECTION.split("\n")[0][:60].rsplit(" ", 1)[0])
    last = _find(words, LAST_SENTENCE)
    assert first and last, "the section's first or last sentence is missing from the print"
    assert last[-1].page == first[0].page  # one row never breaks across pages: what is cut is not printed
    # LibreOffice prints the text of a cell too short for it where it would stand, under the cell: the last word
    # must end above the next section's heading, or above the bottom margin when the heading starts a new page.
    heading = _find(words, spec.section_by_code[NEXT_SECTION].heading, start=words.index(first[0]))
    assert heading, "the next section's heading is missing from the print"
    end = last[-1]
    if heading[0].page == end.page:
        assert end.bottom <= heading[0].top, (end, heading[0])
    else:
        assert end.bottom <= end.page_height - BOTTOM_MARGIN, end
