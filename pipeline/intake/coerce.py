"""Turn a cell's raw value into the field's type: Vietnamese number texts, legacy encodings, dates, choices."""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from pipeline.form import FieldSpec
from pipeline.intake.legacy_encoding import convert_legacy, normalize_text
from pipeline.intake.numbers import parse_vietnamese_number
from pipeline.vietnamese import vn_value

_EXCEL_EPOCH = dt.date(1899, 12, 30)
TEXT_LIMIT = 32767  # what one Excel cell holds
_DATE_TEXT = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_UNICODE_VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
_ENCODING_NAMES = {"tcvn3": "TCVN3 (ABC, phông .VnTime)", "vni": "VNI (phông VNI-Times)"}


@dataclass(frozen=True)
class Finding:
    """What coercion noticed about one value: a catalogue code and the parameters of its message."""

    code: str
    params: dict[str, str] = dataclass_field(default_factory=dict)


def coerce(field: FieldSpec, raw: Any, legacy: str | None = None) -> tuple[Any, list[Finding]]:
    """The typed value (None for blank) and what was noticed on the way.

    `legacy` is the encoding detected over all texts of the file: a short cell ("ViÖt Nam") alone is too
    little evidence, the whole file is enough.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, []
    if field.is_numeric:
        if type(raw) is float and raw.is_integer():  # the common case, typed into a number cell: no checks owed
            return int(raw), []
        return _number(field, raw)
    if field.kind == "date":
        return _date(raw)
    # Answers come from drop-downs, always in Unicode: only typed texts may be in a legacy encoding.
    text, findings = _text(raw, legacy if field.kind in ("text", "narrative") else None)
    if field.options:
        text = _canonical_option(text, field.options)
    return text, findings


def _number(field: FieldSpec, raw: Any) -> tuple[Any, list[Finding]]:
    findings: list[Finding] = []
    if isinstance(raw, (bool, dt.date, dt.datetime, dt.time, dt.timedelta)):
        return None, [Finding("not-a-number", {"what": f"đã ghi “{vn_value(raw)}”"})]
    if isinstance(raw, str):
        text, _ = normalize_text(raw)
        number = parse_vietnamese_number(text)
        if number is None:
            return None, [Finding("not-a-number", {"what": f"đã ghi “{text.strip()}”"})]
        findings.append(Finding("number-as-text", {"text": text.strip(), "number": vn_value(number)}))
        raw = number
    value = float(raw)
    if math.isnan(value) or math.isinf(value):
        return None, [Finding("not-a-number", {"what": "ô không chứa giá trị đọc được"})]
    if not value.is_integer():
        return value, findings + [Finding("not-whole-number", {"number": vn_value(value), "unit": field.unit or "liệu"})]
    return int(value), findings


def _date(raw: Any) -> tuple[Any, list[Finding]]:
    if isinstance(raw, dt.datetime):
        return raw.date(), []
    if isinstance(raw, dt.date):
        return raw, []
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(raw)), []
    text = str(raw).strip()
    match = _DATE_TEXT.match(text)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if not parts and (iso := _ISO_DATE.match(text)):
        parts = iso.groups()
    if parts:
        try:
            value = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            return value, [Finding("date-as-text", {"text": text, "date": vn_value(value)})]
        except ValueError:
            pass
    return None, [Finding("not-a-date", {"text": text})]


def _text(raw: Any, legacy: str | None) -> tuple[str, list[Finding]]:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, (dt.date, dt.datetime)):
        return vn_value(raw), []
    text, encoding = normalize_text(str(raw))
    findings = []
    if len(text) >= TEXT_LIMIT:  # measured before stripping: a cut may fall on a space
        findings.append(Finding("too-long"))
    if encoding is None and legacy and not is_unicode_vietnamese(text):
        converted = unicodedata.normalize("NFC", convert_legacy(text, legacy))
        encoding = legacy if converted != text else None
        text = converted
    text = text.strip()
    if encoding:
        findings.append(Finding("legacy-encoding", {"encoding": _ENCODING_NAMES.get(encoding, encoding)}))
    return text, findings


def is_unicode_vietnamese(text: str) -> bool:
    """Letters that exist only in Unicode Vietnamese: such a text is not in a legacy encoding."""
    return _UNICODE_VIETNAMESE.search(text) is not None


def _canonical_option(text: str, options: tuple[str, ...]) -> str:
    """"co", " CÓ " and "Có" are the same answer; anything else is left for validation to refuse."""
    key = _fold(text)
    for option in options:
        if _fold(option) == key:
            return option
    day = _day(text)  # a period such as "31/5/2024", picked from the list but stored by Excel as a date
    return next((option for option in options if day is not None and _day(option) == day), text)


def _day(text: str) -> tuple[int, int, int] | None:
    match = _DATE_TEXT.match(text)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def _fold(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").lower().split())
