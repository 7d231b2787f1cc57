"""Turn a figure that a unit typed as text, in Vietnamese number conventions, into an exact number."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

# Counting nouns and currency that may trail a figure without changing its value.
# "%" keeps the figure as typed ("50%" -> 50): a percentage cell holds the number a
# person reads, not a fraction. Scale words (triệu, nghìn, ngàn, tỷ) are deliberately
# absent: "5 triệu" is rounded speech, not the exact figure a report asks for.
_UNITS = (
    "người", "lượt", "buổi", "cuộc", "đồng", "đ", "vnđ", "vnd",
    "nhà", "đơn", "sáng kiến", "tập thể", "cái", "%",
)
_TRAILING_UNIT = re.compile(
    r"\s*(?:" + "|".join(r"\s+".join(map(re.escape, unit.split())) for unit in _UNITS) + r")$",
    re.IGNORECASE,
)

# Spaces that Excel and Word users end up with between digit groups.
_GROUP_SPACE = "[ \u00a0\u202f\u2009]"

# Each pattern must match the whole figure: (integer part, optional fraction digits).
_FORMS = (
    # Vietnamese: "." or a space groups thousands, "," is the decimal mark. A single
    # comma is therefore always the decimal mark, even in "1,250" (-> 1.25): reading it
    # as English grouping would silently multiply a Vietnamese decimal by 1000, whereas
    # a stray fraction in a whole-number field is caught by that field's own checks.
    re.compile(rf"([0-9]{{1,3}}(?:\.[0-9]{{3}})+|[0-9]{{1,3}}(?:{_GROUP_SPACE}[0-9]{{3}})+|[0-9]+)(?:,([0-9]+))?"),
    # English grouping only where it cannot be a Vietnamese decimal: two or more comma
    # groups of exactly three digits ("5,000,000").
    re.compile(r"([0-9]{1,3}(?:,[0-9]{3}){2,})(?:\.([0-9]+))?"),
    # A lone dot not followed by exactly three digits cannot be grouping, so it is an
    # English decimal point ("1.5").
    re.compile(r"([0-9]+)\.([0-9]{1,2}|[0-9]{4,})"),
)


def parse_vietnamese_number(text: str) -> int | float | None:
    """The number `text` unambiguously spells, or None; int when whole, float otherwise."""
    figure = unicodedata.normalize("NFC", text).strip()
    figure = _TRAILING_UNIT.sub("", figure, count=1)
    # Only "-" is a sign: a leading "+" reads like the start of an Excel formula.
    negative = figure.startswith("-")
    if negative:
        figure = figure[1:]
    for form in _FORMS:
        match = form.fullmatch(figure)
        if match:
            whole = re.sub(r"[^0-9]", "", match.group(1))
            value = Decimal(f"{whole}.{match.group(2) or '0'}")
            value = -value if negative else value
            return int(value) if value == value.to_integral_value() else float(value)
    return None
