"""Numbers, percentages and dates written the Vietnamese way: 12.345 · 63,9% · 05/12/2023."""
from __future__ import annotations

import datetime as dt
import math


def vn_number(value: float | int | None, decimals: int = 0) -> str:
    """1234567 -> "1.234.567"; 63.94 with decimals=1 -> "63,9"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_percent(part: float, whole: float, decimals: int = 1) -> str:
    if not whole:
        return "—"
    return f"{vn_number(100 * part / whole, decimals)}%"


def vn_date(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def vn_datetime(value: dt.datetime | None) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else ""


def vn_value(value) -> str:
    """Any field value as a Vietnamese reader expects to see it in a message."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return vn_date(value)
    if isinstance(value, float) and value.is_integer():
        return vn_number(int(value))
    if isinstance(value, (int, float)):
        return vn_number(value, 0 if isinstance(value, int) else 2)
    return str(value)


def lower_first(text: str) -> str:
    """A label inside a sentence: "Tổng số CBCCVCLĐ" -> "tổng số CBCCVCLĐ"; one opening with an acronym stays."""
    return text[:1].lower() + text[1:] if text[:2] not in ("ĐV", "CĐ", "CB") else text


def upper_first(text: str) -> str:
    """A label standing alone, as a cell: "tệp hỏng" -> "Tệp hỏng"."""
    return text[:1].upper() + text[1:]
