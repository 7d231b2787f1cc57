"""Province figures written into Vietnamese sentences for the draft report: pure text, no files."""
from __future__ import annotations

import math

import pandas as pd

from pipeline.merge import Consolidation, totals_frame
from pipeline.form import FormSpec
from pipeline.vietnamese import lower_first, vn_number, vn_percent


def section_sentences(spec: FormSpec, data: Consolidation, section: str) -> str:
    """The spec's own sentences for a section, with the province figures written in; "" when it has none."""
    frame = totals_frame(data.totals)
    texts = []
    for sentence in spec.sentences_in(section):
        if sentence.when is not None and not bool(sentence.when.evaluate(frame).fillna(False).iloc[0]):
            continue
        texts.append("".join(text + (_written(expression, percent, frame) if expression else "")
                             for text, expression, percent in sentence.parts))
    return " ".join(texts)


def _written(expression, percent: bool, frame: pd.DataFrame) -> str:
    value = float(expression.evaluate(frame).iloc[0])
    if math.isnan(value) or math.isinf(value):
        return "—"
    return vn_percent(value, 1) if percent else vn_number(value)


def figures_sentence(spec: FormSpec, data: Consolidation, section: str) -> str:
    """Any section: its figures as "label: value unit" and its yes/no answers as "n/N đơn vị"."""
    parts = []
    units = data.unit_count
    for field in spec.fields_in(section):
        if field.is_numeric:
            value = data.totals.get(field.code)
            if value is not None:
                parts.append(f"{lower_first(field.label)}: {vn_number(value)} {field.unit}".rstrip())
        elif field.kind == "yes-no":
            yes = data.answers[field.code].get("Có", 0)
            parts.append(f"{yes}/{units} đơn vị {lower_first(field.label)}")
        elif field.kind == "choice":
            counts = ", ".join(f"{n} đơn vị {o.lower()}" for o, n in data.answers[field.code].items() if n)
            if counts:
                parts.append(f"{lower_first(field.label)}: {counts}")
    return ("Kết quả tổng hợp từ báo cáo của các CĐCS: " + "; ".join(parts) + ".") if parts else ""


def reporting_sentence(ledger, deadline_text: str) -> str:
    units = ledger.units
    total = len(units)
    sent = sum(u.state != "missing" for u in units)
    on_time = sum(u.state == "on_time" for u in units)
    late = sum(u.state == "late" for u in units)
    rejected = sum(u.state == "rejected" for u in units)
    missing = [u.unit.name for u in units if u.state == "missing"]
    text = (f"Đến thời điểm tổng hợp, {sent}/{total} CĐCS đã gửi báo cáo ({vn_percent(sent, total)}); trong đó "
            f"{on_time} đơn vị gửi đúng hạn ({deadline_text}), {late} đơn vị gửi muộn, {rejected} đơn vị có tệp "
            "còn lỗi phải sửa lại.")
    if missing:
        text += f" Còn {len(missing)} đơn vị chưa gửi: {', '.join(missing)}."
    return text
