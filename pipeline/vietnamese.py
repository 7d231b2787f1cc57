"""Numbers, percentages and dates written the Vietnamese way: 12.345 · 63,9% · 05/12/2023."""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re


def vn_number(value: float | int | None, decimals: int = 0) -> str:
    """1234567 -> "1.234.567"; 63.94 with decimals=1 -> "63,9"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_amount(value: float) -> str:
    """An amount of đồng as reports write it in prose: "11.228.498" is "khoảng 11,2 triệu", 4.490.500.000 is
    "khoảng 4,5 tỷ", 380.000.000 is "380 triệu"; below a million, exact. The tables keep the exact figure."""
    for size, word in ((1e9, "tỷ"), (1e6, "triệu")):
        if abs(value) >= size:
            rounded = round(value / size, 1)
            shown = vn_number(rounded, 0 if float(rounded).is_integer() else 1)
            return f"{shown} {word}" if rounded * size == value else f"khoảng {shown} {word}"
    return vn_number(value)


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


_TYPED_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})\s*$")
_TYPED_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_vn_date(text: str) -> dt.date:
    """A date as staff type it: 11/12/2023, 11-12-2023, 11.12.2023, 11/12/23 or 2023-12-11. A ValueError says
    in Vietnamese what is wrong, naming a day that does not exist (31/11/2023)."""
    match = _TYPED_DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        year += 2000 if len(match.group(3)) == 2 else 0
    elif match := _TYPED_ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(f"'{text}' không phải một ngày. Ghi ngày/tháng/năm, ví dụ 11/12/2023.")
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}': không có tháng {month}. Ghi ngày/tháng/năm, ví dụ 11/12/2023.")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"'{text}': ngày {day}/{month}/{year} không có (tháng {month} năm {year} chỉ có {last} ngày).")
    return dt.date(year, month, day)
