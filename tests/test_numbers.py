"""Tests for reading figures typed as text in Vietnamese number conventions."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.intake.numbers import parse_vietnamese_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), ("  42 ", 42), ("\u00a042\t", 42), ("007", 7)],
)
def test_plain_digits_are_read_as_integers(text: str, expected: int) -> None:
    assert parse_vietnamese_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.250", 1250), ("1.234.567", 1234567), ("5.000.000", 5000000)],
)
def test_dot_groups_thousands(text: str, expected: int) -> None:
    assert parse_vietnamese_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1 250", 1250), ("1\u00a0250", 1250), ("1\u202f250", 1250), ("12 345 678", 12345678)],
)
def test_space_groups_thousands(text: str, expected: int) -> None:
    assert parse_vietnamese_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,5", 1.5), ("7.500.000,5", 7500000.5), ("1 250,75", 1250.75), ("0,25", 0.25)],
)
def test_comma_is_the_decimal_mark(text: str, expected: float) -> None:
    assert parse_vietnamese_number(text) == expected


def test_single_comma_group_is_a_decimal_not_english_grouping() -> None:
    assert parse_vietnamese_number("1,250") == 1.25


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5,000,000", 5000000), ("1,234,567", 1234567), ("5,000,000.25", 5000000.25)],
)
def test_two_or_more_comma_groups_are_english_grouping(text: str, expected: float) -> None:
    assert parse_vietnamese_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("1.5", 1.5), ("12.75", 12.75), ("1.2500", 1.25)])
def test_dot_not_followed_by_three_digits_is_an_english_decimal(text: str, expected: float) -> None:
    assert parse_vietnamese_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 người", 12),
        ("12người", 12),
        ("3 lượt", 3),
        ("2 buổi", 2),
        ("4 cuộc", 4),
        ("5.000.000 đ", 5000000),
        ("5.000.000đ", 5000000),
        ("5.000.000 đồng", 5000000),
        ("5.000.000 VNĐ", 5000000),
        ("5.000.000 vnd", 5000000),
        ("5.000.000\u00a0đ", 5000000),
        ("7 nhà", 7),
        ("9 đơn", 9),
        ("3 sáng kiến", 3),
        ("2 tập thể", 2),
        ("6 cái", 6),
        ("12 NGƯỜI", 12),
        ("2 Tập Thể", 2),
    ],
)
def test_trailing_unit_word_is_ignored(text: str, expected: int) -> None:
    assert parse_vietnamese_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("50%", 50), ("12,5 %", 12.5)])
def test_percent_sign_keeps_the_figure_as_typed(text: str, expected: float) -> None:
    assert parse_vietnamese_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("-3", -3), ("-1.250", -1250), ("-0,5", -0.5)])
def test_leading_minus_gives_a_negative_number(text: str, expected: float) -> None:
    assert parse_vietnamese_number(text) == expected


@pytest.mark.parametrize("text", ["5 triệu", "5 nghìn", "5 ngàn", "2 tỷ", "5 tr", "5k"])
def test_scale_words_are_rejected(text: str) -> None:
    assert parse_vietnamese_number(text) is None


@pytest.mark.parametrize("text", ["+5", "+1.250"])
def test_plus_sign_is_rejected(text: str) -> None:
    assert parse_vietnamese_number(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "khoảng 50",
        "mười",
        "50-60",
        "50/60",
        "abc",
        "",
        "   ",
        "12 người 5",
        "1..2",
        "N/A",
        "#N/A",
        "-",
        "--3",
        "- 3",
        ".5",
        "1,",
        "1.",
        "1,250.5",
        "12.34.56",
        "1 25",
        "12 đ đ",
        "5.000.000 đ/tháng",
        "người",
        "(3)",
        "\u0661\u0662",
    ],
)
def test_anything_else_is_not_a_number(text: str) -> None:
    assert parse_vietnamese_number(text) is None


@pytest.mark.parametrize(("text", "expected"), [("1,0", 1), ("7.500.000,00", 7500000), ("-0", 0)])
def test_whole_values_come_back_as_int(text: str, expected: int) -> None:
    value = parse_vietnamese_number(text)
    assert value == expected
    assert type(value) is int


def test_fractional_values_come_back_as_float() -> None:
    assert type(parse_vietnamese_number("1,5")) is float


def test_decomposed_unit_word_is_recognised() -> None:
    assert parse_vietnamese_number(unicodedata.normalize("NFD", "12 người")) == 12


def _dot_grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_dot_grouped_integers_read_back_exactly(n: int) -> None:
    assert parse_vietnamese_number(_dot_grouped(n)) == n


@given(
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["", " ", "\u00a0"]),
    st.sampled_from(["người", "đ", "VNĐ", "lượt", "sáng kiến"]),
)
def test_grouped_integers_with_units_read_back_exactly(n: int, gap: str, unit: str) -> None:
    assert parse_vietnamese_number(f"{_dot_grouped(n)}{gap}{unit}") == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_vietnamese_decimals_read_back_exactly(whole: int, hundredths: int) -> None:
    text = f"{_dot_grouped(whole)},{hundredths:02d}"
    assert parse_vietnamese_number(text) == pytest.approx(whole + hundredths / 100)
