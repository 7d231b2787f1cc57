"""Tests for recognising and converting TCVN3 and VNI text into Unicode."""
from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.intake.legacy_encoding import (
    convert_legacy,
    detect_legacy_encoding,
    encode_legacy,
    normalize_text,
)

# Written out by hand, not produced by encode_legacy, so the tables are checked independently.
TCVN3_LITERALS = [
    ("C«ng ®oµn", "Công đoàn"),
    ("§oµn viªn", "Đoàn viên"),
    ("ViÖt Nam", "Việt Nam"),
    ("Tæng Liªn ®oµn Lao ®éng ViÖt Nam", "Tổng Liên đoàn Lao động Việt Nam"),
    ("C«ng ®oµn c¬ së", "Công đoàn cơ sở"),
    ("Ng\xadêi lao ®éng", "Người lao động"),
    ("Hµ Néi", "Hà Nội"),
    ("Thµnh phè Hå ChÝ Minh", "Thành phố Hồ Chí Minh"),
    ("Ban chÊp hµnh", "Ban chấp hành"),
    ("B¸o c¸o tæng kÕt n¨m", "Báo cáo tổng kết năm"),
    ("§¹i héi", "Đại hội"),
    ("Sè l\xadîng", "Số lượng"),
    ("Chñ tÞch", "Chủ tịch"),
    ("nghÜa vô", "nghĩa vụ"),
]
VNI_LITERALS = [
    ("Coâng ñoaøn", "Công đoàn"),
    ("Vieät Nam", "Việt Nam"),
    ("Ñoaøn vieân", "Đoàn viên"),
    ("Toång Lieân ñoaøn Lao ñoäng Vieät Nam", "Tổng Liên đoàn Lao động Việt Nam"),
    ("Coâng ñoaøn cô sôû", "Công đoàn cơ sở"),
    ("Ngöôøi lao ñoäng", "Người lao động"),
    ("Thaønh phoá Hoà Chí Minh", "Thành phố Hồ Chí Minh"),
    ("Ñaïi hoäi", "Đại hội"),
    ("Soá löôïng", "Số lượng"),
    ("nghóa vuï", "nghĩa vụ"),
    ("Thaéng", "Thắng"),
    ("Naêm", "Năm"),
    ("COÂNG ÑOAØN VIEÄT NAM", "CÔNG ĐOÀN VIỆT NAM"),
]

# Real phrases from union reports, each long enough to identify its encoding on its own.
# Title-case capitals with tones other than Ă Â Ê Ô Ơ Ư Đ are left out: TCVN3 cannot hold them.
PHRASES = [
    "Công đoàn Việt Nam",
    "Tổng Liên đoàn Lao động Việt Nam",
    "Công đoàn cơ sở",
    "Ban chấp hành công đoàn",
    "Đoàn viên công đoàn",
    "Người lao động",
    "Báo cáo tổng kết năm",
    "Số lượng đoàn viên kết nạp mới",
    "Đại hội công đoàn cơ sở nhiệm kỳ",
    "Hà Nội",
    "Chủ tịch công đoàn",
    "Phó chủ tịch",
    "Nữ công",
    "Thỏa ước lao động tập thể",
    "Hội nghị người lao động",
    "Sáng kiến cải tiến kỹ thuật",
    "Mái ấm công đoàn",
    "Tháng công nhân",
    "Đối thoại tại nơi làm việc",
    "Tranh chấp lao động",
    "Đình công",
    "Bảo hiểm xã hội",
    "Tiền lương bình quân",
    "Quỹ xã hội",
    "Khen thưởng tập thể xuất sắc",
    "Điều kiện làm việc an toàn",
    "Phụ nữ và trẻ em",
    "Âm nhạc",
    "Êm đềm",
    "Ông bà",
    "Xây dựng tổ chức công đoàn vững mạnh",
    "Chăm lo đời sống",
    "Trường học",
    "Bệnh viện",
    "CÔNG ĐOÀN VIỆT NAM",
    "ĐOÀN VIÊN",
    "NGƯỜI LAO ĐỘNG",
]

# Unicode Vietnamese that uses only Latin-1 letters, so nothing but syllable shape tells it apart.
LATIN1_ONLY_VIETNAMESE = ["Tô Hoài", "Cà Mau", "Bà Ná", "Hà Tiên", "Tây Ninh", "Cô Tô", "TÔ HOÀI", "Hoà Bình"]

FOREIGN = [
    "Hello world",
    "Report 2024 (final).xlsx",
    "café où l'été où",
    "Là où il est, où il va, où il sera",
    "crème brûlée à la française",
    "Müller Größe Änderung über",
    "señor año niño ESPAÑA",
    "São Paulo não",
    "naïve Noël Israël",
    "5 µm × 3 µm",
    "«Bonjour» dit-il",
    "Microsoft® Excel©",
]

ENCODINGS = ["tcvn3", "vni"]


@pytest.mark.parametrize(("legacy", "unicode"), TCVN3_LITERALS)
def test_tcvn3_converts_to_unicode(legacy: str, unicode: str) -> None:
    assert convert_legacy(legacy, "tcvn3") == unicode


@pytest.mark.parametrize(("legacy", "unicode"), VNI_LITERALS)
def test_vni_converts_to_unicode(legacy: str, unicode: str) -> None:
    assert convert_legacy(legacy, "vni") == unicode


@pytest.mark.parametrize(("legacy", "unicode"), TCVN3_LITERALS)
def test_encoder_reproduces_hand_written_tcvn3(legacy: str, unicode: str) -> None:
    assert encode_legacy(unicode, "tcvn3") == legacy


@pytest.mark.parametrize(("legacy", "unicode"), VNI_LITERALS)
def test_encoder_reproduces_hand_written_vni(legacy: str, unicode: str) -> None:
    assert encode_legacy(unicode, "vni") == legacy


@pytest.mark.parametrize(
    ("legacy", "encoding"),
    [
        ("C«ng ®oµn", "tcvn3"),
        ("§oµn viªn", "tcvn3"),
        ("Tæng Liªn ®oµn Lao ®éng ViÖt Nam", "tcvn3"),
        ("Ng\xadêi lao ®éng", "tcvn3"),
        ("Coâng ñoaøn", "vni"),
        ("Ñoaøn vieân", "vni"),
        ("Toång Lieân ñoaøn Lao ñoäng Vieät Nam", "vni"),
        ("Ngöôøi lao ñoäng", "vni"),
    ],
)
def test_hand_written_legacy_text_is_detected(legacy: str, encoding: str) -> None:
    assert detect_legacy_encoding(legacy) == encoding


@pytest.mark.parametrize("legacy", ["ViÖt Nam", "Vieät Nam", "Naêm"])
def test_one_converted_letter_is_not_enough_evidence(legacy: str) -> None:
    assert detect_legacy_encoding(legacy) is None


def _every_letter() -> list[str]:
    bases = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    lower = [unicodedata.normalize("NFC", b + t) for b in bases for t in tones] + ["đ"]
    return lower + [letter.upper() for letter in lower]


@pytest.mark.parametrize("letter", _every_letter())
def test_vni_round_trips_every_vietnamese_letter(letter: str) -> None:
    assert convert_legacy(encode_legacy(letter, "vni"), "vni") == letter


@pytest.mark.parametrize("letter", [c for c in _every_letter() if c.islower()] + list("ĂÂÊÔƠƯĐ"))
def test_tcvn3_round_trips_every_letter_it_can_hold(letter: str) -> None:
    assert convert_legacy(encode_legacy(letter, "tcvn3"), "tcvn3") == letter


def test_tcvn3_codes_are_single_latin1_characters() -> None:
    encoded = encode_legacy("".join(_every_letter()), "tcvn3")
    assert all(ord(c) <= 0xFF for c in encoded)
    assert len(encoded) == len(_every_letter())


def test_tcvn3_capital_with_tone_comes_back_lowercase_in_title_case() -> None:
    assert convert_legacy(encode_legacy("Ủy ban", "tcvn3"), "tcvn3") == "ủy ban"


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [("C¤NG §OµN VIÖT NAM", "CÔNG ĐOÀN VIỆT NAM"), ("NG¦êI LAO §éNG", "NGƯỜI LAO ĐỘNG"), ("ñY BAN", "ỦY BAN")],
)
def test_tcvn3_word_typed_in_capitals_is_upper_cased(legacy: str, unicode: str) -> None:
    assert convert_legacy(legacy, "tcvn3") == unicode


@pytest.mark.parametrize(("legacy", "unicode"), [("Tõ", "Từ"), ("§Ó", "Để"), ("NguyÔn", "Nguyễn")])
def test_tcvn3_title_case_word_keeps_its_lowercase_letters(legacy: str, unicode: str) -> None:
    assert convert_legacy(legacy, "tcvn3") == unicode


@pytest.mark.parametrize(("legacy", "unicode"), [("VIEäT", "VIỆT"), ("Coâng", "Công"), ("CoÂng", "Công")])
def test_vni_mark_case_need_not_match_its_base_letter(legacy: str, unicode: str) -> None:
    assert convert_legacy(legacy, "vni") == unicode


@pytest.mark.parametrize(
    ("legacy", "encoding", "unicode"),
    [
        ("Tæng sè: 1.250 ng\xadêi (2024)", "tcvn3", "Tổng số: 1.250 người (2024)"),
        ("Toång soá: 1.250 ngöôøi (2024)", "vni", "Tổng số: 1.250 người (2024)"),
    ],
)
def test_characters_outside_the_encoding_pass_through(legacy: str, encoding: str, unicode: str) -> None:
    assert convert_legacy(legacy, encoding) == unicode  # type: ignore[arg-type]


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError):
        convert_legacy("abc", "viqr")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [*PHRASES, "Đoàn viên ưu tú", "Ủy ban kiểm tra"])
def test_unicode_vietnamese_is_not_detected(text: str) -> None:
    assert detect_legacy_encoding(text) is None


@pytest.mark.parametrize("text", LATIN1_ONLY_VIETNAMESE)
def test_unicode_vietnamese_in_latin1_letters_is_not_detected(text: str) -> None:
    assert detect_legacy_encoding(text) is None


@pytest.mark.parametrize("text", FOREIGN)
def test_english_and_european_text_is_not_detected(text: str) -> None:
    assert detect_legacy_encoding(text) is None


def test_text_holding_any_unicode_only_letter_is_not_detected() -> None:
    assert detect_legacy_encoding("Việt C«ng ®oµn") is None


def test_normalize_text_composes_decomposed_unicode() -> None:
    assert normalize_text("Vie\u0302\u0323t Nam") == ("Việt Nam", None)


def test_normalize_text_converts_legacy_and_names_the_encoding() -> None:
    assert normalize_text("C«ng ®oµn c¬ së") == ("Công đoàn cơ sở", "tcvn3")
    assert normalize_text("Coâng ñoaøn cô sôû") == ("Công đoàn cơ sở", "vni")


sentences = st.lists(st.sampled_from(PHRASES), min_size=1, max_size=4).map(", ".join)


@given(sentences, st.sampled_from(ENCODINGS))
def test_legacy_round_trip_and_detection(sentence: str, encoding: str) -> None:
    legacy = encode_legacy(sentence, encoding)  # type: ignore[arg-type]
    assert convert_legacy(legacy, encoding) == sentence  # type: ignore[arg-type]
    assert detect_legacy_encoding(legacy) == encoding
    assert normalize_text(legacy) == (sentence, encoding)


@given(sentences, st.sampled_from(["NFC", "NFD"]))
def test_unicode_sentences_are_never_detected(sentence: str, form: str) -> None:
    text = unicodedata.normalize(form, sentence)  # type: ignore[arg-type]
    assert detect_legacy_encoding(text) is None
    assert normalize_text(text) == (sentence, None)


@given(st.text(alphabet=string.printable))
def test_ascii_text_is_never_detected(text: str) -> None:
    assert detect_legacy_encoding(text) is None
    assert normalize_text(text) == (text, None)
